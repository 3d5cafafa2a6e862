"""A client's own file as a PDF, in her language, with the same content as the HTML page.

fpdf2 writes the PDF; the text is set in DejaVu Sans, shipped in ``legalaid/fonts`` (its
licence beside it) so that Azerbaijani letters (ə, ğ, ı, ö, ş, ç, ü) and Cyrillic come out
on every server, with or without system fonts. Only the glyphs used are embedded. Her name
is not put in the document's metadata (title, subject or keywords): a file name or a
viewer's "recent documents" list shows the title.

Call inside ``force_locale(language)``: labels are the app's translations.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from legalaid.casefile.own_file import CaseFile
from legalaid.clients.models import Client
from legalaid.documents.models import Document
from legalaid.i18n import format_date
from legalaid.vocabulary import casework as vocab
from legalaid.vocabulary.documents import DOCUMENT_KINDS
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
# fpdf2 warns with the very characters it has no glyph for (letters of her name, in a
# script DejaVu lacks): personal data is never logged. Such a letter prints as a box.
logging.getLogger("fpdf").setLevel(logging.ERROR)
FONT = "DejaVu"
_MARGIN = 18
_LABEL_WIDTH = 55


class _OwnFilePdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_MARGIN)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        page = _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, f"{self._footer_text} · {page}", align="C")

    # Writing helpers: every line wraps; nothing is cut off at the margin.
    def heading(self, text: str, size: int = 13) -> None:
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(self, text: str, size: int = 10) -> None:
        self.set_font(FONT, "", size)
        self.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _lines(self, width: float, text: str) -> int:
        lines = self.multi_cell(width, 5, text, dry_run=True, output="LINES")
        return len(lines) if isinstance(lines, list) else 1

    def row(self, label: str, value: str) -> None:
        """A label and its value side by side, as tall as the longer of the two."""
        value = value or "—"
        width = self.epw - _LABEL_WIDTH - 2
        self.set_font(FONT, "B", 10)
        label_lines = self._lines(_LABEL_WIDTH, label)
        self.set_font(FONT, "", 10)
        height = 5 * max(label_lines, self._lines(width, value))
        if self.get_y() + height > self.page_break_trigger and height < self.eph:
            self.add_page()
        top = self.get_y()
        self.set_font(FONT, "B", 10)
        self.multi_cell(_LABEL_WIDTH, 5, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_x(self.l_margin + _LABEL_WIDTH + 2)
        self.set_font(FONT, "", 10)
        self.multi_cell(width, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.get_y() < top + height:
            self.set_y(top + height)

    def items(self, lines: Iterable[str], empty: str) -> None:
        self.set_font(FONT, "", 10)
        written = False
        for line in lines:
            self.multi_cell(0, 5, f"•  {line}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            written = True
        if not written:
            self.multi_cell(0, 5, empty, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _joined(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


def _day(value: date | None) -> str:
    return format_date(value) if value else ""


def _document_line(document: Document) -> str:
    if document.is_deleted:
        return _joined(
            DOCUMENT_KINDS.label(document.kind),
            _day(document.document_date),
            _("Deleted"),
        )
    return _joined(
        DOCUMENT_KINDS.label(document.kind),
        _day(document.document_date),
        document.original_filename,
        document.description,
    )


def _details(pdf: _OwnFilePdf, client: Client) -> None:
    pdf.heading(_("Your details"))
    if client.erased_on:
        pdf.para(
            _(
                "Your personal data was erased on %(date)s. The clinic keeps only the coded "
                "record below, which does not name you.",
                date=format_date(client.erased_on),
            )
        )
    else:
        if client.name_to_use:
            pdf.row(_("Name she uses"), client.name_to_use)
        pdf.row(_("Full name"), client.full_name)
        pdf.row(_("Other names used"), client.other_names or "")
        pdf.row(
            _("Date of birth"),
            format_date(client.birth_date) if client.birth_date else _("not known"),
        )
        pdf.row(_("Phone"), client.phone or "")
        pdf.row(_("Address"), client.address or "")
        contact = _joined(
            _("May call") if client.may_call else _("Do not call"),
            _("May leave a message") if client.may_leave_message else _("No messages"),
            vocab.CONTACT_CHANNELS.label(client.contact_channel) if client.contact_channel else "",
            client.contact_hours,
        )
        if client.contact_notes:
            contact = f"{contact}\n{client.contact_notes}"
        pdf.row(_("Safe contact"), contact)
    if client.language:
        pdf.row(_("Language she prefers"), vocab.CLIENT_LANGUAGES.label(client.language))
    if client.interpreter:
        pdf.row(_("Interpreter"), vocab.INTERPRETER_NEEDS.label(client.interpreter))
    if client.access_needs:
        pdf.row(_("Accessibility needs"), client.access_needs)
    pdf.row(_("Gender identity"), vocab.GENDER_IDENTITIES.label(client.gender_identity))
    pdf.row(
        _("Key population groups"),
        ", ".join(vocab.KEY_POPULATIONS.label(code) for code in client.population_codes)
        or _("none of these"),
    )
    pdf.row(_("Age band at intake"), vocab.AGE_BANDS.label(client.age_band))
    pdf.row(
        _("Region"),
        _joined(
            ECONOMIC_REGIONS.label(client.economic_region),
            vocab.SETTLEMENTS.label(client.settlement),
        ),
    )
    pdf.row(_("Disability"), vocab.DISABILITY.label(client.disability))
    pdf.heading(_("Consents"), size=11)
    consents = (
        ("services", _("To receive services")),
        ("statistics", _("To be counted in anonymized statistics")),
        ("sharing", _("To share data with referral partners")),
    )
    lines = []
    for kind, label in consents:
        given = _("yes") if getattr(client, f"consent_{kind}") else _("no")
        on = getattr(client, f"consent_{kind}_on")
        lines.append(
            _joined(f"{label}: {given}", _("recorded %(date)s", date=format_date(on)) if on else "")
        )
    pdf.items(lines, "")


def _case(pdf: _OwnFilePdf, file: CaseFile) -> None:
    case = file.case
    pdf.heading(f"{_('Case')} {case.number}")
    closed = ""
    if case.closed_on:
        closed = f"{_('Closed')}: {format_date(case.closed_on)}"
        if case.outcome:
            closed += f" ({vocab.CASE_OUTCOMES.label(case.outcome)})"
    pdf.para(
        _joined(
            vocab.CASE_CATEGORIES.label(case.category),
            vocab.CASE_STATUSES.label(case.status),
            f"{_('Intake')}: {format_date(case.intake_on)}",
            f"{_('Opened')}: {format_date(case.opened_on)}" if case.opened_on else "",
            closed,
        )
    )
    if case.summary:
        pdf.heading(_("Summary"), size=11)
        pdf.para(case.summary)
    pdf.heading(_("Respondents"), size=11)
    pdf.items(
        (vocab.RESPONDENT_RELATIONS.label(r.relation) for r in case.respondents),
        _("None recorded."),
    )
    pdf.heading(_("Services delivered"), size=11)
    pdf.items(
        (
            _joined(
                format_date(s.delivered_on),
                vocab.LEGAL_SERVICES.label(s.service_type),
                (
                    f"{vocab.PROTECTION_ORDER_KINDS.label(s.order_kind)}: "
                    f"{vocab.PROTECTION_ORDER_RESULTS.label(s.order_result or '')}"
                )
                if s.order_kind
                else "",
            )
            for s in file.services
        ),
        _("None yet."),
    )
    pdf.heading(_("Hearings and deadlines"), size=11)
    pdf.items(
        (
            _joined(
                format_date(h.due_on),
                vocab.HEARING_KINDS.label(h.kind),
                h.place,
                _("Done") if h.done else "",
            )
            for h in file.hearings
        ),
        _("None yet."),
    )
    pdf.heading(_("Referrals"), size=11)
    pdf.items(
        (
            _joined(
                format_date(r.sent_on),
                r.provider.name,
                vocab.REFERRAL_SERVICES.label(r.service_type),
                vocab.REFERRAL_STATUSES.label(r.status),
            )
            for r in file.referrals
        ),
        _("None yet."),
    )
    pdf.heading(_("Tasks"), size=11)
    pdf.items(
        (
            _joined(format_date(t.due_on), t.description, _("Done") if t.done else "")
            for t in file.tasks
        ),
        _("None yet."),
    )
    pdf.heading(_("Documents"), size=11)
    pdf.items((_document_line(d) for d in file.documents), _("None yet."))
    pdf.heading(_("Notes"), size=11)
    pdf.items(
        (
            _joined(note.current.body, format_date(note.created_at.date()))
            + (f" · {note.author.full_name}" if note.author else "")
            for note in file.notes
        ),
        _("No notes yet."),
    )


def own_file_pdf(
    client: Client,
    files: list[CaseFile],
    own_documents: list[Document],
    *,
    language: str,
    produced_on: date,
) -> bytes:
    title = f"{_('Client file')} {client.number}"
    pdf = _OwnFilePdf(title)
    pdf.set_lang(language)
    pdf.set_title(title)  # never her name: viewers show the title in lists
    pdf.set_creator("legalaid")
    pdf.add_page()
    pdf.heading(_("What the clinic holds about you"), size=16)
    pdf.para(
        _(
            "Client number %(number)s · produced on %(date)s at your request.",
            number=client.number,
            date=format_date(produced_on),
        )
    )
    _details(pdf, client)
    for file in files:
        _case(pdf, file)
    pdf.heading(_("Your documents not on a case"))
    pdf.items((_document_line(d) for d in own_documents), _("None yet."))
    pdf.heading(_("What this file leaves out, and why"))
    pdf.para(leaves_out())
    return bytes(pdf.output())


def leaves_out() -> str:
    """What the file leaves out and why: one text for the PDF and the HTML page."""
    return str(
        _(
            "The names of the other parties to your cases (respondents) are not shown: they are "
            "data about other people, which your right to see your own data does not cover. "
            "Their relation to you is shown. Documents are listed by kind, date and name; ask "
            "the clinic for a copy of any of them."
        )
    )

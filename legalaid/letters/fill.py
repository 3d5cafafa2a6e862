"""Filling a letter template from the case, and keeping the result as a case document.

DOCX templates through docxtpl (Jinja tags in the text) rather than HTML to PDF: the
clinics write their letters in Word or LibreOffice, they can edit a template there
without touching code, and the lawyer can still correct the generated letter before
she signs it. Autoescaping is on, so nothing typed can inject markup into the file.

Tags a template may use: ``client_name``, ``client_address``, ``respondent_name``,
``incident_date``, ``lawyer_name``, ``clinic_name``, ``today``, and the fields asked on
the form (``court``, ``addressee``, ``facts``, ``identity_document``, ``scope``).
A referral letter gets only the client's name and what the lawyer types: nothing else
of the case leaves with it, and not at all without the client's consent to sharing.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from docxtpl import DocxTemplate
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from legalaid.cases.models import Case
from legalaid.documents.models import Document
from legalaid.documents.policy import DocumentPolicy
from legalaid.documents.services import Upload, add_documents
from legalaid.documents.storage import DocumentStore
from legalaid.errors import DomainError
from legalaid.policy.loader import policy_path
from legalaid.vocabulary import Vocabulary

LETTERS = Vocabulary(
    "letter",
    (
        ("protection_order", _l("Protection-order application")),
        ("police_complaint", _l("Complaint to the police or prosecutor")),
        ("power_of_attorney", _l("Power of attorney")),
        ("referral", _l("Referral letter")),
    ),
)
LETTER_LANGUAGES = Vocabulary(
    "letter_language",
    (("az", _l("Azerbaijani")), ("ru", _l("Russian")), ("en", _l("English"))),
)
#: What each letter needs that the case does not hold: always asked on the form.
ASKED: dict[str, tuple[str, ...]] = {
    "protection_order": ("court", "facts"),
    "police_complaint": ("addressee", "facts"),
    "power_of_attorney": ("identity_document", "scope"),
    "referral": ("addressee", "facts"),
}
#: Taken from the case when it has them, asked on the form when it does not.
FROM_CASE: dict[str, tuple[str, ...]] = {
    "protection_order": ("client_address", "respondent_name", "incident_date"),
    "police_complaint": ("incident_date",),
    "power_of_attorney": (),
    "referral": (),
}
KIND = {
    "protection_order": "court_document",
    "police_complaint": "correspondence",
    "power_of_attorney": "other",
    "referral": "correspondence",
}
ANSWER_LIMIT = 4000


def template_path(policy_dir: Path | None, letter: str, language: str) -> Path:
    """The clinic network's own template where it has one, else the shipped one."""
    return policy_path(policy_dir, f"templates/{letter}.{language}.docx")


def _from_case(case: Case) -> dict[str, str]:
    respondent = next((r.name for r in case.respondents if r.name), None)
    return {
        "client_address": case.client.address or "",
        "respondent_name": respondent or "",
        "incident_date": format_date(case.incident_date) if case.incident_date else "",
    }


def letter_context(
    case: Case, letter: str, answers: Mapping[str, str], today: date
) -> dict[str, str]:
    """Every tag of the letter, or a :class:`DomainError` naming the field still needed."""
    if letter == "referral" and not case.client.consent_sharing:
        raise DomainError(
            _("The client has not consented to sharing her data: no referral letter."),
            field="letter",
        )
    typed = {name: (answers.get(name) or "").strip() for name in answers}
    for name, value in typed.items():
        if len(value) > ANSWER_LIMIT:
            raise DomainError(_("At most %(n)d characters.", n=ANSWER_LIMIT), field=name)
    context = {
        "client_name": case.client.full_name,
        "lawyer_name": case.assigned_lawyer.full_name,
        "clinic_name": case.clinic.name,
        "today": format_date(today),
    }
    known = _from_case(case)
    for name in FROM_CASE[letter]:
        context[name] = typed.get(name) or known[name]
    for name in ASKED[letter]:
        context[name] = typed.get(name, "")
    for name in (*FROM_CASE[letter], *ASKED[letter]):
        if not context[name]:
            raise DomainError(_("This letter needs it; the case does not hold it."), field=name)
    return context


def generate_letter(
    session: Session,
    store: DocumentStore,
    policy: DocumentPolicy,
    case: Case,
    *,
    letter: str,
    language: str,
    answers: Mapping[str, str],
    policy_dir: Path | None,
    today: date,
    by: int,
) -> Document:
    """Fill the template and keep the letter on the case, encrypted like any upload."""
    letter = LETTERS.require(letter, "letter")
    language = LETTER_LANGUAGES.require(language, "language")
    context = letter_context(case, letter, answers, today)
    template = DocxTemplate(str(template_path(policy_dir, letter, language)))
    template.render(context, autoescape=True)
    # Rendered in memory (a letter is small) and stored through the upload path: the
    # filled letter is plaintext nowhere on disk.
    rendered = io.BytesIO()
    template.save(rendered)
    rendered.seek(0)
    (document,) = add_documents(
        session,
        store,
        policy,
        case,
        kind=KIND[letter],
        document_date=today,
        description=str(LETTERS.label(letter)),
        uploads=[Upload(f"{letter}-{language}.docx", rendered)],
        by=by,
    )
    return document


def rendered_text(data: bytes) -> str:
    """The text of a DOCX (tests and checks): every paragraph, one per line."""
    from docx import Document as DocxDocument

    return "\n".join(p.text for p in DocxDocument(io.BytesIO(data)).paragraphs)

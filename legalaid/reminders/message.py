"""The text of a reminder e-mail, in its reader's language.

It names no person and no place: only case numbers, kinds, dates, times and links, so
that a mailbox read over someone's shoulder, or a mail server's copy, gives nobody away.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from legalaid.i18n import format_date
from legalaid.reminders.due import DueReminder, Item
from legalaid.vocabulary.casework import HEARING_KINDS


def _kind(item: Item) -> str:
    return str(_("Task")) if item.kind == "task" else HEARING_KINDS.label(item.kind)


def _when(item: Item) -> str:
    day = format_date(item.due_on, "full")
    if item.starts_at is None:
        return day
    return str(_("%(day)s at %(time)s (Baku time)", day=day, time=item.starts_at.strftime("%H:%M")))


def _line(item: Item, base_url: str) -> str:
    link = f"{base_url.rstrip('/')}/cases/{item.case_id}"
    return str(
        _(
            "%(kind)s, case %(number)s: %(when)s\n%(link)s",
            kind=_kind(item),
            number=item.case_number,
            when=_when(item),
            link=link,
        )
    )


def compose(reminder: DueReminder, base_url: str) -> tuple[str, str]:
    """(subject, body) of the reminder."""
    with force_locale(reminder.language):
        if reminder.reason == "digest":
            subject = _("Your hearings, deadlines and tasks this week")
            intro = _("Hearings, deadlines and tasks of your cases in the coming days:")
        else:
            first = reminder.items[0]
            subject = _(
                "Reminder: %(kind)s, case %(number)s",
                kind=_kind(first),
                number=first.case_number,
            )
            intro = _("A reminder from the legal aid clinic system:")
        lines = [intro, ""]
        for item in reminder.items:
            lines += [_line(item, base_url), ""]
        lines.append(
            _("You receive these reminders because you turned them on in your account settings.")
        )
        return subject, "\n".join(lines)

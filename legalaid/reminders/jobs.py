"""Reminders as a periodic job (``legalaid reminders send`` does the same by hand).

Every five minutes: a reminder is claimed under a unique key before it is sent, so two
consumers, or a run that overlaps the next, send each reminder once.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from legalaid.jobs.registry import crontab, periodic_task
from legalaid.reminders.service import send_reminders_of_app


@periodic_task(crontab(minute="*/5"), name="reminders.send")
def send_due_reminders_job(session: Session) -> None:
    # The service works in its own short transactions (claim, send, record), not in the
    # job's session: a mail handed to SMTP is recorded even if a later one fails.
    send_reminders_of_app()

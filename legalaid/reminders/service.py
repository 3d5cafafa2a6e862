"""Sending the reminders that are due: each exactly once, even with two runs at once.

A reminder is first *claimed* by inserting its (user, key) row under a unique constraint
and committing; a second run, here or on another server, fails that insert and skips it.
Only the claimant sends. A mail server that refuses gets the claim deleted again, so the
next run retries; a run that dies between sending and recording leaves a claim that a run
after ``stale_claim_minutes`` takes over (the one case where a reminder can go twice).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from legalaid.audit.service import Actor, record_event
from legalaid.database import Database, get_database
from legalaid.mail import Mailer, MailError, RecipientRefusedError
from legalaid.reminders.due import DueReminder, due_reminders
from legalaid.reminders.message import compose
from legalaid.reminders.models import ReminderDelivery
from legalaid.reminders.policy import ReminderPolicy
from legalaid.settings import DEVELOPMENT_BASE_URL, MailSettings

log = logging.getLogger(__name__)

#: The job itself, in the audit log (no account acts).
SYSTEM = Actor(None, None)


def _claim(
    database: Database, reminder: DueReminder, now: datetime, stale_after: int
) -> int | None:
    """The id of our claim, or None when another run holds or already sent it."""
    try:
        with database.transaction() as session:
            session.execute(
                delete(ReminderDelivery).where(
                    ReminderDelivery.user_id == reminder.user_id,
                    ReminderDelivery.reminder_key == reminder.key,
                    ReminderDelivery.sent_at.is_(None),
                    ReminderDelivery.claimed_at < now - timedelta(minutes=stale_after),
                )
            )
            claim = ReminderDelivery(
                user_id=reminder.user_id, reminder_key=reminder.key, claimed_at=now
            )
            session.add(claim)
            session.flush()
            return claim.id
    except IntegrityError:
        return None


#: Keys looked up per statement when skipping what earlier runs already sent.
KEY_BATCH = 500


def _already_handled(
    database: Database, due: list[DueReminder], now: datetime, stale_after: int
) -> set[tuple[int, str]]:
    """(user, key) pairs sent, or claimed by a run still within its time: one query per
    batch, so a run that finds everything done costs a few statements, not three per
    reminder. The unique constraint still decides any race that starts after this read."""
    fresh_since = now - timedelta(minutes=stale_after)
    handled: set[tuple[int, str]] = set()
    with database.transaction() as session:
        for start in range(0, len(due), KEY_BATCH):
            pairs = [(r.user_id, r.key) for r in due[start : start + KEY_BATCH]]
            rows = session.execute(
                select(ReminderDelivery.user_id, ReminderDelivery.reminder_key).where(
                    tuple_(ReminderDelivery.user_id, ReminderDelivery.reminder_key).in_(pairs),
                    ReminderDelivery.sent_at.is_not(None)
                    | (ReminderDelivery.claimed_at >= fresh_since),
                )
            )
            handled.update((row.user_id, row.reminder_key) for row in rows)
    return handled


def _release(database: Database, claim_id: int, reminder: DueReminder) -> None:
    with database.transaction() as session:
        session.execute(delete(ReminderDelivery).where(ReminderDelivery.id == claim_id))
        record_event(
            session,
            "reminder.failed",
            object_type=reminder.object_type,
            object_id=reminder.object_id,
            outcome="failure",
            actor=SYSTEM,
        )


def _mark_sent(database: Database, claim_id: int, reminder: DueReminder, now: datetime) -> None:
    with database.transaction() as session:
        session.execute(
            update(ReminderDelivery).where(ReminderDelivery.id == claim_id).values(sent_at=now)
        )
        record_event(
            session,
            "reminder.sent",
            object_type=reminder.object_type,
            object_id=reminder.object_id,
            actor=SYSTEM,
        )


def send_due_reminders(
    database: Database, now: datetime, *, policy: ReminderPolicy, mail: MailSettings
) -> int:
    """Send what is due at ``now`` (aware); the number of mails sent. Needs an app context.

    Without a mail server configured nothing is claimed, so nothing is lost: the reminders
    go once one is.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not mail.configured:
        log.warning("reminders: no SMTP server configured (LEGALAID_SMTP_HOST); none sent")
        return 0
    with database.transaction() as session:
        due = due_reminders(session, policy, now)
    handled = _already_handled(database, due, now, policy.stale_claim_minutes)
    due = [reminder for reminder in due if (reminder.user_id, reminder.key) not in handled]
    sent = 0
    base_url = mail.base_url or DEVELOPMENT_BASE_URL
    # One connection for the whole run, opened at the first reminder claimed.
    with Mailer(mail) as mailer:
        for index, reminder in enumerate(due):
            claim_id = _claim(database, reminder, now, policy.stale_claim_minutes)
            if claim_id is None:
                continue
            subject, body = compose(reminder, base_url)
            try:
                mailer.send(to=reminder.email, subject=subject, body=body)
            except RecipientRefusedError:
                # This address is refused, not the server: the others still go.
                _release(database, claim_id, reminder)
                log.warning("reminders: the mail server refused a recipient")
                continue
            except MailError:
                _release(database, claim_id, reminder)
                # The server is down or refuses: the rest waits for the next run too.
                log.warning(
                    "reminders: the mail server refused; %d left for the next run",
                    len(due) - index,
                )
                break
            _mark_sent(database, claim_id, reminder, now)
            sent += 1
    return sent


def send_reminders_of_app(now: datetime | None = None) -> int:
    """:func:`send_due_reminders` with the current app's database, policy and mail server:
    the one call a scheduled job (or ``legalaid reminders send``) makes."""
    return send_due_reminders(
        get_database(current_app),
        now or datetime.now(UTC),
        policy=current_app.extensions["legalaid.policies"].reminders,
        mail=current_app.extensions["legalaid.settings"].mail,
    )

"""Reading the audit log for the viewer: filters in SQL on the indexed columns."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Bundle, Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.calendar import CLINIC_ZONE

# Account numbers are 32-bit integers in both databases; anything larger matches nobody
# (and SQLite cannot even bind it).
MAX_ACCOUNT_ID = 2**31 - 1

# One row of the viewer: the entry's metadata (not its mac) and the actor's email.
ENTRY_ROW: Bundle[Any] = Bundle(
    "entry",
    AuditEntry.id,
    AuditEntry.seq,
    AuditEntry.occurred_at,
    AuditEntry.actor_id,
    AuditEntry.actor_role,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.outcome,
    AuditEntry.request_id,
    AuditEntry.client_address,
    User.email.label("actor_email"),
)


def resolve_actor(session: Session, text: str) -> int | None:
    """An account number, or an account's email address, as an account id.

    ``None`` means no such account (an unknown email, or a number out of range).
    Numbers are not looked up: entries keep the ids of accounts whatever became of them.
    """
    value = text.strip()
    if value.isascii() and value.isdigit():
        number = int(value)
        return number if 0 < number <= MAX_ACCOUNT_ID else None
    # Emails are stored lower-cased (see accounts.services), so the unique index serves.
    found: int | None = session.scalar(select(User.id).where(User.email == value.lower()))
    return found


def _day_start(day: date) -> datetime:
    """Midnight in Baku, where the log's times are shown, as the UTC instant stored."""
    try:
        return datetime.combine(day, time.min, tzinfo=CLINIC_ZONE).astimezone(UTC)
    except OverflowError:
        # The first day of year 1 (a typed extreme): its start in UTC is before datetime.min.
        return datetime.combine(day, time.min, tzinfo=UTC)


def entries_query(
    *,
    actor_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select[Any]:
    """Entries newest first (by ``seq``, the order they were appended in), filtered.

    ``action`` matches exactly, or as a prefix at a dot: ``account`` finds ``account``
    and ``account.viewed``. Ending it with ``*`` or ``.`` makes it a plain prefix.
    Dates are whole UTC days, both ends included.
    """
    query = (
        select(ENTRY_ROW)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.seq.desc())
    )
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    action = action.strip().lower()
    if action.endswith("*"):
        prefix = action.rstrip("*")
        if prefix:
            query = query.where(AuditEntry.action.startswith(prefix, autoescape=True))
    elif action.endswith("."):
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    elif action:
        query = query.where(
            or_(
                AuditEntry.action == action,
                AuditEntry.action.startswith(action + ".", autoescape=True),
            )
        )
    if date_from is not None:
        query = query.where(AuditEntry.occurred_at >= _day_start(date_from))
    if date_to is not None and date_to < date.max:
        query = query.where(AuditEntry.occurred_at < _day_start(date_to + timedelta(days=1)))
    return query

"""Reminders in the app: what is due or overdue for her now, and the bell's count of new ones.

The same moments as the e-mails (``policies/reminders.toml``): a hearing from the morning of
its last reminder day (1 day before, by default), a deadline and a task from their own
morning; each stays until it is marked done. She is reminded of what is hers: hearings and
deadlines of the active cases assigned to her, tasks assigned to her, all within her case
scope (:func:`legalaid.cases.scope.case_condition`), so a reassigned or closed case drops
out at once. Only case numbers, kinds, dates and times are read: never a place, a
description or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import cast

from sqlalchemy import Executable, bindparam, false, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from legalaid.calendar import CLINIC_ZONE
from legalaid.caseloads.queries import ACTIVE_STATUSES
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.casework.models import CaseTask, Hearing
from legalaid.reminders.due import DEADLINE_KINDS
from legalaid.reminders.models import ReminderSeen
from legalaid.reminders.policy import ReminderPolicy
from legalaid.viewer import Viewer

#: Roles that have casework to be reminded of.
ROLES = ("lawyer", "manager")
#: How many reminders the home page lists (the count says how many there are in all).
LISTED = 20


@dataclass(frozen=True)
class InAppReminder:
    case_id: int
    case_number: str
    kind: str  # a hearing kind, or "task"
    due_on: date
    starts_at: time | None
    #: The moment it came due (clinic time): after the last look, it is new.
    due_since: datetime
    overdue: bool
    new: bool


def _morning(day: date, policy: ReminderPolicy) -> datetime:
    return datetime.combine(day, time(policy.morning_hour), CLINIC_ZONE)


def _due_since(kind: str, due_on: date, policy: ReminderPolicy) -> datetime:
    if kind in DEADLINE_KINDS or kind == "task":
        return _morning(due_on, policy)
    return _morning(due_on - timedelta(days=min(policy.hearing_days_before)), policy)


def last_seen(session: Session, user: Viewer) -> datetime | None:
    return session.scalar(select(ReminderSeen.seen_at).where(ReminderSeen.user_id == user.id))


def _aware(value: datetime | str | None) -> datetime | None:
    """A seen time read through a union (SQLite may hand back its text): aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class _BoundViewer:
    """A viewer whose id and clinic are bound parameters (``viewer_id``,
    ``viewer_clinic_id``): the scope's own condition, built once per role."""

    def __init__(self, role: str) -> None:
        self.role = role

    @property
    def id(self) -> int:
        return cast(int, bindparam("viewer_id"))

    @property
    def clinic_id(self) -> int | None:
        return cast(int, bindparam("viewer_clinic_id"))


@cache
def _due_statement(role: str, has_clinic: bool) -> Executable:
    """Her due hearings and tasks with when she last looked, in one statement.

    Built once per kind of viewer and reused (the bell runs on every page): the same
    statement object keeps SQLAlchemy's cache key, and nothing is rebuilt per request.
    Parameters: ``viewer_id``, ``viewer_clinic_id``, ``today``, ``hearings_until``.
    """
    user = _BoundViewer(role)
    viewer_id = bindparam("viewer_id", type_=Case.assigned_lawyer_id.type)
    scope = case_condition(user) if has_clinic or role != "manager" else false()
    mine = scope & Case.status.in_(ACTIVE_STATUSES)
    # When she last looked comes in the same statement (a primary-key lookup per row).
    seen_at = select(ReminderSeen.seen_at).where(ReminderSeen.user_id == viewer_id)
    seen = seen_at.scalar_subquery().label("seen_at")
    hearings = (
        select(
            Case.id.label("case_id"),
            Case.number.label("number"),
            Hearing.kind.label("kind"),
            Hearing.due_on.label("due_on"),
            Hearing.starts_at.label("starts_at"),
            seen,
        )
        .join(Case, Case.id == Hearing.case_id)
        .where(
            mine,
            Case.assigned_lawyer_id == viewer_id,
            Hearing.done.is_(False),
            Hearing.due_on <= bindparam("hearings_until", type_=Hearing.due_on.type),
        )
    )
    tasks = (
        select(
            Case.id.label("case_id"),
            Case.number.label("number"),
            literal("task").label("kind"),
            CaseTask.due_on.label("due_on"),
            literal(None, type_=Hearing.starts_at.type).label("starts_at"),
            seen,
        )
        .join(Case, Case.id == CaseTask.case_id)
        .where(
            mine,
            CaseTask.assignee_id == viewer_id,
            CaseTask.done.is_(False),
            CaseTask.due_on <= bindparam("today", type_=CaseTask.due_on.type),
        )
    )
    return union_all(hearings, tasks)


def due_in_app(
    session: Session, user: Viewer, now: datetime, policy: ReminderPolicy
) -> list[InAppReminder]:
    """Her reminders due at ``now`` (aware), the oldest first; empty for other roles."""
    if user is None or user.role not in ROLES:
        return []
    local = now.astimezone(CLINIC_ZONE)
    today = local.date()
    days_before = min(policy.hearing_days_before)
    statement = _due_statement(user.role, user.clinic_id is not None)
    rows = session.execute(
        statement,
        {
            "viewer_id": user.id,
            "viewer_clinic_id": user.clinic_id,
            "today": today,
            "hearings_until": today + timedelta(days=days_before),
        },
    ).all()
    seen = _aware(rows[0].seen_at) if rows else None
    found = []
    for row in rows:
        since = _due_since(row.kind, row.due_on, policy)
        if since > local:
            continue
        found.append(
            InAppReminder(
                case_id=row.case_id,
                case_number=row.number,
                kind=row.kind,
                due_on=row.due_on,
                starts_at=row.starts_at,
                due_since=since,
                overdue=row.due_on < today,
                new=seen is None or since > seen,
            )
        )
    found.sort(key=lambda item: (item.due_on, item.starts_at or time.min, item.case_number))
    return found


def new_count(session: Session, user: Viewer, now: datetime, policy: ReminderPolicy) -> int:
    """The bell's number: reminders that came due since she last looked."""
    return sum(1 for item in due_in_app(session, user, now, policy) if item.new)


def mark_seen(session: Session, user: Viewer, now: datetime) -> None:
    """She has looked at her reminders now (the home page lists them all)."""
    row = session.get(ReminderSeen, user.id)
    if row is not None:
        row.seen_at = now
        session.flush()
        return
    try:
        with session.begin_nested():
            session.add(ReminderSeen(user_id=user.id, seen_at=now))
    except IntegrityError:
        # Her other tab got there first, a moment ago: that look counts.
        pass

"""Which reminders are due at a moment, and for whom (no mail, no writes here).

Recipients are read at each run from the current state: the case's lawyer for its hearings
and deadlines, the assignee for a task; a closed case, a case reassigned to someone else,
a done hearing or a user who turned reminders off gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.calendar import CLINIC_ZONE
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.casework.models import CaseTask, Hearing
from legalaid.reminders.policy import ReminderPolicy

#: Kinds that fall due on a day (reminded that morning) rather than happen at a time.
DEADLINE_KINDS = frozenset({"deadline", "appeal_deadline"})


def _hearing_columns() -> tuple[Any, ...]:
    # Only what a reminder says: the encrypted place is never read, let alone decrypted.
    return (
        Hearing.id,
        Hearing.case_id,
        Hearing.kind,
        Hearing.due_on,
        Hearing.starts_at,
        Case.number,
    )


@dataclass(frozen=True)
class Item:
    """One dated thing a reminder is about: only codes, dates and the case number."""

    case_id: int
    case_number: str
    kind: str  # a hearing kind, or "task"
    due_on: date
    starts_at: time | None


@dataclass(frozen=True)
class DueReminder:
    user_id: int
    email: str
    language: str
    key: str
    reason: str  # "before:7", "deadline", "task", "digest"
    object_type: str
    object_id: int | str
    items: tuple[Item, ...]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), CLINIC_ZONE)


def _hearing_reminder(
    policy: ReminderPolicy, hearing: Any, now: datetime
) -> tuple[str, str] | None:
    """(reason, key) of the reminder due now for this hearing, if any."""
    stamp = f"{hearing.due_on.isoformat()}T{hearing.starts_at or ''}"
    if hearing.kind in DEADLINE_KINDS:
        start = _at(hearing.due_on, policy.morning_hour)
        end = datetime.combine(hearing.due_on + timedelta(days=1), time(0), CLINIC_ZONE)
        if start <= now < end:
            return "deadline", f"deadline:{hearing.id}:{stamp}"
        return None
    event = datetime.combine(
        hearing.due_on, hearing.starts_at or time(policy.morning_hour), CLINIC_ZONE
    )
    offsets = policy.hearing_days_before  # largest first
    for index, days in enumerate(offsets):
        start = _at(hearing.due_on - timedelta(days=days), policy.morning_hour)
        # A reminder whose day was missed is not sent once the next one is due.
        end = (
            _at(hearing.due_on - timedelta(days=offsets[index + 1]), policy.morning_hour)
            if index + 1 < len(offsets)
            else event
        )
        if start <= now < min(end, event):
            return f"before:{days}", f"hearing:{hearing.id}:{days}d:{stamp}"
    return None


def _recipients() -> Any:
    return User.active.is_(True) & User.reminders_enabled.is_(True)


def _sees_case() -> Any:
    # Still someone who sees the case: a reassigned case's old lawyer is not.
    return or_(
        User.id == Case.assigned_lawyer_id,
        (User.role == "manager") & (User.clinic_id == Case.clinic_id),
    )


def hearing_reminders(session: Session, policy: ReminderPolicy, now: datetime) -> list[DueReminder]:
    local = now.astimezone(CLINIC_ZONE)
    today = local.date()
    rows = session.execute(
        select(*_hearing_columns(), User.id.label("user_id"), User.email, User.preferred_language)
        .select_from(Hearing)
        .join(Case, Case.id == Hearing.case_id)
        .join(User, User.id == Case.assigned_lawyer_id)
        .where(
            Case.status != "closed",
            Hearing.done.is_(False),
            Hearing.due_on >= today,
            Hearing.due_on <= today + timedelta(days=max(policy.hearing_days_before)),
            _recipients(),
        )
        .order_by(Hearing.due_on, Hearing.id)
    ).all()
    found = []
    for row in rows:
        due = _hearing_reminder(policy, row, local)
        if due is None:
            continue
        reason, key = due
        item = Item(row.case_id, row.number, row.kind, row.due_on, row.starts_at)
        found.append(
            DueReminder(
                row.user_id,
                row.email,
                row.preferred_language,
                key,
                reason,
                "hearing",
                row.id,
                (item,),
            )
        )
    return found


def task_reminders(session: Session, policy: ReminderPolicy, now: datetime) -> list[DueReminder]:
    local = now.astimezone(CLINIC_ZONE)
    if local.hour < policy.morning_hour:
        return []
    rows = session.execute(
        select(
            CaseTask.id,
            CaseTask.case_id,
            CaseTask.due_on,
            Case.number,
            User.id.label("user_id"),
            User.email,
            User.preferred_language,
        )
        .select_from(CaseTask)
        .join(Case, Case.id == CaseTask.case_id)
        .join(User, User.id == CaseTask.assignee_id)
        .where(
            Case.status != "closed",
            CaseTask.done.is_(False),
            CaseTask.due_on == local.date(),
            _recipients(),
            _sees_case(),
        )
        .order_by(CaseTask.id)
    ).all()
    return [
        DueReminder(
            row.user_id,
            row.email,
            row.preferred_language,
            f"task:{row.id}:{row.due_on.isoformat()}",
            "task",
            "case_task",
            row.id,
            (Item(row.case_id, row.number, "task", row.due_on, None),),
        )
        for row in rows
    ]


def _digest_tasks(session: Session, first: date, until: date) -> dict[int, list[Item]]:
    """The week's open tasks per assignee who still sees the case (one statement for all)."""
    rows = session.execute(
        select(CaseTask.case_id, CaseTask.due_on, Case.number, CaseTask.assignee_id)
        .join(Case, Case.id == CaseTask.case_id)
        .join(User, User.id == CaseTask.assignee_id)
        .where(
            Case.status != "closed",
            CaseTask.done.is_(False),
            CaseTask.due_on >= first,
            CaseTask.due_on < until,
            _recipients(),
            _sees_case(),
        )
        .order_by(CaseTask.due_on, CaseTask.id)
    ).all()
    found: dict[int, list[Item]] = {}
    for row in rows:
        found.setdefault(row.assignee_id, []).append(
            Item(row.case_id, row.number, "task", row.due_on, None)
        )
    return found


def digest_reminders(session: Session, policy: ReminderPolicy, now: datetime) -> list[DueReminder]:
    local = now.astimezone(CLINIC_ZONE)
    if local.weekday() != policy.digest_weekday_number or local.hour < policy.morning_hour:
        return []
    year, week, _ = local.isocalendar()
    until = local.date() + timedelta(days=policy.digest_days_ahead)
    users = session.scalars(
        select(User).where(_recipients(), User.role.in_(("lawyer", "manager"))).order_by(User.id)
    ).all()
    tasks = _digest_tasks(session, local.date(), until)
    found = []
    for user in users:
        rows = session.execute(
            select(*_hearing_columns())
            .select_from(Hearing)
            .join(Case, Case.id == Hearing.case_id)
            .where(
                case_condition(user),
                Case.status != "closed",
                Hearing.done.is_(False),
                Hearing.due_on >= local.date(),
                Hearing.due_on < until,
            )
            .order_by(Hearing.due_on, Hearing.starts_at, Hearing.id)
        ).all()
        items = tuple(
            sorted(
                [
                    *(
                        Item(row.case_id, row.number, row.kind, row.due_on, row.starts_at)
                        for row in rows
                    ),
                    *tasks.get(user.id, ()),
                ],
                key=lambda item: (item.due_on, item.starts_at or time.min),
            )
        )
        if not items:
            continue
        key = f"digest:{year}-W{week:02d}"
        found.append(
            DueReminder(
                user.id,
                user.email,
                user.preferred_language,
                key,
                "digest",
                "digest",
                f"{year}-W{week:02d}",
                items,
            )
        )
    return found


def due_reminders(session: Session, policy: ReminderPolicy, now: datetime) -> list[DueReminder]:
    return [
        *hearing_reminders(session, policy, now),
        *task_reminders(session, policy, now),
        *digest_reminders(session, policy, now),
    ]

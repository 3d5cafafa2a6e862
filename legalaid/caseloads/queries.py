"""Caseload counts and the agenda, computed in SQL within the user's record scope.

Every query here goes through :func:`legalaid.cases.scope.case_condition`: a manager's
numbers cover her clinic's cases, a lawyer's the cases assigned to her. Counts are
``GROUP BY`` aggregates; no case or hearing row is loaded to count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.casework.models import CaseTask, Hearing
from legalaid.pagination import Page, paginate
from legalaid.viewer import Viewer

#: "Coming up" means due from today to this many days ahead, both included.
WINDOW_DAYS = 14
#: The statuses of a case that still needs work (not closed).
ACTIVE_STATUSES = ("intake", "open")


def _active() -> Any:
    return Case.status.in_(ACTIVE_STATUSES)


def window_end(today: date) -> date:
    return today + timedelta(days=WINDOW_DAYS)


@dataclass(frozen=True)
class CaseloadRow:
    lawyer_id: int
    name: str
    #: False for an account that is disabled or no longer a lawyer but still holds cases.
    current: bool
    active_cases: int
    high_risk: int
    due_soon: int
    overdue: int


@dataclass(frozen=True)
class CaseloadTotals:
    active_cases: int
    high_risk: int
    due_soon: int
    overdue: int


def caseload_rows(session: Session, user: Viewer, today: date) -> list[CaseloadRow]:
    """One row per lawyer in the user's scope, with her counts.

    A manager gets every active lawyer of her clinic (even with nothing assigned) and anyone
    else still holding an active case of the clinic; a lawyer gets her own row only.
    """
    scope = case_condition(user)
    cases = (
        select(
            Case.assigned_lawyer_id.label("lawyer_id"),
            func.count().label("active_cases"),
            func.count(case((Case.risk_level == "high", 1))).label("high_risk"),
        )
        .where(scope, _active())
        .group_by(Case.assigned_lawyer_id)
        .subquery("case_counts")
    )
    hearings = (
        select(
            Case.assigned_lawyer_id.label("lawyer_id"),
            func.count(case((Hearing.due_on >= today, 1))).label("due_soon"),
            func.count(case((Hearing.due_on < today, 1))).label("overdue"),
        )
        .select_from(Hearing)
        .join(Case, Case.id == Hearing.case_id)
        .where(scope, _active(), Hearing.done.is_(False), Hearing.due_on <= window_end(today))
        .group_by(Case.assigned_lawyer_id)
        .subquery("hearing_counts")
    )
    current = and_(User.role == "lawyer", User.active.is_(True))
    query = (
        select(
            User.id,
            User.full_name,
            current.label("current"),
            func.coalesce(cases.c.active_cases, 0),
            func.coalesce(cases.c.high_risk, 0),
            func.coalesce(hearings.c.due_soon, 0),
            func.coalesce(hearings.c.overdue, 0),
        )
        .outerjoin(cases, cases.c.lawyer_id == User.id)
        .outerjoin(hearings, hearings.c.lawyer_id == User.id)
        .order_by(User.full_name, User.id)
    )
    if user.role == "manager" and user.clinic_id is not None:
        query = query.where(
            or_(and_(User.clinic_id == user.clinic_id, current), cases.c.lawyer_id.is_not(None))
        )
    elif user.role == "lawyer":
        query = query.where(User.id == user.id)
    else:
        query = query.where(false())
    return [
        CaseloadRow(
            lawyer_id=row[0],
            name=row[1],
            current=bool(row[2]),
            active_cases=int(row[3]),
            high_risk=int(row[4]),
            due_soon=int(row[5]),
            overdue=int(row[6]),
        )
        for row in session.execute(query)
    ]


def totals(rows: list[CaseloadRow]) -> CaseloadTotals:
    """The clinic's line: sums of the per-lawyer aggregates (every active case has a row)."""
    return CaseloadTotals(
        active_cases=sum(row.active_cases for row in rows),
        high_risk=sum(row.high_risk for row in rows),
        due_soon=sum(row.due_soon for row in rows),
        overdue=sum(row.overdue for row in rows),
    )


@dataclass(frozen=True)
class AttentionRow:
    case_id: int
    number: str
    risk_level: str
    status: str
    lawyer_id: int
    lawyer_name: str
    #: The oldest hearing or deadline not done and past, if any.
    overdue_since: date | None
    next_due: date | None


def attention_page(
    session: Session, user: Viewer, today: date, raw_page: str | None
) -> Page[AttentionRow]:
    """Active cases that are high-risk or have overdue work, the longest overdue first.

    The first overdue and next due dates come from two GROUP BY subqueries over the
    not-done hearings of the user's own active cases (indexes ``ix_legal_case_caseload``
    and ``ix_hearing_case_open``): their cost follows her scope, not the national table.
    """
    scope = case_condition(user)

    def first_due(condition: Any, label: str) -> Any:
        return (
            select(Hearing.case_id, func.min(Hearing.due_on).label(label))
            .join(Case, Case.id == Hearing.case_id)
            .where(scope, _active(), Hearing.done.is_(False), condition)
            .group_by(Hearing.case_id)
            .subquery(label)
        )

    overdue = first_due(Hearing.due_on < today, "since")
    upcoming = first_due(Hearing.due_on >= today, "next_due")
    overdue_since = overdue.c.since
    next_due = upcoming.c.next_due
    risk_rank = case((Case.risk_level == "high", 0), else_=1)
    columns: list[Any] = [
        Case.id,
        Case.number,
        Case.risk_level,
        Case.status,
        User.id,
        User.full_name,
        overdue_since.label("overdue_since"),
        next_due.label("next_due"),
    ]
    query = (
        select(*columns)
        .join(User, User.id == Case.assigned_lawyer_id)
        .outerjoin(overdue, overdue.c.case_id == Case.id)
        .outerjoin(upcoming, upcoming.c.case_id == Case.id)
        .where(
            case_condition(user),
            _active(),
            or_(Case.risk_level == "high", overdue_since.is_not(None)),
        )
        .order_by(
            func.coalesce(overdue_since, literal(date.max)),
            risk_rank,
            func.coalesce(next_due, literal(date.max)),
            Case.id,
        )
    )
    page: Page[Any] = paginate(session, query, raw_page)
    return Page(
        items=[AttentionRow(*row) for row in page.items],
        number=page.number,
        per_page=page.per_page,
        total=page.total,
    )


def _agenda_query(user: Viewer) -> Select[Any]:
    columns: list[Any] = [Hearing, Case.number.label("case_number"), User.full_name.label("lawyer")]
    return (
        select(*columns)
        .join(Case, Case.id == Hearing.case_id)
        .join(User, User.id == Case.assigned_lawyer_id)
        .where(case_condition(user), _active())
    )


@dataclass(frozen=True)
class AgendaRow:
    hearing: Hearing
    case_number: str
    lawyer_name: str


def _rows(page: Page[Any]) -> Page[AgendaRow]:
    return Page(
        items=[AgendaRow(*row) for row in page.items],
        number=page.number,
        per_page=page.per_page,
        total=page.total,
    )


def overdue_page(
    session: Session, user: Viewer, today: date, raw_page: str | None
) -> Page[AgendaRow]:
    """Hearings and deadlines past and not marked done, oldest first."""
    query = (
        _agenda_query(user)
        .where(Hearing.done.is_(False), Hearing.due_on < today)
        .order_by(Hearing.due_on, Hearing.id)
    )
    return _rows(paginate(session, query, raw_page))


def upcoming_page(
    session: Session, user: Viewer, today: date, raw_page: str | None
) -> Page[AgendaRow]:
    """What is due from today to the end of the window, done or not, soonest first.

    Done or not, the window is a range of ``ix_hearing_due_on`` (due_on, id), not of the
    not-done indexes (``tests/test_scoped_plans.py``).
    """
    query = (
        _agenda_query(user)
        .where(Hearing.due_on >= today, Hearing.due_on <= window_end(today))
        .order_by(Hearing.due_on, Hearing.id)
    )
    return _rows(paginate(session, query, raw_page))


@dataclass(frozen=True)
class TaskRow:
    task: CaseTask
    case_number: str
    assignee_name: str


def tasks_page(session: Session, user: Viewer, today: date, raw_page: str | None) -> Page[TaskRow]:
    """Tasks not done of the user's active cases, overdue ones and those due to the end of
    the window, soonest first (whoever they are for: she sees the case)."""
    columns: list[Any] = [
        CaseTask,
        Case.number.label("case_number"),
        User.full_name.label("assignee"),
    ]
    query = (
        select(*columns)
        .join(Case, Case.id == CaseTask.case_id)
        .join(User, User.id == CaseTask.assignee_id)
        .where(
            case_condition(user),
            _active(),
            CaseTask.done.is_(False),
            CaseTask.due_on <= window_end(today),
        )
        .order_by(CaseTask.due_on, CaseTask.id)
    )
    page: Page[Any] = paginate(session, query, raw_page)
    return Page(
        items=[TaskRow(*row) for row in page.items],
        number=page.number,
        per_page=page.per_page,
        total=page.total,
    )

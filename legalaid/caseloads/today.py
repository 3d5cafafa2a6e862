"""A lawyer's and a manager's work of today, for their home page: counts in SQL, in scope.

Every count goes through :func:`legalaid.cases.scope.case_condition` (her assigned cases;
her clinic's), so nobody else's cases can ever be counted. Operational counts, not
statistics: the manager's live counts of her clinic are :mod:`legalaid.caseloads.operational`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.caseloads.queries import ACTIVE_STATUSES
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.casework.models import Hearing
from legalaid.referrals.models import Referral
from legalaid.viewer import Viewer

#: "This week": today and the six days after it.
WEEK_DAYS = 7
#: How many of the week's hearings and deadlines the home page lists by name of case.
WEEK_LISTED = 10


@dataclass(frozen=True)
class WeekItem:
    case_id: int
    case_number: str
    due_on: date
    kind: str


@dataclass(frozen=True)
class CaseworkToday:
    hearings_this_week: int
    overdue: int
    high_risk_open: int
    referrals_waiting: int
    intakes_waiting: int
    week: list[WeekItem]


def casework_today(session: Session, user: Viewer, today: date) -> CaseworkToday:
    scope = case_condition(user)
    active = Case.status.in_(ACTIVE_STATUSES)
    week_end = today + timedelta(days=WEEK_DAYS - 1)
    pending = (
        select(Hearing.id)
        .join(Case, Case.id == Hearing.case_id)
        .where(scope, active, Hearing.done.is_(False))
    )
    this_week = pending.where(Hearing.due_on >= today, Hearing.due_on <= week_end)
    counts = session.execute(
        select(
            select(func.count()).select_from(this_week.subquery()).scalar_subquery(),
            select(func.count())
            .select_from(pending.where(Hearing.due_on < today).subquery())
            .scalar_subquery(),
            select(func.count())
            .select_from(Case)
            .where(scope, Case.status == "open", Case.risk_level == "high")
            .scalar_subquery(),
            select(func.count())
            .select_from(Referral)
            .join(Case, Case.id == Referral.case_id)
            .where(scope, active, Referral.status == "sent")
            .scalar_subquery(),
            select(func.count())
            .select_from(Case)
            .where(scope, Case.status == "intake")
            .scalar_subquery(),
        )
    ).one()
    week = [
        WeekItem(case_id=row[0], case_number=row[1], due_on=row[2], kind=row[3])
        for row in session.execute(
            select(Case.id, Case.number, Hearing.due_on, Hearing.kind)
            .join(Case, Case.id == Hearing.case_id)
            .where(
                scope,
                active,
                Hearing.done.is_(False),
                Hearing.due_on >= today,
                Hearing.due_on <= week_end,
            )
            .order_by(Hearing.due_on, Hearing.id)
            .limit(WEEK_LISTED)
        )
    ]
    numbers = [int(value or 0) for value in counts]
    return CaseworkToday(
        hearings_this_week=numbers[0],
        overdue=numbers[1],
        high_risk_open=numbers[2],
        referrals_waiting=numbers[3],
        intakes_waiting=numbers[4],
        week=week,
    )

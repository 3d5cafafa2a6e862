"""A manager's live operational counts of her own clinic, for the dashboard.

These are not statistics for reporting: they are today's work of one clinic, shown to
its manager only (who sees every case of it anyway). The task force never gets them: it
sees releases only. Every count is an SQL aggregate bound to the user's record scope
(:func:`legalaid.cases.scope.case_condition`, :func:`legalaid.trainings.scope
.session_condition`), so nobody else's cases can ever be counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from legalaid.caseloads.queries import ACTIVE_STATUSES, WINDOW_DAYS, window_end
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.casework.models import Hearing
from legalaid.indicators.periods import quarter
from legalaid.trainings.models import TrainingSession
from legalaid.trainings.scope import session_condition
from legalaid.viewer import Viewer


@dataclass(frozen=True)
class OperationalCounts:
    as_of: date
    window_days: int
    #: Cases in intake or open.
    not_closed: int
    #: Intakes not yet opened (nor declined).
    intakes_waiting: int
    #: Cases not closed whose risk is high.
    high_risk: int
    #: Hearings and deadlines of cases not closed, past and not marked done.
    overdue: int
    #: Hearings and deadlines of cases not closed, due from today to the window's end.
    coming_up: int
    #: Training sessions of the clinic starting in the current quarter.
    trainings_this_quarter: int
    quarter_code: str


def live_counts(session: Session, user: Viewer, today: date) -> OperationalCounts | None:
    """The counts for a manager's own clinic; None for anyone else."""
    if user is None or user.role != "manager" or user.clinic_id is None:
        return None
    scope = case_condition(user)
    active = Case.status.in_(ACTIVE_STATUSES)
    cases = session.execute(
        select(
            func.count(),
            func.count(case((Case.status == "intake", 1))),
            func.count(case((Case.risk_level == "high", 1))),
        ).where(scope, active)
    ).one()
    hearings = session.execute(
        select(
            func.count(case((Hearing.due_on < today, 1))),
            func.count(
                case((and_(Hearing.due_on >= today, Hearing.due_on <= window_end(today)), 1))
            ),
        )
        .select_from(Hearing)
        .join(Case, Case.id == Hearing.case_id)
        .where(scope, active, Hearing.done.is_(False), Hearing.due_on <= window_end(today))
    ).one()
    current = quarter(today.year, (today.month - 1) // 3 + 1)
    trainings = session.scalar(
        select(func.count())
        .select_from(TrainingSession)
        .where(
            session_condition(user),
            TrainingSession.starts_on >= current.start,
            TrainingSession.starts_on <= current.end,
        )
    )
    return OperationalCounts(
        as_of=today,
        window_days=WINDOW_DAYS,
        not_closed=int(cases[0]),
        intakes_waiting=int(cases[1]),
        high_risk=int(cases[2]),
        overdue=int(hearings[0]),
        coming_up=int(hearings[1]),
        trainings_this_quarter=int(trainings or 0),
        quarter_code=current.code,
    )

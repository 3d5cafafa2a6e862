"""The formulas of the client-satisfaction indicator, from the anonymous feedback.

An answer keeps only its clinic, quarter and category of service (legalaid/feedback):
it belongs to the quarter in which it was given. Answers are not clients' records, so
statistics consent does not apply (nothing in them points at a client).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, func
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause

from legalaid.clinics.models import Clinic
from legalaid.feedback.models import FeedbackResponse
from legalaid.indicators.by_quarter import QUARTER
from legalaid.indicators.dimensions import CLINIC
from legalaid.indicators.measures import Measure, Row, Scope, Within, grouped_counts, in_scope
from legalaid.indicators.periods import Period, quarter

#: Satisfied: 4 or 5 on the five-point question.
SATISFIED = ("4", "5")


def _quarters(period: Period) -> list[str]:
    codes = []
    for year in range(period.start.year, period.end.year + 1):
        for q in range(1, 5):
            found = quarter(year, q)
            if found.start >= period.start and found.end <= period.end:
                codes.append(found.code)
    return codes


def _columns() -> dict[str, SQLColumnExpression[Any]]:
    return {
        CLINIC: Clinic.code,
        "category": FeedbackResponse.category,
        QUARTER: FeedbackResponse.quarter,
    }


def _from(dimensions: tuple[str, ...]) -> FromClause:
    from_: Any = FeedbackResponse.__table__
    if CLINIC in dimensions:
        from_ = from_.join(Clinic, Clinic.id == FeedbackResponse.clinic_id)
    result: FromClause = from_
    return result


def _filters(period: Period, scope: Scope) -> list[ColumnElement[bool]]:
    return [
        FeedbackResponse.quarter.in_(_quarters(period)),
        *in_scope(FeedbackResponse.clinic_id, scope),
    ]


def feedback_answers(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Feedback answers given during the period."""
    return grouped_counts(
        session,
        _columns(),
        dimensions,
        func.count(FeedbackResponse.id),
        _from(dimensions),
        _filters(period, scope),
    )


def feedback_satisfied(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Answers of the period that rate the help 4 or 5 out of 5."""
    return grouped_counts(
        session,
        _columns(),
        dimensions,
        func.count(FeedbackResponse.id),
        _from(dimensions),
        [*_filters(period, scope), FeedbackResponse.satisfaction.in_(SATISFIED)],
    )


FEEDBACK_TABLES = (FeedbackResponse, Clinic)

FEEDBACK_MEASURES: tuple[Measure, ...] = (
    Measure(
        "feedback_answers",
        feedback_answers,
        (CLINIC,),
        time_additive=True,
        uses_clients=False,
        unit="feedback answer",
    ),
    Measure(
        "feedback_satisfied",
        feedback_satisfied,
        (CLINIC,),
        time_additive=True,
        uses_clients=False,
        unit="feedback answer",
        within=Within("feedback_answers"),
    ),
)

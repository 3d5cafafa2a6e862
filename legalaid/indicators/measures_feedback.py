"""The formulas of the client-satisfaction indicator, from the anonymous feedback.

An answer keeps only its clinic, quarter and category of service (legalaid/feedback):
it belongs to the quarter in which it was given. Answers are not clients' records, so
statistics consent does not apply (nothing in them points at a client).

Which question LA11 counts, and which of its answers are "satisfied", is feedback policy
(``policies/feedback.toml``, ``[indicator]``): the app's own when there is one, else the
shipped file.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, SQLColumnExpression, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause

from legalaid.clinics.models import Clinic
from legalaid.feedback.models import FeedbackAnswer, FeedbackResponse
from legalaid.indicators.by_quarter import QUARTER
from legalaid.indicators.dimensions import CLINIC
from legalaid.indicators.measures import Measure, Row, Scope, Within, grouped_counts, in_scope
from legalaid.indicators.periods import Period, quarter

if TYPE_CHECKING:
    from legalaid.feedback.policy import SatisfactionRule


@cache
def _shipped_rule() -> SatisfactionRule:
    from legalaid.feedback.policy import FeedbackPolicy
    from legalaid.policy.loader import load_policy

    return load_policy(None, "feedback.toml", FeedbackPolicy).indicator


def satisfaction_rule() -> SatisfactionRule:
    if has_app_context():
        policies = current_app.extensions.get("legalaid.policies")
        if policies is not None:
            rule: SatisfactionRule = policies.feedback.indicator
            return rule
    return _shipped_rule()


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
    """Answers of the period whose answer to the policy's question counts as satisfied
    (shipped: 4 or 5 out of 5). One answer row per response and question, so a response
    counts at most once."""
    rule = satisfaction_rule()
    satisfied = select(FeedbackAnswer.response_id).where(
        FeedbackAnswer.question == rule.question,
        FeedbackAnswer.answer.in_(rule.satisfied),
    )
    return grouped_counts(
        session,
        _columns(),
        dimensions,
        func.count(FeedbackResponse.id),
        _from(dimensions),
        [*_filters(period, scope), FeedbackResponse.id.in_(satisfied)],
    )


FEEDBACK_TABLES = (FeedbackResponse, FeedbackAnswer, Clinic)

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

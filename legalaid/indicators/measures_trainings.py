"""The formulas of the training indicators (Objective 2.3), all in SQL.

Kept apart from the casework measures because they follow the storage rules of
``legalaid/trainings/models.py`` (see its docstring): officers trained are the sums of
each session's counts by sex, whether the counts were typed or recomputed from the test
sheet's rows; test scores exist only as rows. Officers are not clients: statistics
consent does not apply.

A session belongs to the period in which it starts, and to the clinic that recorded it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, func, union_all
from sqlalchemy.orm import Session, join
from sqlalchemy.sql import FromClause

from legalaid.clinics.models import Clinic
from legalaid.indicators.by_quarter import QUARTER, quarter_code
from legalaid.indicators.dimensions import CLINIC
from legalaid.indicators.measures import (
    Measure,
    Row,
    Scope,
    Within,
    grouped_counts,
    grouped_select,
    in_scope,
    run_rows,
    sql_text,
    within,
)
from legalaid.indicators.periods import Period
from legalaid.trainings.models import TrainingParticipant, TrainingSession
from legalaid.trainings.queries import IMPROVEMENT_POINTS


def _session_columns() -> dict[str, SQLColumnExpression[Any]]:
    return {
        CLINIC: Clinic.code,
        "agency": TrainingSession.agency,
        "region": TrainingSession.economic_region,
        QUARTER: quarter_code(TrainingSession.starts_on),
    }


def _with_clinic(from_: Any, dimensions: tuple[str, ...]) -> FromClause:
    if CLINIC in dimensions:
        from_ = from_.join(Clinic, Clinic.id == TrainingSession.clinic_id)
    result: FromClause = from_
    return result


def _session_filters(period: Period, scope: Scope) -> list[ColumnElement[bool]]:
    return [
        *within(TrainingSession.starts_on, period),
        *in_scope(TrainingSession.clinic_id, scope),
    ]


def training_sessions(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Sessions that started during the period."""
    return grouped_counts(
        session,
        _session_columns(),
        dimensions,
        func.count(TrainingSession.id),
        _with_clinic(TrainingSession.__table__, dimensions),
        _session_filters(period, scope),
    )


def officers_trained(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Officers (attendances) of the sessions that started during the period.

    Sex is not a column but a pair of columns (``officers_female``, ``officers_male``):
    by sex, the query is one grouped SELECT per sex joined by UNION ALL.
    """
    from_ = _with_clinic(TrainingSession.__table__, dimensions)
    where = _session_filters(period, scope)
    if "sex" not in dimensions:
        return grouped_counts(
            session,
            _session_columns(),
            dimensions,
            func.sum(TrainingSession.officers_total),
            from_,
            where,
        )
    parts = [
        grouped_select(
            {**_session_columns(), "sex": sql_text(sex)},
            dimensions,
            func.sum(column),
            from_,
            where,
        )
        for sex, column in (
            ("female", TrainingSession.officers_female),
            ("male", TrainingSession.officers_male),
        )
    ]
    return run_rows(session, union_all(*parts))


def _participants(dimensions: tuple[str, ...]) -> FromClause:
    return _with_clinic(
        join(
            TrainingParticipant,
            TrainingSession,
            TrainingParticipant.session_id == TrainingSession.id,
        ),
        dimensions,
    )


def _participant_columns() -> dict[str, SQLColumnExpression[Any]]:
    return {**_session_columns(), "sex": TrainingParticipant.sex}


def _tested() -> list[ColumnElement[bool]]:
    return [TrainingParticipant.pre_score.is_not(None), TrainingParticipant.post_score.is_not(None)]


def officers_tested(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Officers with both a pre-test and a post-test score."""
    return grouped_counts(
        session,
        _participant_columns(),
        dimensions,
        func.count(TrainingParticipant.id),
        _participants(dimensions),
        [*_session_filters(period, scope), *_tested()],
    )


def officers_improved(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Tested officers whose post-test score is at least 10 points above the pre-test."""
    return grouped_counts(
        session,
        _participant_columns(),
        dimensions,
        func.count(TrainingParticipant.id),
        _participants(dimensions),
        [
            *_session_filters(period, scope),
            *_tested(),
            TrainingParticipant.post_score - TrainingParticipant.pre_score >= IMPROVEMENT_POINTS,
        ],
    )


#: The tables these formulas read.
TRAINING_TABLES = (TrainingSession, TrainingParticipant, Clinic)

_SESSION_DIMENSIONS = (CLINIC, "agency", "region")

TRAINING_MEASURES: tuple[Measure, ...] = (
    Measure(
        "training_sessions",
        training_sessions,
        _SESSION_DIMENSIONS,
        time_additive=True,
        uses_clients=False,
        unit="training session",
    ),
    Measure(
        "officers_trained",
        officers_trained,
        (*_SESSION_DIMENSIONS, "sex"),
        time_additive=True,
        uses_clients=False,
        unit="attendance",
    ),
    Measure(
        "officers_tested",
        officers_tested,
        (*_SESSION_DIMENSIONS, "sex"),
        time_additive=True,
        uses_clients=False,
        unit="attendance",
        within=Within("officers_trained"),
    ),
    Measure(
        "officers_improved",
        officers_improved,
        (*_SESSION_DIMENSIONS, "sex"),
        time_additive=True,
        uses_clients=False,
        unit="attendance",
        within=Within("officers_tested"),
    ),
)

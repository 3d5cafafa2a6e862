"""Training figures in SQL: the list with its filters, a session's summary, the chart's points.

Everything is computed by the database within the user's scope, never by loading rows
into Python to count them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import Session

from legalaid.pagination import Page, paginate
from legalaid.trainings.models import TrainingParticipant, TrainingSession, TrainingSessionModule
from legalaid.trainings.scope import session_condition
from legalaid.viewer import Viewer
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.vocabulary.trainings import LAW_ENFORCEMENT_AGENCIES, TRAINING_MODULES

#: "Improved" in the indicators' sense: at least this many points from pre to post test.
IMPROVEMENT_POINTS = 10


@dataclass(frozen=True)
class SessionFilters:
    year: str = ""
    region: str = ""
    agency: str = ""
    module: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SessionFilters:
        """Unknown values are ignored, not refused: a list always shows something sensible."""

        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = args.get(name, "").strip()
            return value if value in allowed else ""

        year = args.get("year", "").strip()
        four_digits = len(year) == 4 and year.isascii() and year.isdigit()
        return cls(
            year=year if four_digits and 2000 <= int(year) <= 2100 else "",
            region=pick("region", ECONOMIC_REGIONS.codes),
            agency=pick("agency", LAW_ENFORCEMENT_AGENCIES.codes),
            module=pick("module", TRAINING_MODULES.codes),
        )

    @property
    def active(self) -> bool:
        return any((self.year, self.region, self.agency, self.module))


def _filtered(user: Viewer, filters: SessionFilters) -> Select[Any]:
    query = select(TrainingSession).where(session_condition(user))
    if filters.year:
        year = int(filters.year)
        query = query.where(
            TrainingSession.starts_on >= date(year, 1, 1),
            TrainingSession.starts_on < date(year + 1, 1, 1),
        )
    if filters.region:
        query = query.where(TrainingSession.economic_region == filters.region)
    if filters.agency:
        query = query.where(TrainingSession.agency == filters.agency)
    if filters.module:
        query = query.where(
            exists(
                select(TrainingSessionModule.session_id).where(
                    TrainingSessionModule.session_id == TrainingSession.id,
                    TrainingSessionModule.module == filters.module,
                )
            )
        )
    return query


@dataclass(frozen=True)
class ListTotals:
    sessions: int
    officers: int
    female: int
    male: int


def session_list_page(
    session: Session, user: Viewer, filters: SessionFilters, raw_page: str | None
) -> tuple[Page[TrainingSession], ListTotals]:
    query = _filtered(user, filters)
    sub = query.subquery()
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(sub.c.officers_total), 0),
            func.coalesce(func.sum(sub.c.officers_female), 0),
            func.coalesce(func.sum(sub.c.officers_male), 0),
        ).select_from(sub)
    ).one()
    totals = ListTotals(*(int(value or 0) for value in row))
    ordered = query.order_by(TrainingSession.starts_on.desc(), TrainingSession.id.desc())
    page: Page[TrainingSession] = paginate(session, ordered, raw_page, count=totals.sessions)
    return page, totals


def session_years(session: Session, user: Viewer) -> list[int]:
    """The years that have sessions in the user's scope, newest first (the year filter)."""
    starts = session.scalars(
        select(TrainingSession.starts_on).where(session_condition(user)).distinct()
    )
    return sorted({day.year for day in starts}, reverse=True)


@dataclass(frozen=True)
class SessionSummary:
    """A session's participants in figures. Scores exist only for officers' rows."""

    mode: str
    officers: int
    female: int
    male: int
    full_attendance: int | None
    pre_tested: int = 0
    post_tested: int = 0
    both_tested: int = 0
    average_pre: float | None = None
    average_post: float | None = None
    improved: int = 0
    improved_by_points: int = 0

    @staticmethod
    def _share(part: int | None, whole: int) -> float | None:
        return None if part is None or whole == 0 else part / whole

    @property
    def full_attendance_share(self) -> float | None:
        return self._share(self.full_attendance, self.officers)

    @property
    def improved_share(self) -> float | None:
        return self._share(self.improved, self.both_tested)

    @property
    def improved_by_points_share(self) -> float | None:
        return self._share(self.improved_by_points, self.both_tested)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def session_summary(session: Session, training: TrainingSession) -> SessionSummary:
    if training.participation_mode == "counts":
        return SessionSummary(
            mode="counts",
            officers=training.officers_total,
            female=training.officers_female,
            male=training.officers_male,
            full_attendance=training.officers_full_attendance,
        )
    p = TrainingParticipant
    both = and_(p.pre_score.is_not(None), p.post_score.is_not(None))
    row = session.execute(
        select(
            func.count(),
            _count_if(p.sex == "female"),
            _count_if(p.sex == "male"),
            _count_if(p.attended_full.is_(True)),
            func.count(p.pre_score),
            func.count(p.post_score),
            _count_if(both),
            # Averages over the officers with that score (AVG ignores NULL); AVG of an
            # integer column is a fraction on both backends (PostgreSQL gives NUMERIC).
            func.avg(p.pre_score),
            func.avg(p.post_score),
            _count_if(and_(both, p.post_score > p.pre_score)),
            _count_if(and_(both, p.post_score - p.pre_score >= IMPROVEMENT_POINTS)),
        ).where(p.session_id == training.id)
    ).one()
    return SessionSummary(
        mode="rows",
        officers=int(row[0]),
        female=int(row[1]),
        male=int(row[2]),
        full_attendance=int(row[3]),
        pre_tested=int(row[4]),
        post_tested=int(row[5]),
        both_tested=int(row[6]),
        average_pre=None if row[7] is None else float(row[7]),
        average_post=None if row[8] is None else float(row[8]),
        improved=int(row[9]),
        improved_by_points=int(row[10]),
    )


@dataclass(frozen=True)
class ScorePoint:
    pre: int
    post: int
    officers: int


def score_points(session: Session, training: TrainingSession) -> list[ScorePoint]:
    """Officers with both scores, grouped by (pre, post): the chart's points."""
    p = TrainingParticipant
    rows = session.execute(
        select(p.pre_score, p.post_score, func.count())
        .where(p.session_id == training.id, p.pre_score.is_not(None), p.post_score.is_not(None))
        .group_by(p.pre_score, p.post_score)
        .order_by(p.pre_score, p.post_score)
    ).all()
    # Both scores are NOT NULL here (the WHERE above).
    return [ScorePoint(int(pre or 0), int(post or 0), int(n)) for pre, post, n in rows]

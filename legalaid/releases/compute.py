"""Which tables a release holds, and computing them with each GROUP BY run once.

A release of a period holds every catalogued table of that period and of the periods it
is made of (a year's four quarters; the plan to date's quarters and whole years), so the
dashboard can draw quarters from the release itself, and disclosure control protects the
quarters and their year together.

Tables of different layouts share margins (every layout of a measure has the same grand
total), and two indicators may share a measure (a share's denominator is often another
indicator), and quarters add up to their year: :mod:`legalaid.releases.counting` runs each
GROUP BY once per release and sums the rest from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlalchemy.orm import Session

from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.indicators.catalogue import MEASURES, IndicatorCatalogue
from legalaid.indicators.measures import Measure, Row, Scope
from legalaid.indicators.periods import Period
from legalaid.indicators.tables import Table, build_table, clinics_dimension, dimension_named
from legalaid.releases.counting import ReleaseCounts, release_periods


class TableSpec(NamedTuple):
    """One table of a release; order: period, measure, layout (deterministic)."""

    period: Period
    measure: str
    layout: tuple[str, ...]


@dataclass(frozen=True)
class ReleasePlan:
    tables: tuple[TableSpec, ...]
    #: A share's numerator measure -> its denominator measure.
    bounded_by: dict[str, str]


def plan_release(catalogue: IndicatorCatalogue, period: Period, *, clinic: bool) -> ReleasePlan:
    specs: set[TableSpec] = set()
    bounded_by: dict[str, str] = {}
    for indicator in catalogue.indicator:
        if indicator.denominator is not None:
            bounded_by[indicator.measure] = indicator.denominator
        for layout in indicator.layouts(clinic_scope=clinic):
            for measure in indicator.measures:
                for part in release_periods(period):
                    specs.add(TableSpec(part, measure, layout))
    return ReleasePlan(tuple(sorted(specs)), bounded_by)


class _Counted:
    """A measure whose counts come from the release's :class:`ReleaseCounts`."""

    def __init__(self, measure: Measure, counts: ReleaseCounts) -> None:
        self.measure = measure
        self.counts = counts

    def __call__(
        self,
        session: Session,
        period: Period,
        scope: Scope,
        dimensions: tuple[str, ...],
        *,
        consent_required: bool,
    ) -> list[Row]:
        return self.counts.count(
            self.measure, period, scope, dimensions, consent_required=consent_required
        )


def compute_tables(
    session: Session,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    period: Period,
    scope: Scope,
    *,
    counts: ReleaseCounts | None = None,
    on_table: Callable[[], None] | None = None,
) -> tuple[Table, ...]:
    """Every table of the release, with true counts (before disclosure control).

    ``counts`` keeps the answers of the GROUP BYs, to share them between several calls
    in one transaction (a release and the recount of the earlier releases it overlaps).
    ``on_table`` is called after each table (a release job's progress).
    """
    plan = plan_release(catalogue, period, clinic=scope.clinic_id is not None)
    clinics = clinics_dimension(session)
    if counts is None:
        counts = ReleaseCounts(session, catalogue, period)
    counted = {
        name: replace(measure, count=_Counted(measure, counts))
        for name, measure in MEASURES.items()
    }
    tables: list[Table] = []
    for spec in plan.tables:
        tables.append(
            build_table(
                session,
                counted[spec.measure],
                tuple(dimension_named(name, clinics) for name in spec.layout),
                spec.period,
                scope,
                consent_required=policy.require_statistics_consent
                and counted[spec.measure].uses_clients,
                clinics=clinics,
                bounded_by=plan.bounded_by.get(spec.measure),
            )
        )
        if on_table is not None:
            on_table()
    return tuple(tables)

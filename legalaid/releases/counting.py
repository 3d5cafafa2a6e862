"""The counts of a release, with as few GROUP BYs as the tables allow.

A release holds many tables that share counts. Asking the database once per table and
margin would scan the same rows dozens of times, so one :class:`ReleaseCounts` answers
every count of a release (and of the earlier releases it recounts) from a few queries:

- **Time**: a measure that adds up over time is asked once, grouped by the quarter of its
  event date, over the whole span released; a quarter, a year or the plan to date is then
  the sum of its quarters. Distinct clients do not add up over time (a client served in
  two quarters is one client of their year): they are asked once for every period the
  span releases (its quarters, years and itself), in one statement that reads the cases
  once and counts each period's clients apart (:attr:`Measure.count_periods`).
- **Margins**: a table's margins, and the tables by one dimension, are sums of a finer
  GROUP BY where the dimensions summed over are additive (every unit in exactly one
  category): the clinics by clinic are the sum over gender identities of the clients
  by clinic and gender identity. A measure's tables by additive dimensions are all
  summed from one GROUP BY over all their dimensions, as long as it has few enough
  categories (:func:`merge_sources`). Key populations are not additive (one client,
  several groups) and are never summed over; their breakdowns come from their own
  GROUP BY.

The sums run over rows the database has already grouped (one per combination of
categories and quarter, at most :data:`MERGE_LIMIT` per quarter); no client, case or
session comes back to Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy.orm import Session

from legalaid.indicators.by_quarter import QUARTER
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.indicators.dimensions import STATIC_DIMENSIONS, Dimension
from legalaid.indicators.measures import PERIOD, Measure, Row, Scope
from legalaid.indicators.periods import Period
from legalaid.indicators.tables import clinics_dimension, dimension_named

Dims = tuple[str, ...]
Counts = dict[tuple[str, ...], int]

#: The most categories one merged statement may group by (rows it may return per period).
MERGE_LIMIT = 60_000


def release_periods(period: Period) -> tuple[Period, ...]:
    """The period and the released periods it is made of, in order."""
    parts = {part for partition in period.partitions for part in partition}
    return tuple(sorted({period, *parts}))


def _additive(name: str) -> bool:
    dimension = STATIC_DIMENSIONS.get(name)
    return dimension is None or dimension.additive  # the clinic dimension adds up


def sums_to(finer: Dims, coarser: Dims) -> bool:
    """``coarser`` is ``finer`` with additive dimensions summed out."""
    return set(coarser) <= set(finer) and all(
        _additive(name) for name in finer if name not in coarser
    )


def project(counts: Counts, source: Dims, dims: Dims) -> Counts:
    """Sum the rows of ``source`` into the categories of ``dims``."""
    positions = [source.index(name) for name in dims]
    summed: dict[tuple[str, ...], int] = defaultdict(int)
    for categories, count in counts.items():
        summed[tuple(categories[i] for i in positions)] += count
    return dict(summed)


class ReleaseCounts:
    """Every count of one release, each GROUP BY run once.

    ``span`` is the period released: the quarter-grouped queries cover it, and the
    distinct clients are asked for all its released periods at once, so all its parts
    share them. A period outside it (an earlier release recounted) gets queries of its
    own.
    """

    def __init__(self, session: Session, catalogue: IndicatorCatalogue, span: Period) -> None:
        self.session = session
        self.span = span
        self._span_periods = release_periods(span)
        self._layouts = _layouts_by_measure(catalogue)
        self._merged: dict[tuple[str, bool], list[Dims]] = {}
        self._clinics: Dimension | None = None
        self._answers: dict[tuple[object, ...], Counts] = {}
        #: Per measure, period, scope, source statement and consent: its sums so far.
        self._projections: dict[tuple[object, ...], dict[Dims, Counts]] = {}

    def count(
        self,
        measure: Measure,
        period: Period,
        scope: Scope,
        dimensions: Dims,
        *,
        consent_required: bool,
    ) -> list[Row]:
        source = self.source_of(measure.name, scope, dimensions)
        key = (measure.name, period, scope, source, consent_required)
        if key not in self._projections:
            counts = self._of_period(measure, period, scope, source, consent_required)
            self._projections[key] = {source: counts}
        known = self._projections[key]
        if dimensions not in known:
            # From the smallest sum already made that holds it: few rows to add up.
            finer = min(
                (dims for dims in known if sums_to(dims, dimensions)),
                key=lambda dims: (len(known[dims]), dims),
            )
            known[dimensions] = project(known[finer], finer, dimensions)
        return sorted(known[dimensions].items())

    def _of_period(
        self, measure: Measure, period: Period, scope: Scope, source: Dims, consent_required: bool
    ) -> Counts:
        """The counts of ``source`` in one period, from the statement that holds them."""
        if measure.time_additive and _whole_quarters(period):
            covering = self.span if _covers(self.span, period) else period
            by_quarter = self._ask(
                measure, covering, scope, (QUARTER, *source), consent_required=consent_required
            )
            wanted = {part.code for part in period.quarters}
            counts: Counts = defaultdict(int)
            for (quarter, *categories), count in by_quarter.items():
                if quarter in wanted:
                    counts[tuple(categories)] += count
            return dict(counts)
        if measure.count_periods is not None and period in self._span_periods:
            by_period = self._ask(
                measure,
                self._span_periods,
                scope,
                (PERIOD, *source),
                consent_required=consent_required,
            )
            return {
                tuple(categories): count
                for (code, *categories), count in by_period.items()
                if code == period.code
            }
        return self._ask(measure, period, scope, source, consent_required=consent_required)

    def source_of(self, measure: str, scope: Scope, dimensions: Dims) -> Dims:
        """The statement ``dimensions`` is summed from (itself if none)."""
        for source in self._sources(measure, scope.clinic_id is not None):
            if sums_to(source, dimensions):
                return source
        return dimensions

    def _sources(self, measure: str, clinic_scope: bool) -> list[Dims]:
        key = (measure, clinic_scope)
        if key not in self._merged:
            if self._clinics is None:
                self._clinics = clinics_dimension(self.session)
            self._merged[key] = merge_sources(self._layouts.get(key, []), self._clinics)
        return self._merged[key]

    def _ask(
        self,
        measure: Measure,
        when: Period | tuple[Period, ...],
        scope: Scope,
        dimensions: Dims,
        *,
        consent_required: bool,
    ) -> Counts:
        """One GROUP BY, run once: of one period, or of several (``count_periods``)."""
        key = (measure.name, when, scope, dimensions, consent_required)
        if key not in self._answers:
            if isinstance(when, Period):
                rows = measure.count(
                    self.session, when, scope, dimensions, consent_required=consent_required
                )
            elif measure.count_periods is None:
                raise ValueError(f"{measure.name} is asked one period at a time")
            else:
                rows = measure.count_periods(
                    self.session, when, scope, dimensions[1:], consent_required=consent_required
                )
            self._answers[key] = dict(rows)
        return self._answers[key]


def _layouts_by_measure(catalogue: IndicatorCatalogue) -> dict[tuple[str, bool], list[Dims]]:
    """Each measure's catalogued tables that no other one sums to, finest first.

    Summing from the finest table that holds a count means fewer queries; the order is
    fixed (most dimensions, then by name), so the same release always runs the same ones.
    """
    found: dict[tuple[str, bool], set[Dims]] = defaultdict(set)
    for indicator in catalogue.indicator:
        for clinic_scope in (False, True):
            for measure in indicator.measures:
                found[(measure, clinic_scope)].update(indicator.layouts(clinic_scope=clinic_scope))
    return {key: _finest(layouts) for key, layouts in found.items()}


def _finest(layouts: Iterable[Dims]) -> list[Dims]:
    ordered = sorted(set(layouts), key=lambda dims: (-len(dims), dims))
    return [
        layout
        for layout in ordered
        if not any(other != layout and sums_to(other, layout) for other in ordered)
    ]


def merge_sources(layouts: list[Dims], clinics: Dimension) -> list[Dims]:
    """The statements that give a measure's tables: additive tables merged.

    Tables by additive dimensions only are sums of one finer GROUP BY over all their
    dimensions, as long as it has few categories (at most :data:`MERGE_LIMIT` in all,
    so that few rows come back); a table by key populations keeps its own. Fixed order:
    the same release always runs the same statements.
    """
    merged: list[Dims] = []
    for layout in layouts:
        if not all(_additive(name) for name in layout):
            merged.append(layout)
            continue
        for number, group in enumerate(merged):
            union = (*group, *(name for name in layout if name not in group))
            if all(_additive(name) for name in group) and _cells(union, clinics) <= MERGE_LIMIT:
                merged[number] = union
                break
        else:
            merged.append(layout)
    return merged


def _cells(dimensions: Dims, clinics: Dimension) -> int:
    return math.prod(len(dimension_named(name, clinics).categories) for name in dimensions)


def _whole_quarters(period: Period) -> bool:
    quarters = period.quarters
    return bool(quarters) and quarters[0].start == period.start and quarters[-1].end == period.end


def _covers(span: Period, period: Period) -> bool:
    return span.start <= period.start and period.end <= span.end and _whole_quarters(span)

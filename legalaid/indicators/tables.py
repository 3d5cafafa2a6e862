"""Tables of counts with their margins, as disclosure control sees them.

A table is a measure for one period, in one scope (the nation or one clinic), broken
down by zero, one or two dimensions. Its cells are keyed by one category per dimension,
where :data:`TOTAL` stands for "all categories" (the margins and the grand total). Every
key exists, zeros included, and keys come in one fixed order, so the same data always
give the same table.

Each cell is also one *statistic* (:class:`CellId`): the measure, the period and the
categories it fixes, the clinic of a clinic's table included. Two tables that show the
same statistic (a national table by clinic, and that clinic's own table) share the cell;
that is how disclosure control sees the links between the tables of a release.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import NamedTuple, Protocol

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.clinics.models import Clinic
from legalaid.errors import DomainError
from legalaid.indicators.catalogue import MEASURES, Indicator, IndicatorCatalogue
from legalaid.indicators.dimensions import CLINIC, STATIC_DIMENSIONS, Dimension, clinic_dimension
from legalaid.indicators.measures import NATIONAL, Measure, Scope
from legalaid.indicators.periods import Period, parse_period

#: The category of a margin: every category of that dimension together.
TOTAL = "_total"

Key = tuple[str, ...]


class CountingRules(Protocol):
    """What counting reads of the disclosure policy (``disclosure.policy.DisclosurePolicy``)."""

    @property
    def data_entry_lag_days(self) -> int: ...

    @property
    def require_statistics_consent(self) -> bool: ...


class NotCataloguedError(DomainError):
    """A table the catalogue does not define (same answer as a missing page)."""

    status_code = 404


class CellId(NamedTuple):
    """One statistic: what is counted, when, and for which categories."""

    measure: str
    period: Period
    coords: tuple[tuple[str, str], ...]  # (dimension, category), sorted by dimension

    def fixes(self, dimension: str) -> bool:
        return any(name == dimension for name, _ in self.coords)

    def with_category(self, dimension: str, category: str) -> CellId:
        return self._replace(coords=tuple(sorted((*self.coords, (dimension, category)))))

    def with_period(self, period: Period) -> CellId:
        return self._replace(period=period)

    def describe(self) -> str:
        """For operators' messages: codes only, never anything about a person."""
        where = ", ".join(f"{name}={category}" for name, category in self.coords) or "total"
        return f"{self.measure} {self.period.code} ({where})"


@dataclass(frozen=True, eq=False)
class Table:
    measure: str
    period: Period
    dimensions: tuple[Dimension, ...]
    values: Mapping[Key, int]
    #: Categories fixed by the scope: a clinic's table has ((clinic dimension, code),).
    scope: tuple[tuple[Dimension, str], ...] = ()
    #: Quarters add up to the year (False for distinct people).
    time_additive: bool = True
    #: A measure that is at least this one, cell by cell (a share's denominator).
    bounded_by: str | None = None

    def __post_init__(self) -> None:
        expected = set(self.cell_keys())
        if set(self.values) != expected:
            raise ValueError(f"{self.measure}: the table's cells do not match its categories")
        if any(value < 0 for value in self.values.values()):
            raise ValueError(f"{self.measure}: a count cannot be negative")
        self._check_margins()

    def _check_margins(self) -> None:
        """Margins must be what they claim: a sum, or for several-valued dimensions a cover.

        A formula that counted a unit twice would otherwise reach disclosure control with
        totals that contradict the audit's equations.
        """
        for key in self.cell_keys():
            for position, dimension in enumerate(self.dimensions):
                if key[position] != TOTAL:
                    continue
                parts = [
                    self.values[(*key[:position], category, *key[position + 1 :])]
                    for category in dimension.categories
                ]
                total = self.values[key]
                if dimension.additive and sum(parts) != total:
                    raise ValueError(f"{self.measure}: {dimension.name} does not add up")
                if not dimension.additive and not max(parts, default=0) <= total <= sum(parts):
                    raise ValueError(f"{self.measure}: {dimension.name} does not cover the total")

    def cell_keys(self) -> tuple[Key, ...]:
        """Every cell: categories in vocabulary order, the margin last in each dimension."""
        return tuple(product(*((*dimension.categories, TOTAL) for dimension in self.dimensions)))

    def cell_id(self, key: Key) -> CellId:
        coords = [(dimension.name, code) for dimension, code in self.scope]
        coords += [
            (dimension.name, category)
            for dimension, category in zip(self.dimensions, key, strict=True)
            if category != TOTAL
        ]
        return CellId(self.measure, self.period, tuple(sorted(coords)))

    def cells(self) -> Iterator[tuple[Key, CellId, int]]:
        for key in self.cell_keys():
            yield key, self.cell_id(key), self.values[key]

    @property
    def all_dimensions(self) -> tuple[Dimension, ...]:
        return (*(dimension for dimension, _ in self.scope), *self.dimensions)

    @classmethod
    def from_counts(
        cls,
        measure: str,
        period: Period,
        dimensions: tuple[Dimension, ...],
        counts: Mapping[Key, int],
        *,
        scope: tuple[tuple[Dimension, str], ...] = (),
        time_additive: bool = True,
        bounded_by: str | None = None,
    ) -> Table:
        """A table from its inner cells, the margins summed (additive dimensions only)."""
        if not all(dimension.additive for dimension in dimensions):
            raise ValueError("margins of a several-valued dimension cannot be summed")
        values: dict[Key, int] = {}
        for key in product(*((*d.categories, TOTAL) for d in dimensions)):
            values[key] = sum(
                count
                for inner, count in counts.items()
                if all(k in (TOTAL, c) for k, c in zip(key, inner, strict=True))
            )
        return cls(
            measure,
            period,
            dimensions,
            values,
            scope=scope,
            time_additive=time_additive,
            bounded_by=bounded_by,
        )


def clinics_dimension(session: Session) -> Dimension:
    return clinic_dimension(list(session.scalars(select(Clinic.code))))


def build_table(
    session: Session,
    measure: Measure,
    dimensions: tuple[Dimension, ...],
    period: Period,
    scope: Scope,
    *,
    consent_required: bool,
    clinics: Dimension,
    bounded_by: str | None = None,
) -> Table:
    """Run the measure once per margin (every subset of the dimensions) and fill the table.

    Each margin is its own GROUP BY rather than a sum of cells: for distinct clients and
    several-valued dimensions a margin is not the sum of its cells.
    """
    names = tuple(dimension.name for dimension in dimensions)
    values: dict[Key, int] = dict.fromkeys(
        product(*((*d.categories, TOTAL) for d in dimensions)), 0
    )
    for mask in product((True, False), repeat=len(dimensions)):
        asked = tuple(name for name, used in zip(names, mask, strict=True) if used)
        rows = measure.count(session, period, scope, asked, consent_required=consent_required)
        for categories, count in rows:
            given = iter(categories)
            key = tuple(next(given) if used else TOTAL for used in mask)
            if key not in values:
                raise ValueError(f"{measure.name}: unexpected category in {key}")
            values[key] = count
    scoped: tuple[tuple[Dimension, str], ...] = ()
    if scope.clinic_id is not None:
        clinic = session.get(Clinic, scope.clinic_id)
        if clinic is None:
            raise NotCataloguedError(_("This table is not available."))
        scoped = ((clinics, clinic.code),)
    return Table(
        measure.name,
        period,
        dimensions,
        values,
        scope=scoped,
        time_additive=measure.time_additive,
        bounded_by=bounded_by,
    )


def dimension_named(name: str, clinics: Dimension) -> Dimension:
    return clinics if name == CLINIC else STATIC_DIMENSIONS[name]


def indicator_tables(
    session: Session,
    catalogue: IndicatorCatalogue,
    policy: CountingRules,
    *,
    code: str,
    period_code: str,
    today: date,
    scope: Scope = NATIONAL,
) -> tuple[Table, ...]:
    """Every table the catalogue defines for one indicator, period and scope.

    Refused unless the indicator is catalogued and the period complete (data-entry lag
    included). For a share: the numerator's tables, then the denominator's; the share
    itself is computed from the published counts after disclosure control.
    """
    indicator = catalogue.get(code)
    if indicator is None:
        raise NotCataloguedError(_("This table is not available."))
    layouts = indicator.layouts(clinic_scope=scope.clinic_id is not None)
    period = parse_period(period_code, today, policy.data_entry_lag_days)
    return tuple(
        _indicator_table(session, indicator, policy, measure_name, layout, period, scope)
        for measure_name in indicator.measures
        for layout in layouts
    )


def catalogued_table(
    session: Session,
    catalogue: IndicatorCatalogue,
    policy: CountingRules,
    *,
    code: str,
    layout: tuple[str, ...],
    period_code: str,
    today: date,
    scope: Scope = NATIONAL,
) -> Table:
    """One table asked for by name: refused unless catalogued and its period complete.

    The only way to ask for a single table, so nobody can ask for a breakdown or a date
    range that the catalogue and the disclosure policy have not agreed to.
    """
    indicator = catalogue.get(code)
    if indicator is None or layout not in indicator.layouts(
        clinic_scope=scope.clinic_id is not None
    ):
        raise NotCataloguedError(_("This table is not available."))
    period = parse_period(period_code, today, policy.data_entry_lag_days)
    return _indicator_table(session, indicator, policy, indicator.measure, layout, period, scope)


def _indicator_table(
    session: Session,
    indicator: Indicator,
    policy: CountingRules,
    measure_name: str,
    layout: tuple[str, ...],
    period: Period,
    scope: Scope,
) -> Table:
    clinics = clinics_dimension(session)
    measure = MEASURES[measure_name]
    return build_table(
        session,
        measure,
        tuple(dimension_named(name, clinics) for name in layout),
        period,
        scope,
        consent_required=policy.require_statistics_consent and measure.uses_clients,
        clinics=clinics,
        bounded_by=indicator.denominator if measure_name == indicator.measure else None,
    )

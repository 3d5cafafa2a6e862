"""A release frozen as JSON, and read back.

``content`` (what may be shown) and ``truth`` (the true counts, kept encrypted for
disclosure control only) list the same tables in the same order; inside a table, cells
follow :meth:`Table.cell_keys`, so keys are not stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import product
from typing import Any

from legalaid.disclosure.audit import Published, Superseded
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import Protection, ShareCell, shares
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.indicators.dimensions import Dimension
from legalaid.indicators.periods import Period
from legalaid.indicators.tables import TOTAL, CellId, Key, Table

FORMAT = 1
SUPPRESSED = "suppressed"


def _period(period: Period) -> dict[str, str]:
    return {
        "code": period.code,
        "kind": period.kind,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def _dimension(dimension: Dimension) -> dict[str, Any]:
    return {
        "name": dimension.name,
        "categories": list(dimension.categories),
        "additive": dimension.additive,
    }


def freeze(
    protection: Protection,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    *,
    period: Period,
    clinic_code: str | None,
) -> tuple[str, str]:
    """(content, truth) as JSON text."""
    tables: list[dict[str, Any]] = []
    truth: list[list[int]] = []
    for protected in protection.tables:
        table = protected.table
        keys = table.cell_keys()
        tables.append(
            {
                "measure": table.measure,
                "period": _period(table.period),
                "dimensions": [_dimension(d) for d in table.dimensions],
                "scope": [{**_dimension(d), "code": code} for d, code in table.scope],
                "time_additive": table.time_additive,
                "bounded_by": table.bounded_by,
                "values": [protected.cells[key].value for key in keys],
                # Only "published" or "suppressed": which suppressed cells were small
                # (primary) is itself a disclosure (it bounds them to 1..k-1).
                "statuses": [
                    "published" if protected.cells[key].status == "published" else SUPPRESSED
                    for key in keys
                ],
            }
        )
        truth.append([table.values[key] for key in keys])
    present = {
        (table.measure, tuple(d.name for d in table.dimensions))
        for table in (protected.table for protected in protection.tables)
    }
    indicators = [
        {
            "code": indicator.code,
            "unit": indicator.unit,
            "measure": indicator.measure,
            "denominator": indicator.denominator,
            "layouts": [
                list(layout)
                for layout in indicator.layouts(clinic_scope=clinic_code is not None)
                if (indicator.measure, layout) in present
            ],
        }
        for indicator in catalogue.indicator
        if indicator.layouts(clinic_scope=clinic_code is not None)
    ]
    content = {
        "format": FORMAT,
        "period": _period(period),
        "scope": {"kind": "clinic", "code": clinic_code} if clinic_code else {"kind": "national"},
        "policy": {
            "k": policy.k,
            "show_zero": policy.show_zero,
            "rounding": policy.rounding,
            "require_statistics_consent": policy.require_statistics_consent,
        },
        "indicators": indicators,
        "tables": tables,
    }
    compact = {"separators": (",", ":"), "sort_keys": True}
    return json.dumps(content, **compact), json.dumps(truth, **compact)  # type: ignore[arg-type]


def _read_period(data: dict[str, str]) -> Period:
    return Period(
        date.fromisoformat(data["start"]),
        date.fromisoformat(data["end"]),
        data["kind"],
        data["code"],
    )


def _shown(status: str) -> str:
    """Only published or suppressed, also for a release stored with the reasons."""
    return status if status == "published" else SUPPRESSED


def _read_dimension(data: dict[str, Any]) -> Dimension:
    return Dimension(data["name"], tuple(data["categories"]), bool(data["additive"]))


@dataclass(frozen=True, eq=False)
class PublishedTable:
    """One table as published: a count, or None where suppressed."""

    measure: str
    period: Period
    dimensions: tuple[Dimension, ...]
    scope: tuple[tuple[Dimension, str], ...]
    time_additive: bool
    bounded_by: str | None
    values: dict[Key, int | None]
    #: "published" or "suppressed" (never why: see :func:`freeze`).
    statuses: dict[Key, str]

    @property
    def layout(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    def cell_keys(self) -> tuple[Key, ...]:
        return tuple(product(*((*d.categories, TOTAL) for d in self.dimensions)))

    def value(self, key: Key) -> int | None:
        return self.values[key]

    @property
    def total(self) -> int | None:
        return self.values[tuple(TOTAL for _ in self.dimensions)]


def _read_table(data: dict[str, Any]) -> PublishedTable:
    dimensions = tuple(_read_dimension(d) for d in data["dimensions"])
    keys = tuple(product(*((*d.categories, TOTAL) for d in dimensions)))
    return PublishedTable(
        measure=data["measure"],
        period=_read_period(data["period"]),
        dimensions=dimensions,
        scope=tuple((_read_dimension(s), s["code"]) for s in data["scope"]),
        time_additive=bool(data["time_additive"]),
        bounded_by=data["bounded_by"],
        values=dict(zip(keys, data["values"], strict=True)),
        statuses=dict(zip(keys, (_shown(status) for status in data["statuses"]), strict=True)),
    )


def _counted_table(published: PublishedTable, counts: list[int]) -> Table:
    keys = published.cell_keys()
    return Table(
        published.measure,
        published.period,
        published.dimensions,
        dict(zip(keys, counts, strict=True)),
        scope=published.scope,
        time_additive=published.time_additive,
        bounded_by=published.bounded_by,
    )


#: What a table is, apart from its counts: two versions with these equal have the
#: same cells in the same order.
_SHAPE_KEYS = ("measure", "period", "dimensions", "scope", "time_additive", "bounded_by")


@dataclass(frozen=True)
class IndicatorEntry:
    code: str
    unit: str
    measure: str
    denominator: str | None
    layouts: tuple[tuple[str, ...], ...]


class FrozenRelease:
    """The content of a release (and, for disclosure control only, its true counts)."""

    def __init__(self, content: str, truth: str | None = None) -> None:
        self.data: dict[str, Any] = json.loads(content)
        if self.data.get("format") != FORMAT:
            raise ValueError("unknown release format")
        self._truth: list[list[int]] | None = None if truth is None else json.loads(truth)

    @cached_property
    def period(self) -> Period:
        return _read_period(self.data["period"])

    @property
    def clinic_code(self) -> str | None:
        scope: dict[str, str] = self.data["scope"]
        return scope.get("code")

    @property
    def policy(self) -> dict[str, Any]:
        policy: dict[str, Any] = self.data["policy"]
        return policy

    @cached_property
    def indicators(self) -> tuple[IndicatorEntry, ...]:
        return tuple(
            IndicatorEntry(
                entry["code"],
                entry["unit"],
                entry["measure"],
                entry["denominator"],
                tuple(tuple(layout) for layout in entry["layouts"]),
            )
            for entry in self.data["indicators"]
        )

    @cached_property
    def tables(self) -> tuple[PublishedTable, ...]:
        return tuple(_read_table(data) for data in self.data["tables"])

    def table(
        self, measure: str, period_code: str, layout: tuple[str, ...]
    ) -> PublishedTable | None:
        for table in self.tables:
            if (
                table.measure == measure
                and table.period.code == period_code
                and table.layout == layout
            ):
                return table
        return None

    def share(
        self, indicator: IndicatorEntry, period_code: str, layout: tuple[str, ...]
    ) -> dict[Key, ShareCell] | None:
        if indicator.denominator is None:
            return None
        top = self.table(indicator.measure, period_code, layout)
        bottom = self.table(indicator.denominator, period_code, layout)
        if top is None or bottom is None:
            return None
        return shares(top, bottom)

    def periods(self) -> tuple[Period, ...]:
        """The periods of the release's tables, in order (quarters before their year)."""
        return tuple(
            sorted(
                {table.period for table in self.tables}, key=lambda p: (p.end, -p.start.toordinal())
            )
        )

    def cells(self) -> Iterator[tuple[PublishedTable, Key, int | None, str]]:
        for table in self.tables:
            for key in table.cell_keys():
                yield table, key, table.values[key], table.statuses[key]

    def as_published(self) -> Published:
        """The release as disclosure control must know it (needs the true counts)."""
        if self._truth is None:
            raise ValueError("the true counts of this release were not loaded")
        tables = []
        values: dict[CellId, int | None] = {}
        for published, counts in zip(self.tables, self._truth, strict=True):
            table = _counted_table(published, counts)
            tables.append(table)
            for key in published.cell_keys():
                values[table.cell_id(key)] = published.values[key]
        return Published(tuple(tables), values)

    def superseded_by(self, newer: FrozenRelease, index: int) -> Superseded | None:
        """This version as disclosure control must know it beside ``newer``, the next
        version of the same release (at ``index`` of the same list of earlier releases):
        only the cells whose true count or published value differ (see
        :class:`Superseded`). None when the two do not have the same tables (then this
        version is given in full). Tables that did not change are compared as stored,
        never read cell by cell.
        """
        if self._truth is None or newer._truth is None:
            raise ValueError("the true counts of this release were not loaded")
        mine, theirs = self.data["tables"], newer.data["tables"]
        if len(mine) != len(theirs) or len(self._truth) != len(newer._truth):
            return None
        counts: dict[CellId, int] = {}
        values: dict[CellId, int | None] = {}
        for position, (data, next_data) in enumerate(zip(mine, theirs, strict=True)):
            if any(data[key] != next_data[key] for key in _SHAPE_KEYS):
                return None
            truth, next_truth = self._truth[position], newer._truth[position]
            if truth == next_truth and data["values"] == next_data["values"]:
                continue
            published = _read_table(data)
            table = _counted_table(published, truth)
            for key, count, next_count, value, next_value in zip(
                published.cell_keys(),
                truth,
                next_truth,
                data["values"],
                next_data["values"],
                strict=True,
            ):
                if count != next_count or value != next_value:
                    cell = table.cell_id(key)
                    counts[cell] = count
                    values[cell] = value
        return Superseded(index, counts, values)

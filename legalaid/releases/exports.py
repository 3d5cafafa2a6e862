"""Exports of a release: CSV, JSON and a DHIS2 ``dataValueSets`` payload.

Pure functions over a release row and its published content (``release.content``) and
the catalogue. They never read ``release.truth``: an export shows what the release
published, suppressed cells as suppressed and nothing else.

Conventions shared by the three forms:

- a *cell* is one count of a table: the measure, the period, and one category for each
  dimension of the table's breakdown, or none for "all categories" (a margin, or the
  table's total);
- a suppressed count is never 0: it is empty (CSV), ``null`` with ``"suppressed": true``
  (JSON) or left out (DHIS2); why it was suppressed is never told;
- a share indicator gives its numerator's and denominator's counts and the share itself.

JSON structure (``format`` ``legalaid.release/1``)::

    {"format": "legalaid.release/1",
     "release": {"id", "version", "scope": {"kind": "national"} | {"kind": "clinic",
                 "code"}, "period": {"code", "kind", "start", "end"}, "created_at",
                 "cells_total", "cells_suppressed"},
     "policy": {"k", "show_zero", "rounding", "require_statistics_consent"},
     "indicators": [{"code", "unit", "measure", "denominator", "title": {"en", "az", "ru"},
                     "breakdowns": [[dimension, ...], ...]}],
     "tables": [{"measure", "period", "dimensions": [...],
                 "cells": [{"categories": {dimension: category}, "value": int | null,
                            "suppressed": bool}]}],
     "shares": [{"indicator", "period", "dimensions": [...],
                 "cells": [{"categories": {...}, "percent": number | null,
                            "status": "published" | "suppressed" | "undefined"}]}]}

In ``categories`` a dimension left out is "all categories" (the margin).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from legalaid.indicators.catalogue import TOTAL_COMBO, Indicator, IndicatorCatalogue
from legalaid.indicators.periods import QUARTER, YEAR
from legalaid.indicators.tables import TOTAL, Key
from legalaid.releases.dhis2_metadata import (
    base_elements,
    data_set_code,
    element_code,
    time_additive,
)
from legalaid.releases.frozen import FrozenRelease, IndicatorEntry, PublishedTable
from legalaid.releases.models import IndicatorRelease

FORMATS = ("csv", "json", "dhis2", "dhis2-deletions")
JSON_FORMAT = "legalaid.release/1"
PUBLISHED = "published"
SUPPRESSED = "suppressed"
UNDEFINED = "undefined"

#: Periods DHIS2 knows: quarters (``2026Q1``) and years (``2026``), not the plan to date.
DHIS2_PERIOD = re.compile(r"^\d{4}(Q[1-4])?$")

CSV_COLUMNS = (
    "release_id",
    "version",
    "scope",
    "period",
    "indicator",
    "measure",
    "role",
    "dimension1",
    "category1",
    "dimension2",
    "category2",
    "value",
    "status",
)

#: A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV
#: injection), full-width forms included (some spreadsheets fold them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralize(cell: str) -> str:
    """A CSV cell that no spreadsheet will run as a formula."""
    if cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def scope_label(frozen: FrozenRelease) -> str:
    return frozen.clinic_code or "national"


def _share_status(status: str) -> str:
    """A share is published, undefined (a published denominator of 0) or suppressed."""
    return status if status in (PUBLISHED, UNDEFINED) else SUPPRESSED


def _status(table: PublishedTable, key: Key) -> str:
    return PUBLISHED if table.statuses[key] == PUBLISHED else SUPPRESSED


def _value(table: PublishedTable, key: Key) -> int | None:
    """The published count, or None for any cell not published."""
    if _status(table, key) != PUBLISHED:
        return None
    return table.values[key]


def _categories(layout: tuple[str, ...], key: Key) -> dict[str, str]:
    """The categories a cell fixes; a dimension left out is "all categories"."""
    return {name: category for name, category in zip(layout, key, strict=True) if category != TOTAL}


def _indicator_tables(
    frozen: FrozenRelease, entry: IndicatorEntry
) -> Iterator[tuple[str, PublishedTable]]:
    """(role, table) of an indicator in the release, by period then breakdown."""
    roles = (
        (("count", entry.measure),)
        if entry.denominator is None
        else (("numerator", entry.measure), ("denominator", entry.denominator))
    )
    for period in frozen.periods():
        for layout in entry.layouts:
            for role, measure in roles:
                table = frozen.table(measure, period.code, layout)
                if table is not None:
                    yield role, table


# --- CSV ---------------------------------------------------------------------------------


def _csv_dimensions(layout: tuple[str, ...], key: Key) -> list[str]:
    """dimension1, category1, dimension2, category2; an empty category is "all"."""
    cells: list[str] = []
    for index in range(2):
        if index < len(layout):
            cells += [layout[index], "" if key[index] == TOTAL else key[index]]
        else:
            cells += ["", ""]
    return cells


def csv_rows(release: IndicatorRelease, frozen: FrozenRelease) -> Iterator[list[str]]:
    """The CSV's rows (without the header), not yet neutralized."""
    common = [str(release.id), str(release.version), scope_label(frozen)]
    for entry in frozen.indicators:
        for role, table in _indicator_tables(frozen, entry):
            head = [*common, table.period.code, entry.code, table.measure, role]
            for key in table.cell_keys():
                value = _value(table, key)
                yield [
                    *head,
                    *_csv_dimensions(table.layout, key),
                    "" if value is None else str(value),
                    _status(table, key),
                ]
        if entry.denominator is None:
            continue
        for period in frozen.periods():
            for layout in entry.layouts:
                found = frozen.share(entry, period.code, layout)
                if found is None:
                    continue
                head = [*common, period.code, entry.code, entry.measure, "share"]
                for key, cell in found.items():
                    status = _share_status(cell.status)
                    percent = str(cell.percent) if status == PUBLISHED else ""
                    yield [*head, *_csv_dimensions(layout, key), percent, status]


def export_csv(release: IndicatorRelease, frozen: FrozenRelease) -> str:
    """One row per cell of the release (suppressed cells: empty value), formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(release, frozen):
        writer.writerow([neutralize(cell) for cell in row])
    return out.getvalue()


# --- JSON --------------------------------------------------------------------------------


def release_summary(release: IndicatorRelease, frozen: FrozenRelease) -> dict[str, Any]:
    """What identifies a release (no person: not its author, not the reason typed)."""
    scope: dict[str, str] = {"kind": "national"}
    if frozen.clinic_code is not None:
        scope = {"kind": "clinic", "code": frozen.clinic_code}
    period = frozen.period
    return {
        "id": release.id,
        "version": release.version,
        "scope": scope,
        "period": {
            "code": period.code,
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "created_at": release.created_at.isoformat(),
        "cells_total": release.cells_total,
        "cells_suppressed": release.cells_suppressed,
    }


def _indicator_json(entry: IndicatorEntry, indicator: Indicator | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "code": entry.code,
        "unit": entry.unit,
        "measure": entry.measure,
        "denominator": entry.denominator,
        "breakdowns": [list(layout) for layout in entry.layouts],
    }
    if indicator is not None:
        found["title"] = {
            "en": indicator.title.en,
            "az": indicator.title.az,
            "ru": indicator.title.ru,
        }
    return found


def export_json(
    release: IndicatorRelease, frozen: FrozenRelease, catalogue: IndicatorCatalogue
) -> dict[str, Any]:
    tables = [
        {
            "measure": table.measure,
            "period": table.period.code,
            "dimensions": list(table.layout),
            "cells": [
                {
                    "categories": _categories(table.layout, key),
                    "value": _value(table, key),
                    "suppressed": _status(table, key) != PUBLISHED,
                }
                for key in table.cell_keys()
            ],
        }
        for table in frozen.tables
    ]
    shares = []
    for entry in frozen.indicators:
        if entry.denominator is None:
            continue
        for period in frozen.periods():
            for layout in entry.layouts:
                found = frozen.share(entry, period.code, layout)
                if found is None:
                    continue
                shares.append(
                    {
                        "indicator": entry.code,
                        "period": period.code,
                        "dimensions": list(layout),
                        "cells": [
                            {
                                "categories": _categories(layout, key),
                                "percent": None
                                if _share_status(cell.status) != PUBLISHED or cell.percent is None
                                else float(cell.percent),
                                "status": _share_status(cell.status),
                            }
                            for key, cell in found.items()
                        ],
                    }
                )
    return {
        "format": JSON_FORMAT,
        "release": release_summary(release, frozen),
        "policy": {
            "k": frozen.policy["k"],
            "show_zero": frozen.policy["show_zero"],
            "rounding": frozen.policy["rounding"],
            "require_statistics_consent": frozen.policy["require_statistics_consent"],
        },
        "indicators": [
            _indicator_json(entry, catalogue.get(entry.code)) for entry in frozen.indicators
        ],
        "tables": tables,
        "shares": shares,
    }


# --- DHIS2 -------------------------------------------------------------------------------


class Dhis2ExportError(ValueError):
    """The release and the catalogue disagree (two values for one DHIS2 data value)."""


def org_unit(frozen: FrozenRelease, catalogue: IndicatorCatalogue) -> str:
    """A clinic's release goes to the clinic's org unit (its code), a national one to the
    country's (``[dhis2] national_org_unit`` of the catalogue)."""
    return frozen.clinic_code or catalogue.dhis2.national_org_unit


def export_dhis2(frozen: FrozenRelease, catalogue: IndicatorCatalogue) -> dict[str, Any]:
    """A ``dataValueSets`` payload with codes (import with ``?idScheme=CODE``).

    Every published count of each catalogued indicator, for each quarter of the release
    (and each year of a count of distinct people, under its yearly element: a count of
    events is added up to the year by DHIS2), under the indicator's data element (a
    share: numerator and denominator under their two data elements). An element with a
    breakdown gets its breakdown where every category of it is published, and its total
    goes under its ``…_TOTAL`` element: no element carries both, in any period. A
    clinic's release goes to the clinic's org unit under the ``…_CLINIC`` elements
    (``docs/dhis2.md``). Suppressed counts are left out. The plan to date has no DHIS2
    period: its own tables are left out (its quarters, and the years of distinct
    people, are in).
    """
    unit = org_unit(frozen, catalogue)
    clinic = frozen.clinic_code is not None
    # Which elements have a breakdown in the metadata (``dhis2_metadata.base_elements``).
    broken_down = {
        code for code, (_name, _measure, category) in base_elements(catalogue).items() if category
    }
    values: list[dict[str, str]] = []
    seen: dict[tuple[str, str, str], str] = {}

    def add(element: str, period: str, combo: str, table: PublishedTable, key: Key) -> None:
        value = _value(table, key)
        if value is None:
            return
        where = (element, period, combo)
        if where in seen:
            # Two indicators may send one count (a share's denominator is another
            # indicator): it is the same table, so the same value.
            if seen[where] != str(value):
                raise Dhis2ExportError(f"two values for {element} {period} {combo}")
            return
        seen[where] = str(value)
        values.append(
            {
                "dataElement": element,
                "period": period,
                "orgUnit": unit,
                "categoryOptionCombo": combo,
                "value": str(value),
            }
        )

    for entry in frozen.indicators:
        indicator = catalogue.get(entry.code)
        if indicator is None:
            continue  # no longer catalogued: no DHIS2 codes to send it under
        codes = indicator.dhis2
        elements = [(entry.measure, codes.data_element)]
        if entry.denominator is not None and codes.denominator_data_element is not None:
            elements.append((entry.denominator, codes.denominator_data_element))
        total_combo = codes.category_option_combos[TOTAL_COMBO]
        for period in frozen.periods():
            if not DHIS2_PERIOD.match(period.code):
                continue
            for measure, base in elements:
                # One period type per data set (``dhis2_metadata``): DHIS2 adds the
                # quarters of a count of events up to the year itself, so its year is
                # not sent; a count of distinct people does not add up, so its year goes
                # under its own element of the yearly data set.
                yearly = period.kind == YEAR
                if yearly and time_additive(measure):
                    continue
                has_breakdown = base in broken_down
                # The breakdown only where every category of it is published: DHIS2
                # adds up what an element holds, and part of a breakdown would read as
                # a smaller total.
                table = None
                if has_breakdown and codes.category and (codes.category,) in entry.layouts:
                    table = frozen.table(measure, period.code, (codes.category,))
                categories = () if table is None else table.dimensions[0].categories
                if table is not None and all(
                    _value(table, (category,)) is not None
                    and category in codes.category_option_combos
                    for category in categories
                ):
                    element = element_code(base, clinic=clinic, yearly=yearly)
                    for category in categories:
                        combo = codes.category_option_combos[category]
                        add(element, period.code, combo, table, (category,))
                total = frozen.table(measure, period.code, ())
                if total is not None:
                    element = element_code(base, total=has_breakdown, clinic=clinic, yearly=yearly)
                    add(element, period.code, total_combo, total, ())

    payload: dict[str, Any] = {}
    if frozen.period.kind == QUARTER:
        # A year's payload mixes the quarterly data set's values with the yearly one's:
        # it names neither, and each value carries its own period. A quarter's names the
        # data set the metadata import created for it.
        payload["dataSet"] = data_set_code(catalogue, clinic=clinic)
        payload["period"] = frozen.period.code
    payload.update({"orgUnit": unit, "idScheme": "CODE", "dataValues": values})
    return payload


def export_dhis2_deletions(
    frozen: FrozenRelease, previous: FrozenRelease | None, catalogue: IndicatorCatalogue
) -> dict[str, Any]:
    """The values the previous version sent that this version no longer shows.

    A new version can hide a cell the previous one published (a change between versions
    of 1..k-1 is itself a small count, see ``docs/disclosure.md``). DHIS2 keeps a value
    until it is deleted, so this payload lists them: import it with
    ``importStrategy=DELETE`` (and ``idScheme=CODE``) before or after the new version's
    payload (``docs/dhis2.md``). The first version (no ``previous``) deletes nothing.
    """
    if previous is None:
        payload = {k: v for k, v in export_dhis2(frozen, catalogue).items() if k != "dataValues"}
        payload.update({"importStrategy": "DELETE", "dataValues": []})
        return payload
    now = {
        (v["dataElement"], v["period"], v["orgUnit"], v["categoryOptionCombo"])
        for v in export_dhis2(frozen, catalogue)["dataValues"]
    }
    before = export_dhis2(previous, catalogue)
    gone = [
        {key: value for key, value in v.items() if key != "value"}
        for v in before["dataValues"]
        if (v["dataElement"], v["period"], v["orgUnit"], v["categoryOptionCombo"]) not in now
    ]
    payload = {key: value for key, value in before.items() if key != "dataValues"}
    payload.update({"importStrategy": "DELETE", "dataValues": gone})
    return payload

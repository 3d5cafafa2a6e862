"""An auditor written apart from ``legalaid.disclosure``: what can a reader work out?

It sees what a reader sees: the published cells of each version (a statistic: measure,
period, categories, and the value or None where suppressed), the shape of each table
(its dimensions, and which ones add up), and the catalogue's text, from which it writes
its own list of identities between indicators (:data:`IDENTITIES`, from the
definitions in ``policies/indicators.toml``, not from the suppressor's code).

As the strongest reader, it is also told which cells did not change between versions
(a reader who guesses "nothing changed there" is right about those): they are one
unknown. It then bounds, by linear programming (scipy's HiGHS), every suppressed cell
and every change between versions of a cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
from scipy.optimize import linprog

from legalaid.indicators.tables import TOTAL, CellId, Table

# From the catalogue's definitions: "GBV cases opened" are the cases opened of category
# gbv (LA04 and LA02), "discrimination cases opened" those of category discrimination
# (LA05 and LA02); the equality holds for every breakdown by the client's categories.
IDENTITIES: dict[str, tuple[str, str, str]] = {
    "gbv_cases_opened": ("cases_opened", "category", "gbv"),
    "discrimination_cases_opened": ("cases_opened", "category", "discrimination"),
}
# At most: completed referrals among those sent (LA08), tested officers among trained
# (LE02, LE03), improved among tested, law-enforcement cases among cases opened (LA09 is
# by the incident's region, so not by region).
AT_MOST: dict[str, tuple[str, tuple[str, ...]]] = {
    "referrals_completed": ("referrals_sent", ()),
    "officers_tested": ("officers_trained", ()),
    "officers_improved": ("officers_tested", ()),
    "cases_law_enforcement_respondent": ("cases_opened", ("region",)),
}


@dataclass(frozen=True)
class Version:
    tables: tuple[Table, ...]
    published: Mapping[CellId, int | None]


@dataclass(frozen=True)
class Finding:
    what: str
    low: float
    high: float
    truth: int


def _constraints(tables: Sequence[Table]) -> list[tuple[dict[CellId, float], str]]:
    """(coefficients, "eq" | "le") rows, each meaning sum(coefficient * cell) (=|<=) 0."""
    cells = {cell for table in tables for _, cell, _ in table.cells()}
    rows: list[tuple[dict[CellId, float], str]] = []
    for table in tables:
        dims = table.dimensions
        for key in table.cell_keys():
            for position, dimension in enumerate(dims):
                if key[position] != TOTAL:
                    continue
                parent = table.cell_id(key)
                children = [
                    table.cell_id((*key[:position], category, *key[position + 1 :]))
                    for category in dimension.categories
                ]
                if dimension.additive:
                    row = {parent: 1.0}
                    for child in children:
                        row[child] = row.get(child, 0.0) - 1.0
                    rows.append((row, "eq"))
                else:
                    rows.extend(({child: 1.0, parent: -1.0}, "le") for child in children)
                    rows.append(({parent: 1.0, **{c: -1.0 for c in children}}, "le"))
    # Quarters of a year, and years of a span, for measures counting events.
    additive = {table.measure: table.time_additive for table in tables}
    for cell in cells:
        for partition in cell.period.partitions:
            parts = [cell._replace(period=part) for part in partition]
            if not all(part in cells for part in parts):
                continue
            if additive[cell.measure]:
                row = {cell: 1.0}
                for part in parts:
                    row[part] = row.get(part, 0.0) - 1.0
                rows.append((row, "eq"))
            else:
                rows.extend(({part: 1.0, cell: -1.0}, "le") for part in parts)
    for cell in cells:
        names = {name for name, _ in cell.coords}
        if cell.measure in IDENTITIES:
            other, dimension_name, category = IDENTITIES[cell.measure]
            if dimension_name not in names:
                twin = cell._replace(measure=other).with_category(dimension_name, category)
                if twin in cells:
                    rows.append(({cell: 1.0, twin: -1.0}, "eq"))
        if cell.measure in AT_MOST:
            other, excluded = AT_MOST[cell.measure]
            bigger = cell._replace(measure=other)
            if bigger in cells and not names & set(excluded):
                rows.append(({cell: 1.0, bigger: -1.0}, "le"))
    return rows


def audit(
    versions: Sequence[Version], truths: Sequence[Mapping[CellId, int]], k: int
) -> list[Finding]:
    """Every suppressed cell (of the last version) and every change between the last
    version and an earlier one that a reader can pin narrower than k. Empty: safe."""

    # Variables: (version, cell); an unchanged cell is one variable in all versions.
    def var(number: int, cell: CellId) -> tuple[int, CellId]:
        value = truths[number][cell]
        for earlier in range(number):
            if truths[earlier].get(cell) == value:
                return var(earlier, cell)
        return (number, cell)

    rows: list[tuple[dict[tuple[int, CellId], float], str]] = []
    for number, version in enumerate(versions):
        for coefficients, kind in _constraints(version.tables):
            merged: dict[tuple[int, CellId], float] = {}
            for cell, a in coefficients.items():
                key = var(number, cell)
                merged[key] = merged.get(key, 0.0) + a
            rows.append((merged, kind))
    bounds: dict[tuple[int, CellId], tuple[float, float | None]] = {}
    for number, version in enumerate(versions):
        for cell, value in version.published.items():
            key = var(number, cell)
            bounds.setdefault(key, (0.0, None))
            if value is not None:
                bounds[key] = (float(value), float(value))
    columns = sorted(bounds)
    index = {key: i for i, key in enumerate(columns)}

    def matrix(kind: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        chosen = [r for r, kd in rows if kd == kind]
        if not chosen:
            return None, None
        a = np.zeros((len(chosen), len(columns)))
        for i, row in enumerate(chosen):
            for key, coefficient in row.items():
                a[i, index[key]] += coefficient
        return a, np.zeros(len(chosen))

    a_eq, b_eq = matrix("eq")
    a_ub, b_ub = matrix("le")
    box = [bounds[key] for key in columns]

    def extent(objective: dict[tuple[int, CellId], float]) -> tuple[float, float]:
        c = np.zeros(len(columns))
        for key, coefficient in objective.items():
            c[index[key]] += coefficient
        if not c.any():
            return 0.0, 0.0
        found = []
        for sign in (1.0, -1.0):
            result = linprog(
                sign * c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=box, method="highs"
            )
            assert result.status in (0, 3), result.message
            found.append(-sign * math.inf if result.status == 3 else sign * result.fun)
        return found[0], found[1]

    last = len(versions) - 1
    findings: list[Finding] = []
    for cell, value in versions[last].published.items():
        truth = truths[last][cell]
        if value is None:
            low, high = extent({var(last, cell): 1.0})
            # Exactly computable and showable anyway is public, not a leak.
            if high - low < k - 1e-6 and not (high - low < 1e-6 and truth >= k):
                findings.append(Finding(f"cell {cell.describe()}", low, high, truth))
        elif 1 <= truth < k:
            findings.append(Finding(f"published {cell.describe()}", truth, truth, truth))
        for earlier in range(last):
            if cell not in versions[earlier].published:
                continue
            change = truth - truths[earlier][cell]
            if not 1 <= abs(change) < k:
                continue
            low, high = extent({var(last, cell): 1.0, var(earlier, cell): -1.0})
            if high - low < k - 1e-6:
                findings.append(Finding(f"change of {cell.describe()}", low, high, change))
    return findings


def keys_of(table: Table) -> list[tuple[str, ...]]:
    return list(product(*(d.categories for d in table.dimensions)))

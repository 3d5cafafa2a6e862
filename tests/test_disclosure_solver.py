"""The audit's fast paths give the very answers of the plain ones.

The audit solves each component's programmes on one HiGHS model, warm-started from one
objective to the next, and remembers the components it has solved; the relations skip
breakdowns that no cell has. Each is checked against the plain way: a fresh ``linprog``
per bound, nothing remembered.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legalaid.disclosure import audit, suppression
from legalaid.disclosure.audit import Model, audit_release
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import protect
from legalaid.indicators.dimensions import Dimension
from legalaid.indicators.periods import quarter, year_period
from legalaid.indicators.tables import CellId, Key, Table

REGION = Dimension("region", ("r1", "r2", "r3"))
SEX = Dimension("sex", ("f", "m"))
YEAR = year_period(2026)
QUARTERS = tuple(quarter(2026, q) for q in (1, 2, 3, 4))
POLICY = DisclosurePolicy(k=5)


def release(counts: list[int]) -> list[Table]:
    """Quarters and their year, by region and sex, from one count per quarter and cell."""
    cells = list(product(REGION.categories, SEX.categories))
    tables = []
    year: dict[Key, int] = dict.fromkeys(cells, 0)
    for number, period in enumerate(QUARTERS):
        inner: dict[Key, int] = {
            key: counts[number * len(cells) + i] for i, key in enumerate(cells)
        }
        for key, value in inner.items():
            year[key] += value
        tables.append(Table.from_counts("cases", period, (REGION, SEX), inner))
    tables.append(Table.from_counts("cases", YEAR, (REGION, SEX), year))
    return tables


def ranges(report: audit.AuditReport) -> list[tuple[object, ...]]:
    return [(r.release, r.cell, r.low, r.high, r.truth) for r in report.ranges]


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.integers(0, 12), min_size=24, max_size=24))
def test_highs_model_and_linprog_find_the_same_ranges(counts: list[int]) -> None:
    tables = release(counts)
    published = hide_small(tables)
    fast = audit_release(tables, published, POLICY)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(audit, "_highs", None)  # every bound a fresh linprog
        plain = audit_release(tables, published, POLICY)
    assert ranges(fast) == ranges(plain)
    assert fast.failures == plain.failures


def test_remembered_components_give_what_a_fresh_audit_gives() -> None:
    tables = release([1, 7, 0, 9, 3, 12, 6, 2, 8, 0, 11, 4, 5, 5, 1, 9, 2, 10, 7, 3, 0, 6, 12, 8])
    protection = protect(tables, POLICY)
    fresh = Model(tables, (), POLICY)
    assert fresh.solved == {}
    again = fresh.audit(protection.released())
    assert ranges(again) == ranges(protection.report)
    # Asked again, the model answers from what it solved, with the same ranges.
    assert fresh.solved
    assert ranges(fresh.audit(protection.released())) == ranges(again)


def test_relations_skip_only_breakdowns_that_do_not_exist() -> None:
    tables = release(list(range(24)))
    found = audit.relations_of(tables)
    # Each of the 5 tables: 3 + 1 rows over sex, 2 + 1 columns over region; each of the
    # year's 12 cells over the quarters. Nothing else: no other breakdown exists.
    assert len(found) == 5 * (4 + 3) + 12
    assert {(rel.kind, len(rel.children)) for rel in found} == {("sum", 2), ("sum", 3), ("sum", 4)}


class _AlwaysSolve(audit._Seen):
    """Bounds every target by its own programme: no bound taken from earlier solutions."""

    def minimum(self, column: int) -> int:
        low = self._solve(column, 1.0)
        assert low is not None
        return math.ceil(low - audit.EPSILON)

    def maximum(self, column: int) -> int | None:
        high = self._solve(column, -1.0)
        return None if high is None else math.floor(-high + audit.EPSILON)


def hide_small(tables: list[Table]) -> dict[CellId, int | None]:
    return {
        cell: (value if value >= 5 or value == 0 else None)
        for t in tables
        for _, cell, value in t.cells()
    }


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.integers(0, 12), min_size=24, max_size=24))
def test_bounds_settled_by_earlier_solutions_are_the_exact_bounds(counts: list[int]) -> None:
    """A cell that a solution already put at its own bound is not solved for: the same
    ranges as a fresh programme for every bound (HiGHS and linprog alike)."""
    tables = release(counts)
    published = hide_small(tables)
    fast = audit_release(tables, published, POLICY)
    # The module's own handle on highspy (None where scipy lacks it), read as it is.
    for highs in (vars(audit)["_highs"], None):
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(audit, "_Seen", _AlwaysSolve)
            patched.setattr(audit, "_highs", highs)
            plain = audit_release(tables, published, POLICY)
        assert ranges(fast) == ranges(plain)


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.integers(0, 12), min_size=24, max_size=24), st.data())
def test_a_quick_audit_finds_the_same_narrow_cells(counts: list[int], data: st.DataObject) -> None:
    """Suppression's quick audit: the narrow cells (the failures) with their exact
    ranges, the others shown at least k wide inside their exact range; cells settled
    before are skipped."""
    tables = release(counts)
    published = hide_small(tables)
    complete = Model(tables, (), POLICY).audit(published)
    exact = {(r.release, r.cell): r for r in complete.ranges}
    settled = set(data.draw(st.sets(st.sampled_from(sorted(exact)))) if exact else ())
    settled = {var for var in settled if exact[var].width >= POLICY.k}
    quick = Model(tables, (), POLICY).audit(published, settled=settled)
    assert not quick.complete
    assert complete.complete
    assert quick.failures == tuple(
        f for f in complete.failures if (f.release, f.cell) not in settled
    )
    assert {(r.release, r.cell) for r in quick.ranges} == set(exact) - settled
    for found in quick.ranges:
        truth = exact[(found.release, found.cell)]
        if found.width < POLICY.k:
            assert found == truth
        else:
            assert truth.low <= found.low
            assert truth.high is None or found.high is not None
            assert truth.high is None or found.high is None or found.high <= truth.high


def test_protection_reports_the_complete_audit_of_what_it_publishes() -> None:
    """Suppression audits quickly while it adds cells, then completely; showing the
    cells anyone can compute leaves every other range as it was."""
    tables = release([1, 7, 0, 9, 3, 12, 6, 2, 8, 0, 11, 4, 5, 5, 1, 9, 2, 10, 7, 3, 0, 6, 12, 8])
    protection = protect(tables, POLICY)
    assert protection.report.complete
    fresh = audit_release(tables, protection.released(), POLICY)
    assert fresh.complete
    assert fresh.passed
    assert ranges(fresh) == ranges(protection.report)


def test_complements_are_found_when_the_programme_runs_out_of_time() -> None:
    """Past HiGHS's time limit (a loaded machine, a million cases) the programme still
    gives a choice that meets every row, started from the greedy one: the release is
    protected, never refused for want of time (main refused the 1M national release)."""
    tables = release([1, 7, 0, 9, 3, 12, 6, 2, 8, 0, 11, 4, 5, 5, 1, 9, 2, 10, 7, 3, 0, 6, 12, 8])
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(suppression, "MIP_TIME_LIMIT_S", 1e-9)
        hurried = protect(tables, POLICY)
    assert hurried.report.complete
    assert hurried.report.passed
    fresh = audit_release(tables, hurried.released(), POLICY)
    assert fresh.passed


@settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.integers(0, 12), min_size=24, max_size=24))
def test_the_programme_solved_by_milp_or_from_the_greedy_start_both_protect(
    counts: list[int],
) -> None:
    """The parts of the programme solved through HiGHS with the greedy start, or through
    ``scipy.optimize.milp`` (older scipy), give patterns the exact audit passes."""
    tables = release(counts)
    started = protect(tables, POLICY)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(suppression, "_highs", None)
        plain = protect(tables, POLICY)
    for protection in (started, plain):
        assert audit_release(tables, protection.released(), POLICY).passed


def test_greedy_start_meets_every_row() -> None:
    """The start solution: kept columns stay, short rows are filled by their cheapest
    binary column, a row no binary column can fill takes its slack."""
    objective = np.array([1.0, 2.0, 3.0, 100.0])
    binary = [True, True, True, False]
    rows = [
        ({0: 1.0, 1: 1.0}, 1.0),  # at least one of 0, 1
        ({0: -1.0, 2: 1.0}, 0.0),  # 0 needs 2 beside it
        ({3: 1.0}, 1.0),  # only the slack
    ]
    x = suppression._greedy(objective, binary, np.array([0.0, 0.0, 0.0, 0.0]), rows)
    assert all(sum(a * x[c] for c, a in row.items()) >= bound - 1e-9 for row, bound in rows)
    assert x[3] == 1.0
    kept = suppression._greedy(objective, binary, np.array([0.0, 1.0, 0.0, 0.0]), rows)
    assert kept[1] == 1.0  # the kept column fills the first row
    assert kept[0] == 0.0

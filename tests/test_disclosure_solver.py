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


# --- the "no sum with exactly one hidden member" rows ---------------------------------------

PENALTY = 1e4


def pairwise_rows(members: list[int], slack_start: int) -> list[tuple[dict[int, float], float]]:
    """The rows the programme had before (one per member, each naming every member):
    ``x_m <= sum of the others + slack_m``."""
    rows = []
    for number, member in enumerate(members):
        coefficients = dict.fromkeys(members, 1.0)
        coefficients[member] = -1.0
        coefficients[slack_start + number] = 1.0
        rows.append((coefficients, 0.0))
    return rows


def least_slack(
    rows: list[tuple[dict[int, float], float]], values: dict[int, float], slacks: set[int]
) -> float | None:
    """What the slacks cost at least for these binary values (None: no slack can help)."""
    total = 0.0
    for coefficients, lower in rows:
        short = lower - sum(a * values[c] for c, a in coefficients.items() if c not in slacks)
        if short > 1e-9:
            slack = [c for c in coefficients if c in slacks]
            if not slack or short > coefficients[slack[0]] + 1e-9:
                return None
            total += PENALTY * short / coefficients[slack[0]]
    return total


@given(st.integers(1, 7))
def test_one_column_per_sum_allows_exactly_the_patterns_the_pairwise_rows_allowed(
    size: int,
) -> None:
    """For every choice of a sum's members, the linear rows with the sum's own column
    cost the same as the pairwise rows: nothing for 0 or 2+ hidden, the slack for 1."""
    members = list(range(size))
    old = pairwise_rows(members, size)
    new = suppression.no_singleton_rows(members, size, size + 1)
    for pattern in product((0.0, 1.0), repeat=size):
        values = dict(enumerate(pattern))
        before = least_slack(old, values, set(range(size, 2 * size)))
        costs = [least_slack(new, {**values, size: flag}, {size + 1}) for flag in (0.0, 1.0)]
        after = min((c for c in costs if c is not None), default=None)
        assert before == after
        assert (before == 0.0) == (sum(pattern) != 1)


@settings(max_examples=40, deadline=None, database=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=7))
def test_one_column_per_sum_has_the_pairwise_rows_lp_relaxation(objective: list[float]) -> None:
    """Without slack and with the 0/1 columns relaxed to [0, 1], both forms allow the same
    cells (``2 * max(x) <= sum(x)``): any objective has the same optimum over both."""
    from scipy.optimize import linprog

    size = len(objective)
    members = list(range(size))

    def optimum(rows: list[tuple[dict[int, float], float]], width: int) -> float:
        matrix = np.zeros((len(rows), width))
        for number, (coefficients, _) in enumerate(rows):
            for column, value in coefficients.items():
                if column < width:
                    matrix[number, column] = value
        cost = np.array(objective + [0.0] * (width - size))
        found = linprog(cost, A_ub=-matrix, b_ub=[-b for _, b in rows], bounds=(0, 1))
        assert found.status == 0
        return float(found.fun)

    old = optimum(pairwise_rows(members, size), size)
    new = optimum(suppression.no_singleton_rows(members, size, size + 1), size + 1)
    assert math.isclose(old, new, abs_tol=1e-7)


@settings(max_examples=40, deadline=None, database=None)
@given(st.data())
def test_programmes_with_one_column_per_sum_have_the_pairwise_optimum(
    data: st.DataObject,
) -> None:
    """Random small programmes (cells with costs, sums with none or one member hidden,
    cuts): solved exactly, both forms have the same cheapest cost, that of the cheapest
    pattern found by trying every one."""
    cells = data.draw(st.integers(2, 7))
    costs = data.draw(st.lists(st.floats(1, 50), min_size=cells, max_size=cells))
    subsets = st.lists(st.integers(0, cells - 1), min_size=1, max_size=cells, unique=True)
    sums = data.draw(st.lists(st.tuples(subsets, st.booleans()), min_size=1, max_size=4))
    cuts = data.draw(st.lists(subsets, max_size=3))

    def total(pattern: tuple[int, ...]) -> float:
        price = sum(c for c, x in zip(costs, pattern, strict=True) if x)
        for members, one_hidden in sums:
            hidden = sum(pattern[m] for m in members)
            if (one_hidden and hidden == 0) or (not one_hidden and hidden == 1):
                price += PENALTY
        if any(not any(pattern[m] for m in cut) for cut in cuts):
            return math.inf
        return price

    best = min(total(pattern) for pattern in product((0, 1), repeat=cells))

    def solve(pairwise: bool) -> float:
        rows: list[tuple[dict[int, float], float]] = []
        slacks: list[float] = []
        flags = 0 if pairwise else sum(1 for _, one in sums if not one)
        flag = cells
        for members, one_hidden in sums:
            start = cells + flags + len(slacks)
            if one_hidden:
                rows.append(({**dict.fromkeys(members, 1.0), start: 1.0}, 1.0))
                slacks.append(PENALTY)
            elif pairwise:
                rows.extend(pairwise_rows(members, start))
                slacks.extend([PENALTY] * len(members))
            else:
                rows.extend(suppression.no_singleton_rows(members, flag, start))
                slacks.append(PENALTY)
                flag += 1
        rows.extend(({m: 1.0 for m in cut}, 1.0) for cut in cuts)
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(suppression, "MIP_GAP", 0.0)
            chosen = suppression._cheapest_part(
                costs + [0.0] * flags, slacks, rows, cells + flags, (), cells
            )
        return total(tuple(int(c in chosen) for c in range(cells)))

    assert math.isclose(solve(pairwise=True), best)
    assert math.isclose(solve(pairwise=False), best)


def test_a_sum_that_bounds_a_cell_too_narrowly_is_learnt_in_one_round() -> None:
    """A hidden cell in a sum whose other hidden members hold too few counts to give it
    a range of k learns, from its first failure, a row that makes the sum's hidden counts
    reach k (or hides its total): 4 audits here; with only "one more neighbour" per
    failure, each round added a cell that did not help (11 audits)."""
    region = Dimension("region", ("r1", "r2", "r3", "r4"))
    sex = Dimension("sex", ("f", "m", "x"))
    third = [15, 6, 6, 40, 9, 1, 3, 9, 0, 0, 0, 6]
    fourth = [9, 40, 15, 9, 15, 1, 1, 9, 40, 1, 6, 3]
    keys: list[Key] = list(product(region.categories, sex.categories))
    tables = [
        Table.from_counts("cases", quarter(2026, q), (region, sex), dict(zip(keys, c, strict=True)))
        for q, c in ((3, third), (4, fourth))
    ]
    year: dict[Key, int] = {key: a + b for key, a, b in zip(keys, third, fourth, strict=True)}
    tables.append(Table.from_counts("cases", YEAR, (region, sex), year))
    audits: list[int] = []
    protection = protect(tables, POLICY, on_audit=lambda: audits.append(1))
    assert audit_release(tables, protection.released(), POLICY).passed
    assert len(audits) <= 5

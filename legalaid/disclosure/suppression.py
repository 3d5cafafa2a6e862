"""Primary and complementary suppression over a set of linked tables.

1. Primary: a cell whose true count is from 1 to k-1 (or zero, if the policy hides zeros)
   is hidden, and so is every cell that the latest earlier release of it hid ("carried":
   showing it now would undo the earlier protection), and every cell whose change since
   an earlier version is small.
2. Complementary: the complements are chosen together by an integer linear programme
   (HiGHS, through ``scipy.optimize.milp``) that minimises the cost of what is hidden
   (:meth:`_Pattern.cost`: hiding a headline total, or a cell that an earlier version
   published, costs far more than hiding an inner cell), subject to

   - no singletons: a sum with exactly one unknown, hidden member gives it away, so every
     sum of known relations has no unknown member or at least two;
   - the cuts learnt from the exact audit (below).

   The programme is solved part by part (parts that share no column), each from a
   greedy start, so that a round solves only the parts a new cut touched and a time
   limit leaves a solution, never none (:meth:`_Pattern._solve_components`).

   A structural zero (a cell of a table whose total is 0, or a cell equal by identity to
   one) is never a complement: it is 0 for everyone.
3. The exact audit (:mod:`legalaid.disclosure.audit`) bounds every hidden cell by linear
   programming over every relation of the set and of the earlier releases. For each
   cell it finds pinned or narrower than k, a cut is added: at least one more cell of its
   nearest relations (the sums it is in, else any relation; one step further when none
   has a cell left to hide) must be hidden. The programme is solved again with every
   cut so far, keeping the complements of earlier rounds (each cut excludes the pattern
   that failed, so no round repeats one). Repeat until the audit passes;
   a hidden cell that anyone can compute exactly and that may be shown is then shown.

Every choice is made in a fixed order (cells sort by measure, period and categories, the
programme's columns likewise), so the same inputs always give the same pattern. A set
that cannot be made safe (earlier releases already give a cell away) is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal, Protocol

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from legalaid.disclosure.audit import (
    AuditReport,
    DisclosureRefusedError,
    Link,
    Model,
    Published,
    Superseded,
    Var,
)
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.indicators.dimensions import CLINIC, Dimension
from legalaid.indicators.tables import TOTAL, CellId, Key, Table

try:  # scipy's own build of HiGHS (scipy >= 1.15): a programme can start from a solution
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - older scipy: milp, from scratch
    _highs = None

Status = Literal["published", "primary", "carried", "complementary"]


@dataclass(frozen=True)
class ProtectedCell:
    value: int | None  # None: suppressed
    status: Status


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    table: Table
    cells: Mapping[Key, ProtectedCell]

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        return self.table.dimensions

    def cell_keys(self) -> tuple[Key, ...]:
        return self.table.cell_keys()

    def value(self, key: Key) -> int | None:
        return self.cells[key].value


@dataclass(frozen=True)
class Protection:
    tables: tuple[ProtectedTable, ...]
    report: AuditReport

    def released(self) -> dict[CellId, int | None]:
        """Every cell as published (None: suppressed)."""
        return {
            cell: protected.cells[key].value
            for protected in self.tables
            for key, cell, _ in protected.table.cells()
        }

    def as_published(self) -> Published:
        """What must be kept of this release to protect the next ones (``earlier``)."""
        return Published(tuple(t.table for t in self.tables), self.released())


class _Pattern:
    """One run: who is hidden in today's release, and what an outsider knows."""

    def __init__(
        self,
        tables: Sequence[Table],
        policy: DisclosurePolicy,
        earlier: Sequence[Published | Superseded],
        current: Mapping[CellId, int] | None,
    ) -> None:
        self.policy = policy
        self.model = Model(tables, earlier, policy, current)
        self.truth = self.model.truth
        self.status: dict[CellId, Status] = {}
        for cell, value in sorted(self.truth.items()):
            if cell in self.model.hidden_before:
                self.status[cell] = "carried"
            elif policy.is_sensitive(value) or cell in self.model.differencing:
                self.status[cell] = "primary"
            else:
                self.status[cell] = "published"
        self.earlier_exact = {
            var for var, (low, high) in self.model.earlier_known.items() if low == high
        }
        self.structural = structural_zeros(tables, self.model.links)
        #: Cells an earlier release published (hiding one now is news to its readers).
        self.published_before = {
            cell
            for release in earlier
            for cell, shown in release.values.items()
            if shown is not None and cell in self.truth
        }
        #: How many breakdowns (other than by clinic) each cell's widest table has.
        self.breakdowns: dict[CellId, int] = {}
        for table in tables:
            width = sum(1 for dimension in table.dimensions if dimension.name != CLINIC)
            for _, cell, _ in table.cells():
                self.breakdowns[cell] = max(self.breakdowns.get(cell, 0), width)
        #: The cells that may be chosen as complements, cheapest first; fixed for the run.
        self.optional: tuple[CellId, ...] = tuple(
            sorted(
                (cell for cell in self.status if self.candidate((0, cell))),
                key=lambda cell: (self.cost((0, cell)), cell),
            )
        )
        #: Cuts learnt from the audit: at least one cell of each must be hidden.
        self.cuts: list[frozenset[CellId]] = []
        #: Rows learnt from the sums that bound a cell too narrowly (:meth:`capacity_cuts`).
        self.capacities: list[tuple[tuple[tuple[CellId, float], ...], float]] = []
        #: Complements chosen in earlier rounds: kept, so each round only adds (the
        #: programme stays small and the audit's settled cells stay settled).
        self.kept: set[CellId] = set()
        #: Each independent part of the programme solved in the last round (its rows, by
        #: number: the singleton rows first, then the cuts in the order learnt) -> the
        #: columns it chose. A part whose rows did not change keeps its choice.
        self._parts: dict[tuple[int, ...], list[int]] = {}
        self._singletons: list[tuple[tuple[CellId, ...], int, float]] | None = None

    def published(self) -> dict[CellId, int | None]:
        return {
            cell: self.policy.rounded(value) if self.status[cell] == "published" else None
            for cell, value in self.truth.items()
        }

    def hidden(self, var: Var) -> bool:
        if var[0] == 0:
            return self.status.get(var[1], "published") != "published"
        return var in self.model.earlier_hidden

    def exactly_known(self, var: Var) -> bool:
        if var in self.earlier_exact:
            return True
        return (
            var[0] == 0
            and self.status.get(var[1]) == "published"
            and self.policy.rounding_base == 1
        )

    def candidate(self, var: Var) -> bool:
        """May be hidden as a complement: shown today, not public from before, and not a
        structural zero (everyone knows an empty table holds zeros: hiding one protects
        nothing and contradicts the 0 published for the same thing elsewhere)."""
        return (
            var[0] == 0
            and self.status.get(var[1]) in ("published", "complementary")
            and var not in self.earlier_exact
            and var[1] not in self.structural
        )

    def cost(self, var: Var) -> float:
        """What hiding a cell as a complement loses (the programme's objective).

        10 for every cell hidden, plus 4 for each breakdown the cell is a margin of (a
        region's total over genders loses more than one region-and-gender cell), plus
        100 for a headline total (no category fixed but the clinic: the nation's or a
        clinic's number, the most read), plus 1000 for a cell that an earlier version
        published (hiding it is news to every reader, and a version that hides many of
        them waits for a confirmation), plus 60 for a true zero (shown as "suppressed"
        beside a 0 elsewhere it contradicts it, and hiding it protects little: it can
        only grow), plus log2(1 + count) (of two otherwise equal cells, the smaller
        count is hidden).
        """
        cell = var[1]
        fixed = sum(1 for name, _ in cell.coords if name != CLINIC)
        value = self.truth[cell]
        return (
            10.0
            + 4.0 * max(0, self.breakdowns.get(cell, 0) - fixed)
            + (100.0 if fixed == 0 else 0.0)
            + (1000.0 if cell in self.published_before else 0.0)
            + (60.0 if value == 0 else 0.0)
            + math.log2(1 + value)
        )

    def _singleton_rows(self) -> list[tuple[tuple[CellId, ...], int, float]]:
        """Each sum, as (its optional cells, its hidden unknown members, its slack cost),
        where choosing its optional cells badly leaves exactly one unknown member.

        Worked out once per run from the primary and carried cells (the optional cells
        are the programme's columns); rounded counts are intervals, left to the audit.
        """
        if self._singletons is not None:
            return self._singletons
        found: list[tuple[tuple[CellId, ...], int, float]] = []
        optional = set(self.optional)
        if self.policy.rounding_base == 1:
            for row in self.model.rows:
                if not row.equality:
                    continue
                choices: list[CellId] = []
                hidden = other = 0
                for var, coefficient in row.coefficients.items():
                    if not coefficient or var in self.earlier_exact:
                        continue
                    if var[0] == 0 and var[1] in optional:
                        choices.append(var[1])
                    elif var[0] == 0 and self.status.get(var[1]) == "published":
                        continue  # shown, and never a complement: known
                    elif self.hidden(var):
                        hidden += 1
                    else:
                        other += 1  # a statistic outside the releases: unknown to all
                if hidden + other >= 2 or (hidden == 0 and other == 1) or not choices:
                    continue
                found.append((tuple(sorted(choices)), hidden, 1e4))
        self._singletons = found
        return found

    def choose(self) -> set[CellId]:
        """The cheapest set of complements that leaves no singleton and meets every cut:
        an integer programme solved by HiGHS. Sets the pattern's statuses.

        The columns are the optional cells (binary), then one binary column per sum with
        nothing hidden yet (:func:`no_singleton_rows`), then the slacks (continuous).
        """
        columns = {cell: number for number, cell in enumerate(self.optional)}
        rows: list[tuple[dict[int, float], float]] = []  # coefficients >= lower bound
        slacks: list[float] = []
        singletons = self._singleton_rows()
        empty = [choices for choices, hidden, _ in singletons if hidden != 1]
        aux = len(self.optional)
        slack_start = aux + len(empty)
        for choices, hidden, penalty in singletons:
            members = [columns[cell] for cell in choices]
            slack = slack_start + len(slacks)
            slacks.append(penalty)
            if hidden == 1:
                # The one hidden member needs a second unknown beside it.
                rows.append(({**dict.fromkeys(members, 1.0), slack: 1.0}, 1.0))
                continue
            # Nothing hidden yet: a complement chosen here needs another beside it.
            rows.extend(no_singleton_rows(members, aux, slack))
            aux += 1
        for cut in self.cuts:
            rows.append(({columns[cell]: 1.0 for cell in cut if cell in columns}, 1.0))
        for row, lower in self.capacities:
            rows.append(({columns[cell]: weight for cell, weight in row}, lower))
        kept = {number for number, cell in enumerate(self.optional) if cell in self.kept}
        costs = [self.cost((0, cell)) for cell in self.optional] + [0.0] * len(empty)
        chosen = self._solve_components(costs, slacks, rows, kept, len(self.optional))
        picked = {self.optional[number] for number in chosen}
        self.kept = picked
        for cell in self.optional:
            self.status[cell] = "complementary" if cell in picked else "published"
        return picked

    def _solve_components(
        self,
        costs: Sequence[float],
        slacks: Sequence[float],
        rows: Sequence[tuple[Mapping[int, float], float]],
        kept: set[int],
        cells: int,
    ) -> list[int]:
        """The programme of :meth:`choose`, solved part by part: the chosen columns of
        the first ``cells`` (the optional cells; the binary columns after them are the
        sums' own, from ``len(costs)`` on the slacks).

        Its objective and rows separate into parts that share no column (mostly one
        per measure and its identities): the cheapest choice is each part's cheapest.
        A part whose rows are the same as in the last round keeps the choice it had:
        that choice meets its rows, is kept (at least it), so nothing cheaper exists.
        Only the parts that a new cut touches are solved again, each a small programme.
        """
        width = len(costs)
        parent = list(range(width))

        def find(column: int) -> int:
            while parent[column] != column:
                parent[column] = parent[parent[column]]
                column = parent[column]
            return column

        for coefficients, _ in rows:
            members = [column for column in coefficients if column < width]
            for other in members[1:]:
                first, second = find(members[0]), find(other)
                if first != second:
                    parent[max(first, second)] = min(first, second)
        part_rows: dict[int, list[int]] = {}
        for number, (coefficients, _) in enumerate(rows):
            root = find(next(column for column in coefficients if column < width))
            part_rows.setdefault(root, []).append(number)
        chosen: list[int] = sorted(column for column in kept if find(column) not in part_rows)
        solved: dict[tuple[int, ...], list[int]] = {}
        for root in sorted(part_rows):
            numbers = tuple(part_rows[root])
            found = self._parts.get(numbers)
            if found is None:
                found = _cheapest_part(
                    costs, slacks, [rows[n] for n in numbers], width, kept, cells
                )
            solved[numbers] = found
            chosen.extend(found)
        self._parts = solved
        return sorted(chosen)

    def learn(self, var: Var) -> bool:
        """Add a cut for a statistic the audit found too narrow: one more cell of its
        nearest relations must be hidden, and every sum that alone bounds it too
        narrowly hides enough (:meth:`capacity_cuts`). False when none is left to hide."""
        found = self.neighbours(var)
        if not found:
            return False
        self.cuts.append(found)
        for row in self.capacity_cuts(var):
            if row not in self.capacities:
                self.capacities.append(row)
        return True

    def capacity_cuts(self, var: Var) -> list[tuple[tuple[tuple[CellId, float], ...], float]]:
        """Rows ``sum(coefficient * hidden) >= lower`` over the programme's columns, one
        for each sum of today's cells that has ``var`` as a member and alone gives it a
        range narrower than k under the current pattern.

        A member of a sum whose total is shown lies between 0 and the total less the
        shown members: its range is at most the true counts of the sum's hidden members
        (counts are never negative). So while the total is shown, the hidden members'
        counts (each at most k) must add up to k: ``k * x_total + sum(min(count, k) *
        x_j, j != var) >= (k - min(count of var, k)) * x_var``. It holds for every pattern
        that protects ``var`` (hiding ``var`` itself is a column when it is a complement),
        so it never excludes a safe pattern; one row rules out every pattern that adds
        zeros or far cells one at a time (each round of the audit found the next).
        Only exact counts (no rounding) and sums of today's release.
        """
        k = self.policy.k
        if var[0] != 0 or self.policy.rounding_base != 1:
            return []
        optional = set(self.optional)
        found: list[tuple[tuple[tuple[CellId, float], ...], float]] = []
        for link in self.model.by_var[var]:
            if link.kind != "sum" or var == link.parent:
                continue
            if any(member[0] != 0 or member[1] not in self.truth for member in link.members):
                continue
            coefficients: dict[CellId, float] = {}
            lower = 0.0
            now = 0.0  # the left side under the current pattern
            total = link.parent[1]
            if total in optional:
                coefficients[total] = float(k)
                now += k if self.status[total] != "published" else 0.0
            elif self.status[total] != "published" or total in self.structural:
                continue  # hidden for good: the sum bounds nothing; a zero is 0 for all
            most = sum(coefficients.values())
            for member in {*link.children}:
                weight = float(min(self.truth[member[1]], k))
                if member == var:
                    weight = weight - k
                cell = member[1]
                if cell in optional:
                    coefficients[cell] = coefficients.get(cell, 0.0) + weight
                    on = self.status[cell] != "published"
                    now += weight if on else 0.0
                    if cell in self.kept or weight > 0:
                        most += weight
                elif self.status[cell] != "published":
                    lower -= weight  # hidden for good: a constant
            if now >= lower - 1e-9 or most < lower - 1e-9:
                continue  # already wide enough by this sum, or no pattern can make it so
            row = tuple(sorted((c, w) for c, w in coefficients.items() if w))
            if row:
                found.append((row, lower))
        return found

    def neighbours(self, var: Var) -> frozenset[CellId]:
        """The shown cells that may be hidden in the relations of ``var``: of its sums,
        else of any of its relations. When none has a cell left to hide, look one step
        further: the relations of the unknown cells it is related to, and so on."""
        frontier, seen = [var], {var}
        while frontier:
            in_sums: set[CellId] = set()
            anywhere: set[CellId] = set()
            for current in frontier:
                for link in self.model.by_var[current]:
                    for member in link.members:
                        if member == current or not self.candidate(member):
                            continue
                        if self.status[member[1]] != "published":
                            continue
                        anywhere.add(member[1])
                        if link.kind == "sum":
                            in_sums.add(member[1])
            if in_sums or anywhere:
                return frozenset(in_sums or anywhere)
            following: set[Var] = set()
            for current in frontier:
                for link in self.model.by_var[current]:
                    following.update(
                        m for m in link.members if m not in seen and not self.exactly_known(m)
                    )
            seen |= following
            frontier = sorted(following)
        return frozenset()

    def show_the_computable(self, report: AuditReport) -> set[CellId]:
        """Show hidden cells that anyone can compute exactly and that may be shown.

        Their values are determined by the final pattern, so showing them changes no
        one's knowledge; a mark where everyone can compute the number helps nobody. A cell
        an earlier release hid stays hidden: its readers compare the two, and a mark that
        turns into a number reads as news (a zero chosen as a complement, say) even when
        the audit says nothing can be learnt from it.
        """
        shown: set[CellId] = set()
        for found in report.ranges:
            if (
                found.release == 0
                and found.cell in self.status
                and found.truth is not None
                and found.low == found.high
                and not self.policy.is_sensitive(found.truth)
                and found.cell not in self.model.differencing
                and self.status[found.cell] not in ("published", "carried")
            ):
                self.status[found.cell] = "published"
                shown.add(found.cell)
        return shown


def _cheapest_part(
    costs: Sequence[float],
    slacks: Sequence[float],
    rows: Sequence[tuple[Mapping[int, float], float]],
    width: int,
    kept: Collection[int] = (),
    cells: int | None = None,
) -> list[int]:
    """The columns of the first ``cells`` (default all ``width``; binary) set to 1 in a
    cheapest solution of ``sum(coefficients * x) >= lower`` for every row; columns up
    to ``width`` are binary too, from ``width`` on slacks in [0, 1] at their cost; the
    ``kept`` columns are 1. Only the columns the rows name enter the programme (a part
    of :meth:`_Pattern.choose`'s).

    Solved by HiGHS (branch and bound to within 5% of the optimum, at most 5 s), started
    from a greedy solution (:func:`_greedy`): past the time limit the best solution found,
    never worse than the greedy one, which meets every row.
    """
    if not rows:
        return []
    if cells is None:
        cells = width
    used = sorted({column for coefficients, _ in rows for column in coefficients})
    local = {column: number for number, column in enumerate(used)}
    binary = [column < width for column in used]
    objective = np.array(
        [costs[column] if column < width else slacks[column - width] for column in used]
    )
    lower_bounds = np.array([1.0 if column in kept else 0.0 for column in used])
    local_rows = [
        ({local[column]: value for column, value in coefficients.items()}, bound)
        for coefficients, bound in rows
    ]
    start = _greedy(objective, binary, lower_bounds, local_rows)
    data, row_index, col_index, lower = [], [], [], []
    for number, (coefficients, bound) in enumerate(local_rows):
        for column, coefficient in sorted(coefficients.items()):
            data.append(coefficient)
            row_index.append(number)
            col_index.append(column)
        lower.append(bound)
    matrix = coo_array(
        (np.array(data), (np.array(row_index), np.array(col_index))),
        shape=(len(local_rows), len(used)),
    )
    found = _highs_mip(objective, matrix, np.array(lower), lower_bounds, binary, start)
    if found is None:
        result = milp(
            objective,
            constraints=LinearConstraint(matrix.tocsr(), np.array(lower), np.inf),
            integrality=np.array([1 if is_binary else 0 for is_binary in binary]),
            bounds=Bounds(lower_bounds, 1),
            options={"time_limit": MIP_TIME_LIMIT_S, "mip_rel_gap": MIP_GAP},
        )
        found = start if result.x is None else np.asarray(result.x)
        if result.x is not None and objective @ start < objective @ found:
            found = start  # the time limit came before anything as good as the greedy
    return [
        column for column, value in zip(used, found, strict=True) if column < cells and value > 0.5
    ]


#: HiGHS's branch and bound stops within this share of the optimum, or after this long.
MIP_GAP = 0.05
MIP_TIME_LIMIT_S = 5.0


def no_singleton_rows(
    members: Sequence[int], flag: int, slack: int
) -> list[tuple[dict[int, float], float]]:
    """The rows (``coefficients >= lower``) that keep a sum of ``members`` (binary
    columns: its cells that may be hidden, none of its members hidden yet) from having
    exactly one hidden member, with one binary column ``flag`` of its own ("some member
    is hidden") and a ``slack`` column in [0, 1] (paid when it is 1).

    ``x_i <= flag`` for each member and ``sum(x) + slack >= 2 * flag``: for 0/1 values the
    sum is 0 (flag 0) or at least 2 (flag 1), or it is 1 and the slack is paid. The
    same as ``x_i <= sum of the others + slack_i`` for every member, in 3 non-zeros a
    member instead of one per pair (a national sum over the clinics has hundreds): the
    LP relaxation's projection on the cells is the same (``2 * max(x) <= sum(x)``).
    """
    rows: list[tuple[dict[int, float], float]] = [
        ({flag: 1.0, member: -1.0}, 0.0) for member in members
    ]
    rows.append(({**dict.fromkeys(members, 1.0), flag: -2.0, slack: 1.0}, 0.0))
    return rows


def _greedy(
    objective: np.ndarray[Any, Any],
    binary: Sequence[bool],
    lower_bounds: np.ndarray[Any, Any],
    rows: Sequence[tuple[Mapping[int, float], float]],
) -> np.ndarray[Any, Any]:
    """A solution that meets every row, to start the programme from.

    The kept columns; then, while a row is short, its cheapest binary column with a
    positive coefficient that is still 0; then each chosen column, dearest first, is
    dropped again if every row still holds without it; the slacks fill what is left (a
    row no binary column can fill).
    """
    x = np.array(lower_bounds, dtype=float)
    rank = {
        column: number
        for number, column in enumerate(
            sorted(range(len(objective)), key=lambda column: (objective[column], column))
        )
    }
    terms = [
        [(column, value) for column, value in coefficients.items() if binary[column]]
        for coefficients, _ in rows
    ]
    bounds = [bound for _, bound in rows]
    positive = [
        sorted((column for column, value in row if value > 0), key=rank.__getitem__)
        for row in terms
    ]
    of_column: dict[int, list[int]] = {}
    for number, row in enumerate(terms):
        for column, _ in row:
            of_column.setdefault(column, []).append(number)
    activity = [0.0] * len(rows)
    for number, row in enumerate(terms):
        activity[number] = sum(value * x[column] for column, value in row)

    def choose(column: int, on: bool) -> None:
        x[column] = 1.0 if on else 0.0
        for number in of_column.get(column, ()):
            value = rows[number][0][column]
            activity[number] += value if on else -value

    short = [n for n in range(len(rows)) if activity[n] < bounds[n] - 1e-9]
    while short:
        following: list[int] = []
        for number in short:
            if activity[number] >= bounds[number] - 1e-9:
                continue
            free = next((column for column in positive[number] if x[column] < 0.5), None)
            if free is None:
                continue  # only a slack can fill it
            choose(free, True)
            following.append(number)
            following.extend(
                n for n in of_column[free] if activity[n] < bounds[n] - 1e-9 and n != number
            )
        short = sorted(set(following))
    # Rows that only a slack can fill hold anyway; the others must keep holding.
    holding = [activity[n] >= bounds[n] - 1e-9 for n in range(len(rows))]
    for column in sorted(
        (c for c in range(len(objective)) if binary[c] and x[c] > 0.5 and lower_bounds[c] < 0.5),
        key=lambda c: (-objective[c], c),
    ):
        if all(
            not holding[n] or activity[n] - rows[n][0][column] >= bounds[n] - 1e-9
            for n in of_column.get(column, ())
        ):
            choose(column, False)
    for number, (coefficients, bound) in enumerate(rows):
        left = bound - activity[number]
        if left > 1e-9:
            for column, value in coefficients.items():
                if not binary[column] and value > 0:
                    x[column] = min(1.0, left / value)
                    break
    return x


def _highs_mip(
    objective: np.ndarray[Any, Any],
    matrix: Any,
    lower: np.ndarray[Any, Any],
    lower_bounds: np.ndarray[Any, Any],
    binary: Sequence[bool],
    start: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any] | None:
    """The programme solved by HiGHS directly, given ``start`` as its first solution
    (``scipy.optimize.milp`` takes none); None where scipy's HiGHS binding is missing."""
    if _highs is None or not hasattr(_highs, "_Highs"):
        return None  # pragma: no cover - older scipy: milp
    csc = matrix.tocsc()
    width = len(objective)
    lp = _highs.HighsLp()
    lp.num_col_ = width
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = objective
    lp.col_lower_ = lower_bounds
    lp.col_upper_ = np.ones(width)
    lp.row_lower_ = lower
    lp.row_upper_ = np.full(matrix.shape[0], _highs.kHighsInf)
    lp.a_matrix_.num_col_ = width
    lp.a_matrix_.num_row_ = matrix.shape[0]
    lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr
    lp.a_matrix_.index_ = csc.indices
    lp.a_matrix_.value_ = csc.data
    lp.integrality_ = [
        _highs.HighsVarType.kInteger if is_binary else _highs.HighsVarType.kContinuous
        for is_binary in binary
    ]
    highs = _highs._Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", MIP_TIME_LIMIT_S)
    highs.setOptionValue("mip_rel_gap", MIP_GAP)
    highs.setOptionValue("random_seed", 0)
    if highs.passModel(lp) == _highs.HighsStatus.kError:
        return None  # pragma: no cover - milp then reports what is wrong
    solution = _highs.HighsSolution()
    solution.col_value = start
    solution.value_valid = True
    highs.setSolution(solution)
    highs.run()
    found = highs.getSolution()
    if not found.value_valid:
        return start
    values = np.asarray(found.col_value)
    return start if objective @ start < objective @ values else values


def structural_zeros(tables: Sequence[Table], links: Iterable[Link] = ()) -> frozenset[CellId]:
    """The cells of every table whose grand total is 0: an empty period, a clinic with
    nothing to count, a breakdown of a count that is 0 (the GBV cases' types of violence
    when there were no GBV cases). Each of them is 0 by the table's own structure; and so
    is a cell of today's release that an identity (a sum of one cell: LA04's total is
    LA02's GBV cell) makes equal to one."""
    found: set[CellId] = set()
    for table in tables:
        grand_total = tuple(TOTAL for _ in table.dimensions)
        if table.values[grand_total] == 0:
            found.update(cell for _, cell, _ in table.cells())
    pairs = [
        (link.parent[1], link.children[0][1])
        for link in links
        if link.kind == "sum"
        and len(link.children) == 1
        and link.parent[0] == 0
        and link.children[0][0] == 0
    ]
    grown = True
    while grown:
        grown = False
        for first, second in pairs:
            if (first in found) != (second in found):
                found.update((first, second))
                grown = True
    return frozenset(found)


def protect(
    tables: Sequence[Table],
    policy: DisclosurePolicy,
    *,
    earlier: Sequence[Published | Superseded] = (),
    current: Mapping[CellId, int] | None = None,
    on_audit: Callable[[], None] | None = None,
) -> Protection:
    """Suppress what must be hidden in ``tables``, released together, and audit the result.

    ``tables`` is the whole linked set released now (e.g. the quarters and the year of an
    indicator, nationally and per clinic). ``earlier`` are the releases already out that
    share statistics with it (the previous version, the quarters released before), oldest
    first, as kept by :meth:`Protection.as_published`. ``current`` gives today's counts
    of their statistics that are not in ``tables`` (recounted: data entered since may have
    changed them); without it they are taken as unchanged. ``on_audit`` is called after
    each audit of a pattern (a release job's progress).
    """
    pattern = _Pattern(tables, policy, earlier, current)
    audited = on_audit or (lambda: None)
    # Cells at least k wide under a pattern that hid a subset of today's: hiding more
    # only widens ranges, so they are not bounded again until the final, complete audit.
    # A round that shows a cell hidden before forgets them.
    settled: set[Var] = set()
    before: set[CellId] = set()
    for _ in range(len(pattern.truth) + 1):
        chosen = pattern.choose()
        if not before <= chosen:
            settled.clear()
        before = chosen
        report = pattern.model.audit(pattern.published(), settled=settled)
        audited()
        if report.passed:
            report = pattern.model.audit(pattern.published())
            audited()
        if report.passed:
            # Only now: a cell computable under this final pattern stays computable.
            # Every solution already gave it that one value, so stating it leaves every
            # solution, and every other range, as it was: the report stays exact.
            shown = pattern.show_the_computable(report)
            return _result(tables, pattern, report.without(shown))
        settled.update(
            (found.release, found.cell) for found in report.ranges if found.width >= policy.k
        )
        added = False
        for failure in report.failures:
            added = pattern.learn((failure.release, failure.cell)) or added
        if not added:
            report.require_passed()
    raise DisclosureRefusedError("suppression did not converge")  # pragma: no cover


def _result(tables: Sequence[Table], pattern: _Pattern, report: AuditReport) -> Protection:
    protected = []
    published = pattern.published()
    for table in tables:
        cells = {
            key: ProtectedCell(published[cell], pattern.status[cell])
            for key, cell, _ in table.cells()
        }
        protected.append(ProtectedTable(table, cells))
    return Protection(tuple(protected), report)


# --- shares ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareCell:
    percent: Decimal | None
    status: Literal["published", "suppressed", "undefined"]


class CountTable(Protocol):
    """A table of published counts (a freshly protected one, or one of a frozen release)."""

    @property
    def dimensions(self) -> tuple[Dimension, ...]: ...

    def cell_keys(self) -> tuple[Key, ...]: ...

    def value(self, key: Key) -> int | None: ...


def shares(numerator: CountTable, denominator: CountTable) -> dict[Key, ShareCell]:
    """A share is shown only where both of its counts are; it is computed from the
    published (possibly rounded) counts, so it tells nothing they do not."""
    if numerator.dimensions != denominator.dimensions:
        raise ValueError("numerator and denominator must have the same breakdown")
    found: dict[Key, ShareCell] = {}
    for key in numerator.cell_keys():
        top, bottom = numerator.value(key), denominator.value(key)
        if top is None or bottom is None:
            found[key] = ShareCell(None, "suppressed")
        elif bottom == 0:
            found[key] = ShareCell(None, "undefined")
        else:
            percent = (Decimal(top) * 100 / Decimal(bottom)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_EVEN
            )
            found[key] = ShareCell(percent, "published")
    return found

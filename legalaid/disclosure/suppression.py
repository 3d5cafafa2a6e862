"""Primary and complementary suppression over a set of linked tables.

1. Primary: a cell whose true count is from 1 to k-1 (or zero, if the policy hides zeros)
   is hidden, and so is every cell that the latest earlier release of it hid ("carried":
   showing it now would undo the earlier protection).
2. Complementary, the quick part: a sum with exactly one unknown member gives that member
   away, so another member of the same sum is hidden too: the smallest non-zero one (ties
   broken by the cell's key), so that the least information is lost. A structural zero
   (a cell of a table whose total is 0) is never a complement: it is 0 for everyone.
3. Complementary, the exact part: the audit (:mod:`legalaid.disclosure.audit`) bounds
   every hidden cell by linear programming over every relation of the set and of the
   earlier releases. For each cell it finds pinned or narrower than k, one more cell is
   hidden, taken from the tightest relation the cell is in (fewest unknowns), by the same
   rule; a hidden cell that anyone can compute exactly and that may be shown is shown.
   Repeat until the audit passes.

Every choice is made in a fixed order (cells sort by measure, period and categories), so
the same inputs always give the same pattern. A set that cannot be made safe (earlier
releases already give a cell away) is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal, Protocol

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

Status = Literal["published", "primary", "carried", "complementary"]
_KIND_ORDER = {"sum": 0, "cover": 1, "bound": 2}


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
        self.structural = structural_zeros(tables)
        self._sums: list[Link] | None = None
        self._known: set[Var] | None = None
        self._unknowns: list[int] | None = None
        self._sums_of: defaultdict[Var, set[int]] = defaultdict(set)

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
            and self.status.get(var[1]) == "published"
            and var not in self.earlier_exact
            and var[1] not in self.structural
        )

    def complement_in(self, link: Link, protected: Var) -> Var | None:
        candidates = [m for m in link.members if m != protected and self.candidate(m)]
        if not candidates:
            return None
        return min(candidates, key=self.cost)

    def cost(self, var: Var) -> tuple[bool, int, int, Var]:
        """What hiding a cell as a complement loses, smallest first.

        A zero hides nothing (it can only grow) and a true zero shown as "suppressed"
        beside a 0 elsewhere contradicts it, so zeros come last; then totals before
        their breakdowns (a headline total, the nation's or a clinic's, is the most
        read: hidden only when nothing else will do); then the smallest count.
        """
        cell = var[1]
        fixed = sum(1 for name, _ in cell.coords if name != CLINIC)
        return (self.truth[cell] == 0, -fixed, self.truth[cell], var)

    def complement_for(self, var: Var) -> Var | None:
        """From the tightest relation of ``var`` (the one with the fewest unknowns).

        When none of its relations has a cell left to hide, look one step further: the
        relations of the unknown cells it is related to, and so on.
        """
        frontier, seen = [var], {var}
        while frontier:
            options = []
            for current in frontier:
                for link in self.model.by_var[current]:
                    chosen = self.complement_in(link, current)
                    if chosen is not None:
                        unknowns = sum(not self.exactly_known(m) for m in link.members)
                        # A non-zero complement from any relation before a zero from
                        # the tightest one.
                        zero = self.truth[chosen[1]] == 0
                        options.append(((zero, unknowns, _KIND_ORDER[link.kind], link), chosen))
            if options:
                return min(options)[1]
            following: set[Var] = set()
            for current in frontier:
                for link in self.model.by_var[current]:
                    following.update(
                        m for m in link.members if m not in seen and not self.exactly_known(m)
                    )
            seen |= following
            frontier = sorted(following)
        return None

    def close_singletons(self) -> None:
        """Hide a second member of every sum that has exactly one unknown, hidden member."""
        if self.policy.rounding_base != 1:
            return  # rounded counts are intervals; the exact audit deals with them
        if self._sums is None:
            self._start_counting()
        assert self._sums is not None  # noqa: S101
        assert self._known is not None and self._unknowns is not None  # noqa: S101
        sums, known, unknowns = self._sums, self._known, self._unknowns
        changed = True
        while changed:
            changed = False
            for number, link in enumerate(sums):
                if unknowns[number] != 1:
                    continue
                unknown = _only_unknown(link.members, known)
                if unknown is None or not self.hidden(unknown):
                    continue
                chosen = self.complement_in(link, unknown)
                if chosen is not None:
                    self.hide(chosen[1])
                    changed = True

    def _start_counting(self) -> None:
        # What exactly_known says of every statistic, and how many members of each sum
        # it does not know, kept up to date as cells are hidden (hide()): a pass over the
        # sums reads one number per sum, not its members, round after round.
        self._known = self.earlier_exact | {
            (0, cell) for cell, status in self.status.items() if status == "published"
        }
        self._sums = [link for link in self.model.links if link.kind == "sum"]
        self._unknowns = [
            sum(member not in self._known for member in link.members) for link in self._sums
        ]
        self._sums_of = defaultdict(set)
        for number, link in enumerate(self._sums):
            for member in link.members:
                self._sums_of[member].add(number)

    def hide(self, cell: CellId) -> None:
        """Hide a published cell as a complement."""
        self.status[cell] = "complementary"
        var = (0, cell)
        if self._known is None or self._unknowns is None or self._sums is None:
            return
        if var in self._known and self.policy.rounding_base == 1:
            self._known.discard(var)
            for number in self._sums_of.get(var, ()):
                self._unknowns[number] += _count(self._sums[number].members, var)

    def show_the_computable(self, report: AuditReport) -> set[CellId]:
        """Show hidden cells that anyone can compute exactly and that may be shown.

        Their values are determined by the final pattern, so showing them changes no
        one's knowledge; a mark where everyone can compute the number helps nobody.
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
                and self.status[found.cell] != "published"
            ):
                self.status[found.cell] = "published"
                shown.add(found.cell)
                self._sums = self._known = self._unknowns = None  # counted afresh if asked
        return shown


def structural_zeros(tables: Sequence[Table]) -> frozenset[CellId]:
    """The cells of every table whose grand total is 0: an empty period, a clinic with
    nothing to count, a breakdown of a count that is 0 (the GBV cases' types of violence
    when there were no GBV cases). Each of them is 0 by the table's own structure."""
    found: set[CellId] = set()
    for table in tables:
        grand_total = tuple(TOTAL for _ in table.dimensions)
        if table.values[grand_total] == 0:
            found.update(cell for _, cell, _ in table.cells())
    return frozenset(found)


def _count(members: Sequence[Var], var: Var) -> int:
    """How many times ``var`` is a member (a sum may name a cell more than once)."""
    return sum(member == var for member in members)


def _only_unknown(members: Sequence[Var], known: set[Var]) -> Var | None:
    """The one member not in ``known``; None when there are none or several."""
    found: Var | None = None
    for member in members:
        if member not in known:
            if found is not None:
                return None
            found = member
    return found


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
    # Cells at least k wide under the pattern so far: each round only hides more, which
    # only widens ranges, so they are not bounded again until the final, complete audit.
    settled: set[Var] = set()
    for _ in range(len(pattern.truth) + 1):
        pattern.close_singletons()
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
            chosen = pattern.complement_for((failure.release, failure.cell))
            if chosen is not None and pattern.status[chosen[1]] == "published":
                pattern.hide(chosen[1])
                added = True
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

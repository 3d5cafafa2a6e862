"""The exact audit: what could anyone work out about each hidden cell of a release?

Everything published constrains the hidden cells: a margin is the sum of its cells,
regions add up to the nation, quarters to the year, a clinic's table is a slice of the
national one, a share's numerator is at most its denominator. Earlier releases of the
same statistics (the quarters already out, the previous version) count too: each keeps
its own counts and relations, and a count that has not changed since is the same unknown
today (an outsider who guesses "nothing changed there" is right about it).

For every hidden cell the audit solves two linear programmes over all of these
constraints (cells >= 0): the smallest and the largest value the cell can take. A
release is refused when a hidden cell is pinned to one value or to a range narrower than
k. Only exception: a cell that anyone can compute exactly and that may be shown anyway
(k or more, or a zero when zeros are shown) is simply public; suppression shows it.

A statistic that is not part of the release but follows from it (the nation minus the
clinics released, a quarter not yet released) must not be pinned to a range narrower
than k that contains small counts either.

The programmes are solved by HiGHS through ``scipy.optimize.linprog``. The constraint
matrices of one- and two-way tables with margins are totally unimodular, so the bounds
found are the exact integer bounds; bounds are rounded inwards to whole counts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array

from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.indicators.catalogue import MEASURES
from legalaid.indicators.dimensions import Dimension
from legalaid.indicators.tables import CellId, Table

#: Slack for the solver's floating point, far below one count.
EPSILON = 1e-6

RelationKind = Literal["sum", "cover", "bound"]
#: A statistic in one release: 0 is the release being made, 1, 2, ... earlier ones.
Var = tuple[int, CellId]
Interval = tuple[int, int]

_CONTRADICTION = (
    "published counts contradict each other (an earlier release no longer matches the "
    "data: recompute its tables and release them again as a new version)"
)


class DisclosureRefusedError(Exception):
    """A release that cannot be made safe; the message names statistics, never people."""


@dataclass(frozen=True, order=True)
class Relation:
    """What everyone knows about how statistics relate.

    - ``sum``: the parent is the sum of the children (an additive margin, quarters of a
      year for counts of events);
    - ``cover``: every child is at most the parent, and the parent at most the sum of the
      children (several-valued dimensions; distinct people over quarters);
    - ``bound``: every child is at most the parent (a share's numerator and denominator).
    """

    kind: RelationKind
    parent: CellId
    children: tuple[CellId, ...]

    @property
    def members(self) -> tuple[CellId, ...]:
        return (self.parent, *self.children)


@dataclass(frozen=True, order=True)
class Link:
    """A relation between statistics of given releases (see :data:`Var`)."""

    kind: RelationKind
    parent: Var
    children: tuple[Var, ...]

    @property
    def members(self) -> tuple[Var, ...]:
        return (self.parent, *self.children)


@dataclass(frozen=True)
class Published:
    """A release as it must be kept (frozen) to protect the next ones: its tables with the
    counts they had, and what was published of them (None: suppressed)."""

    tables: tuple[Table, ...]
    values: Mapping[CellId, int | None]

    def truth(self) -> dict[CellId, int]:
        return {cell: value for table in self.tables for _, cell, value in table.cells()}


@dataclass(frozen=True)
class Superseded:
    """An earlier version of a release given by what it had otherwise than its next
    version: ``counts`` and ``values`` (as in :class:`Published`) of only the cells whose
    count or published value differ. Every other cell had the next version's count and
    was published alike. ``next``: the next version's index in the same ``earlier``
    sequence (after this one; itself :class:`Published` or superseded in turn).

    A model given the versions this way is the model given each in full: a relation
    between cells that all had the next version's counts is the same link again, so
    the work of a release grows with what changed between versions, not their number.
    """

    next: int
    counts: Mapping[CellId, int]
    values: Mapping[CellId, int | None]

    def truth(self) -> Mapping[CellId, int]:
        return self.counts


@dataclass(frozen=True)
class CellRange:
    cell: CellId
    low: int
    high: int | None  # None: no upper bound
    #: The true count of a hidden cell; None for a statistic outside the releases.
    truth: int | None
    #: 0: the release being made; 1, 2, ...: the earlier release it belongs to.
    release: int = 0
    #: A difference between versions: today's cell minus the same cell in this earlier
    #: release (``truth``: the true change, signed).
    since: int | None = None

    @property
    def width(self) -> float:
        return math.inf if self.high is None else self.high - self.low


@dataclass(frozen=True)
class AuditReport:
    ranges: tuple[CellRange, ...]
    failures: tuple[CellRange, ...]
    #: Every hidden statistic bounded exactly. A quick audit (during suppression) skips
    #: the settled ones and gives wide ranges only as far as it needed to look.
    complete: bool = True
    #: Every change between versions of a cell that could be small (1..k-1), bounded.
    differences: tuple[CellRange, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures

    def without(self, shown: Collection[CellId]) -> AuditReport:
        """The report once ``shown`` (cells of today's release) are published."""
        kept = tuple(r for r in self.ranges if r.release != 0 or r.cell not in shown)
        failures = tuple(r for r in self.failures if r.release != 0 or r.cell not in shown)
        return AuditReport(kept, failures, self.complete, self.differences)

    def require_passed(self) -> None:
        if self.failures:
            first = self.failures[0]
            raise DisclosureRefusedError(
                f"{len(self.failures)} hidden cell(s) can be worked out, "
                f"e.g. {first.cell.describe()}"
            )


# --- what is known about how the statistics relate ------------------------------------------


def _shape(tables: Sequence[Table]) -> Hashable:
    """Everything :func:`relations_of` reads of ``tables`` (their cells, never the counts)."""
    return tuple(
        (t.measure, t.period, t.dimensions, t.scope, t.time_additive, t.bounded_by) for t in tables
    )


def relations_of(tables: Sequence[Table], others: Iterable[CellId] = ()) -> tuple[Relation, ...]:
    """Every relation between the cells of ``tables`` (and ``others``).

    A relation is kept when its parent and at least one child are among the cells; the
    children that are not are statistics outside the release (unknown to everyone).
    """
    present: set[CellId] = {cell for table in tables for _, cell, _ in table.cells()}
    present.update(others)
    dimensions: dict[str, dict[str, Dimension]] = defaultdict(dict)
    time_additive: dict[str, bool] = {}
    bounded_by: dict[str, str] = {}
    for table in tables:
        for dimension in table.all_dimensions:
            known = dimensions[table.measure].setdefault(dimension.name, dimension)
            if known != dimension:
                raise ValueError(f"{table.measure}: two definitions of {dimension.name}")
        if time_additive.setdefault(table.measure, table.time_additive) != table.time_additive:
            raise ValueError(f"{table.measure}: time additivity differs between tables")
        if table.bounded_by is not None:
            bounded_by[table.measure] = table.bounded_by

    # Which breakdowns exist at all: a relation whose children are of a measure, period
    # and set of dimensions that no cell has cannot have a child among the cells, so it
    # is not spelled out (most are not: a release has few breakdowns of many categories).
    shapes = {(cell.measure, cell.period, frozenset(n for n, _ in cell.coords)) for cell in present}
    partitions = {period: period.partitions for _, period, _ in shapes}
    found: set[Relation] = set()
    for cell in present:  # the order does not matter: the relations are sorted below
        if cell.measure not in time_additive:
            continue
        fixed = frozenset(n for n, _ in cell.coords)
        for name in dimensions[cell.measure]:
            if name in fixed or (cell.measure, cell.period, fixed | {name}) not in shapes:
                continue
            dimension = dimensions[cell.measure][name]
            children = tuple(cell.with_category(name, c) for c in dimension.categories)
            if any(child in present for child in children):
                found.add(Relation("sum" if dimension.additive else "cover", cell, children))
        for partition in partitions[cell.period]:
            if all((cell.measure, part, fixed) not in shapes for part in partition):
                continue
            children = tuple(cell.with_period(part) for part in partition)
            if any(child in present for child in children):
                kind: RelationKind = "sum" if time_additive[cell.measure] else "cover"
                found.add(Relation(kind, cell, children))
        upper_measure = bounded_by.get(cell.measure)
        if upper_measure is not None:
            upper = cell._replace(measure=upper_measure)
            if upper in present:
                found.add(Relation("bound", upper, (cell,)))
        related = identity_of(cell)
        if related is not None and related.parent in present and related.children[0] in present:
            found.add(related)
    return tuple(sorted(found))


def identity_of(cell: CellId) -> Relation | None:
    """The relation between a cell and the same cell of the broader measure counting the
    same units (:class:`legalaid.indicators.measures.Within`): LA04's total *is* LA02's
    GBV cell; tested officers are at most trained officers. Every reader of the
    catalogue knows these, so they are constraints like the margins.
    """
    measure = MEASURES.get(cell.measure)
    if measure is None or measure.within is None:
        return None
    within = measure.within
    broader = MEASURES[within.measure]
    for name, _ in cell.coords:
        if name in within.except_dimensions or name not in broader.dimensions:
            return None
    other = cell._replace(measure=within.measure)
    if within.category is None:
        return Relation("bound", other, (cell,))
    dimension, category = within.category
    if cell.fixes(dimension):
        return None
    # A sum with one child: the two are equal.
    return Relation("sum", cell, (other.with_category(dimension, category),))


def _intersect(first: Interval | None, second: Interval) -> Interval:
    if first is None:
        return second
    low, high = max(first[0], second[0]), min(first[1], second[1])
    if low > high:
        raise DisclosureRefusedError(_CONTRADICTION)
    return low, high


class _VersionRelations:
    """The relations of an earlier release's tables, sorted for :class:`Model`.

    ``own``: those linked for every version (not among today's relations, or naming a
    statistic outside the release, which is a separate unknown in each version), of
    which ``outside`` name such a statistic and ``inside`` (by cell) do not;
    ``touching``: the others by cell, linked for a version only when one of their cells
    had another count then than today (else the link is today's).
    """

    def __init__(
        self, relations: Iterable[Relation], cells: set[CellId], today: set[Relation]
    ) -> None:
        self.cells = cells
        own: list[Relation] = []
        outside: list[Relation] = []
        self.inside: dict[CellId, list[Relation]] = defaultdict(list)
        self.touching: dict[CellId, list[Relation]] = defaultdict(list)
        for relation in relations:
            members = relation.members
            within = all(member in cells for member in members)
            if relation not in today or not within:
                own.append(relation)
                if not within:
                    outside.append(relation)
                    continue
                for member in members:
                    self.inside[member].append(relation)
                continue
            for member in members:
                self.touching[member].append(relation)
        self.own = tuple(own)
        self.outside = tuple(outside)


def _next_versions(earlier: Sequence[Published | Superseded]) -> dict[int, int]:
    """Each superseded version's index in ``earlier`` -> its next version's."""
    nexts: dict[int, int] = {}
    for index, release in enumerate(earlier):
        if isinstance(release, Superseded):
            if not index < release.next < len(earlier):
                raise ValueError("a superseded version's next version must come after it")
            nexts[index] = release.next
    return nexts


def _root(number: int, nexts: Mapping[int, int]) -> int:
    """The release given in full that a superseded version (numbers from 1) leads to."""
    while number in nexts:
        number = nexts[number]
    return number


def _first_holding(
    earlier: Sequence[Published | Superseded],
    truths: Sequence[Mapping[CellId, int]],
    nexts: Mapping[int, int],
) -> tuple[dict[tuple[CellId, int], int], dict[int, dict[CellId, int]]]:
    """The first earlier release (numbers from 1) that had each count of a statistic,
    and each release's order of cells (a superseded version's: its next version's).

    A superseded version had the count of each cell it does not give from its next
    version: along the versions of one release, a count is held from the version after
    the last one that gave another count of that cell (or the first version).
    """
    held: dict[tuple[CellId, int], int] = {}

    def hold(cell: CellId, value: int, number: int) -> None:
        if held.get((cell, value), number) >= number:
            held[(cell, value)] = number

    previous: dict[int, int] = {after: index for index, after in nexts.items()}
    position: dict[int, dict[CellId, int]] = {}
    for index, release in enumerate(earlier):
        if isinstance(release, Superseded):
            continue
        chain = [index]
        while chain[-1] in previous:
            chain.append(previous[chain[-1]])
        chain.reverse()  # oldest first; the release given in full last
        order = {cell: place for place, cell in enumerate(truths[index])}
        start: dict[CellId, int] = {}
        for place, member in enumerate(chain):
            position[member + 1] = order
            for cell, value in truths[member].items():
                hold(cell, value, start.get(cell, chain[0]) + 1)
                if place + 1 < len(chain):
                    start[cell] = chain[place + 1]
    return held, position


class Model:
    """The tables of a release and the earlier releases, as an outsider sees them.

    Built once; :meth:`audit` then checks one suppression pattern of the release.
    """

    def __init__(
        self,
        tables: Sequence[Table],
        earlier: Sequence[Published | Superseded],
        policy: DisclosurePolicy,
        current: Mapping[CellId, int] | None = None,
    ) -> None:
        self.policy = policy
        self.truth: dict[CellId, int] = {}
        for table in tables:
            for _, cell, value in table.cells():
                if self.truth.setdefault(cell, value) != value:
                    raise ValueError(f"two different counts for {cell.describe()}")
        # Today's count of each earlier statistic that is not part of today's tables:
        # ``current`` when the caller recounted it (a release does: data entered late
        # changes earlier quarters), else taken as unchanged since its latest release.
        # An earlier statistic is the same unknown as today's only when the count really
        # is the same (an outsider who guesses "nothing changed there" is right); when it
        # changed, equating the two would pin or contradict cells that are not pinned.
        assumed = dict(self.truth)
        for cell, value in (current or {}).items():
            assumed.setdefault(cell, value)
        # Each release's counts, worked out once (building every cell's id is most of it).
        # A superseded version (:class:`Superseded`) brings only the cells it had
        # otherwise than its next version: the others are the next version's.
        truths = [release.truth() for release in earlier]
        nexts = _next_versions(earlier)
        #: An earlier superseded version -> its next version (a release number).
        self._next = {number + 1: after + 1 for number, after in nexts.items()}
        for counts in reversed(truths):
            for cell, value in counts.items():
                assumed.setdefault(cell, value)
        # Likewise two earlier versions' counts of a statistic are one unknown when they
        # are equal: the first version that had that count stands for the later ones.
        # (Versions of a period are mostly equal cell by cell; separate unknowns made the
        # programmes grow with every version.)
        held, position = _first_holding(earlier, truths, nexts)
        self.canon: dict[Var, Var] = {}
        #: Each earlier release's cells whose count then was not today's (of a
        #: superseded version, only among the cells it gives).
        changed: list[set[CellId]] = []
        for number, counts in enumerate(truths, start=1):
            differ: set[CellId] = set()
            for cell, value in counts.items():
                if assumed[cell] == value:
                    self.canon[(number, cell)] = (0, cell)
                else:
                    self.canon[(number, cell)] = (held[(cell, value)], cell)
                    differ.add(cell)
            changed.append(differ)

        links: set[Link] = set()
        not_recomputed = set(assumed) - set(self.truth)
        today = relations_of(tables, not_recomputed)
        for relation in today:
            links.add(self._link(relation, 0))
        # Versions of one period share their tables' shape, and so their relations: worked
        # out once per shape, not once per version. And a relation that today's tables
        # have too, between cells that all had today's counts then, is today's link again:
        # only the relations with a cell counted otherwise are linked for that version, so
        # the work grows with what changed between versions, not with their number
        # (issue 14: a release's time grew with every earlier version). A superseded
        # version's relation between cells that all had the next version's counts is the
        # next version's link again: only those with a cell it gives are linked for it.
        today_set = set(today)
        by_shape: dict[Hashable, _VersionRelations] = {}
        of_release: dict[int, _VersionRelations] = {}
        for number, release in enumerate(earlier, start=1):
            if isinstance(release, Superseded):
                continue
            shape = _shape(release.tables)
            known = by_shape.get(shape)
            counts = truths[number - 1]
            if known is None or known.cells != counts.keys():
                known = by_shape[shape] = _VersionRelations(
                    relations_of(release.tables), set(counts), today_set
                )
            of_release[number] = known
            for relation in known.own:
                links.add(self._link(relation, number))
            touched = {r for cell in changed[number - 1] for r in known.touching.get(cell, ())}
            for relation in touched:
                links.add(self._link(relation, number))
        for number, release in enumerate(earlier, start=1):
            if not isinstance(release, Superseded):
                continue
            known = of_release[_root(number, self._next)]
            for relation in known.outside:
                links.add(self._link(relation, number))
            given = truths[number - 1]
            touched = {
                r
                for cell in given
                for r in (*known.touching.get(cell, ()), *known.inside.get(cell, ()))
            }
            for relation in touched:
                links.add(self._link(relation, number))
        self.links = tuple(sorted(links))
        #: Versions as differences: a cell of today's tables that an earlier release also
        #: had, with another count. The change (today's minus then) is a statistic too:
        #: a change of 1..k-1 tells of a few clients (a consent withdrawn, a late case),
        #: so it may be neither published nor derivable to within k.
        #: One change per count an earlier version had otherwise than today (in the order
        #: of the first release that had it).
        self.changes: list[tuple[Var, Var, int]] = [
            ((0, cell), (number, cell), self.truth[cell] - value)
            for (cell, value), number in sorted(
                held.items(), key=lambda item: (item[1], position[item[1]][item[0][0]])
            )
            if cell in self.truth and self.truth[cell] != value
        ]
        #: Today's cells whose change since an earlier version is small: hidden (primary).
        self.differencing = {
            today[1] for today, _, change in self.changes if policy.is_small_change(change)
        }
        #: The linear constraints of the links, and the statistics they name (the same
        #: for every pattern audited).
        self.rows = _rows(self.links)
        self.variables = {var for link in self.links for var in link.members}
        self.by_var: dict[Var, list[Link]] = defaultdict(list)
        for link in self.links:
            for member in link.members:
                self.by_var[member].append(link)

        # What the earlier releases published, and what they hid (with the count then).
        self.earlier_known: dict[Var, Interval] = {}
        self.earlier_hidden: dict[Var, int] = {}
        latest: dict[CellId, int | None] = {}
        for number, release in enumerate(earlier, start=1):
            counts = truths[number - 1]
            for cell, shown in release.values.items():
                latest[cell] = shown
                var = self.var(number, cell)
                if shown is None:
                    # Hidden then, with the count it had; unless recomputed today, when
                    # today's pattern decides.
                    if cell in counts and (var[0] != 0 or cell not in self.truth):
                        self.earlier_hidden[var] = counts[cell]
                else:
                    interval = policy.interval(shown)
                    self.earlier_known[var] = _intersect(self.earlier_known.get(var), interval)
        #: Hidden by the latest release that had them: to stay hidden (carried).
        self.hidden_before = {cell for cell, shown in latest.items() if shown is None}
        #: The ranges of each component programme solved so far: suppression audits one
        #: pattern after another, and most components are the same from one to the next.
        self.solved: dict[Hashable, dict[Var, tuple[int, int | None]]] = {}
        #: The rows with the exactly known cells moved to the right-hand side, kept from
        #: one audited pattern to the next: only the rows of a cell whose known value
        #: changed (a cell newly hidden, mostly) are substituted again.
        self._rows_of: dict[Var, list[int]] = defaultdict(list)
        for number, row in enumerate(self.rows):
            for var in row.coefficients:
                self._rows_of[var].append(number)
        self._fixed: dict[Var, int] | None = None
        self._substituted: list[_Row | None] = []
        #: What knowledge() gave for the last pattern, to update rather than rebuild.
        self._published: dict[CellId, int | None] | None = None
        self._known: dict[Var, Interval] = {}

    def var(self, release: int, cell: CellId) -> Var:
        number: int | None = release
        while number is not None:
            found = self.canon.get((number, cell))
            if found is not None:
                return found
            # A superseded version's cell that it does not give: the next version's.
            number = self._next.get(number)
        return (release, cell)  # a statistic outside the releases: one unknown per release

    def _link(self, relation: Relation, release: int) -> Link:
        return Link(
            relation.kind,
            self.var(release, relation.parent),
            tuple(self.var(release, child) for child in relation.children),
        )

    def knowledge(self, published: Mapping[CellId, int | None]) -> dict[Var, Interval]:
        """Every interval an outsider knows, with ``published`` as today's release."""
        previous = self._published
        if previous is None:
            known = dict(self.earlier_known)
            cells: Iterable[CellId] = self.truth
        else:
            known = dict(self._known)
            cells = [cell for cell in self.truth if published[cell] != previous[cell]]
        for cell in cells:
            var = (0, cell)
            shown = published[cell]
            if var in self.earlier_known:
                known[var] = self.earlier_known[var]
            else:
                known.pop(var, None)
            if shown is not None:
                known[var] = _intersect(known.get(var), self.policy.interval(shown))
        self._published = {cell: published[cell] for cell in self.truth}
        self._known = known
        return dict(known)

    def substituted(self, fixed: Mapping[Var, int]) -> list[_Row]:
        """``_substitute(self.rows, fixed)``, re-substituting only the rows that changed."""
        previous = self._fixed
        if previous is None:
            numbers: Iterable[int] = range(len(self.rows))
            self._substituted = [None] * len(self.rows)
        else:
            changed = {
                var for var in previous.keys() | fixed.keys() if previous.get(var) != fixed.get(var)
            }
            numbers = sorted({n for var in changed for n in self._rows_of.get(var, ())})
        self._fixed = None  # until the substitution below has succeeded
        for number in numbers:
            kept = _substitute([self.rows[number]], fixed)
            self._substituted[number] = kept[0] if kept else None
        self._fixed = dict(fixed)
        return [row for row in self._substituted if row is not None]

    def audit(
        self, published: Mapping[CellId, int | None], *, settled: Collection[Var] | None = None
    ) -> AuditReport:
        """``published``: each cell of today's tables as shown, or None where hidden.

        Without ``settled``, the complete exact audit. With it, a quick one that only
        tells which statistics are narrower than k: ``settled`` are those found at least
        k wide under a pattern that hid a subset of today's hidden cells. Hiding more
        only widens every range (fewer values are known), so they stay safe and are
        skipped; a statistic that solutions already show k wide is not bounded further.
        The narrow ones are always bounded exactly.
        """
        known = self.knowledge(published)
        hidden: dict[Var, int] = dict(self.earlier_hidden)
        for cell, value in self.truth.items():
            if published[cell] is None:
                hidden[(0, cell)] = value
        hidden = {var: value for var, value in hidden.items() if not _exact(known.get(var))}
        fixed = {var: low for var, (low, high) in known.items() if low == high}
        return _audit(
            self.rows,
            self.variables,
            known,
            hidden,
            self.policy,
            self.solved,
            settled,
            self.changes,
            substituted=self.substituted(fixed),
        )


def _exact(interval: Interval | None) -> bool:
    return interval is not None and interval[0] == interval[1]


# --- the linear programmes ------------------------------------------------------------------


@dataclass
class _Row:
    coefficients: dict[Var, float]
    rhs: float
    equality: bool


def _rows(links: Sequence[Link]) -> list[_Row]:
    rows: list[_Row] = []
    for link in links:
        parent, children = link.parent, link.children
        if link.kind == "sum":
            coefficients = {parent: 1.0}
            for child in children:
                coefficients[child] = coefficients.get(child, 0.0) - 1.0
            rows.append(_Row(coefficients, 0.0, True))
            continue
        for child in children:
            rows.append(_Row({child: 1.0, parent: -1.0}, 0.0, False))
        if link.kind == "cover":
            rows.append(_Row({parent: 1.0} | {child: -1.0 for child in children}, 0.0, False))
    return rows


def _substitute(rows: list[_Row], fixed: Mapping[Var, int]) -> list[_Row]:
    """Move the exactly known cells to the right-hand side; check what is left over."""
    kept: list[_Row] = []
    for row in rows:
        rhs = row.rhs
        coefficients: dict[Var, float] = {}
        for var, coefficient in row.coefficients.items():
            if var in fixed:
                rhs -= coefficient * fixed[var]
            elif coefficient:
                coefficients[var] = coefficient
        if coefficients:
            kept.append(_Row(coefficients, rhs, row.equality))
        elif (row.equality and abs(rhs) > EPSILON) or (not row.equality and rhs < -EPSILON):
            raise DisclosureRefusedError(_CONTRADICTION)
    return kept


def _components(rows: list[_Row], variables: Sequence[Var]) -> list[tuple[list[Var], list[_Row]]]:
    parent: dict[Var, Var] = {var: var for var in variables}

    def find(var: Var) -> Var:
        while parent[var] != var:
            parent[var] = parent[parent[var]]
            var = parent[var]
        return var

    for row in rows:
        first, *rest = row.coefficients
        for other in rest:
            a, b = find(first), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[Var, list[Var]] = defaultdict(list)
    for var in variables:
        members[find(var)].append(var)
    grouped_rows: dict[Var, list[_Row]] = defaultdict(list)
    for row in rows:
        grouped_rows[find(next(iter(row.coefficients)))].append(row)
    return [(members[root], grouped_rows[root]) for root in sorted(members)]


def _matrix(rows: list[_Row], index: Mapping[Var, int], width: int) -> tuple[Any, Any]:
    if not rows:
        return None, None
    data, row_index, col_index = [], [], []
    for r, row in enumerate(rows):
        for var, coefficient in row.coefficients.items():
            data.append(coefficient)
            row_index.append(r)
            col_index.append(index[var])
    matrix = coo_array(
        (np.array(data), (np.array(row_index), np.array(col_index))), shape=(len(rows), width)
    ).tocsr()
    return matrix, np.array([row.rhs for row in rows])


class _Programme:
    """The constraints of one component, built once; minimised for one column at a time.

    Every bound of a component is a programme over the same constraints with another
    objective, so the model is handed to HiGHS once and each solve starts from the
    previous optimal basis (only the objective changes). Where scipy does not expose its
    HiGHS binding, each bound is a separate ``linprog`` call over the same matrices:
    slower, same answers.
    """

    def __init__(
        self,
        variables: list[Var],
        rows: list[_Row],
        intervals: Mapping[Var, Interval],
    ) -> None:
        index = {var: i for i, var in enumerate(variables)}
        self.width = len(variables)
        self.lower = np.array(
            [float(intervals[var][0]) if var in intervals else 0.0 for var in variables]
        )
        self.upper = np.array(
            [float(intervals[var][1]) if var in intervals else math.inf for var in variables]
        )
        self.equalities = [r for r in rows if r.equality]
        self.inequalities = [r for r in rows if not r.equality]
        self.index = index
        self.implied_upper = _implied_upper(rows, index, self.lower, self.upper)
        self.highs: Any = _highs_model(rows, index, self.lower, self.upper) if rows else None
        #: The columns whose cost the HiGHS model holds now (the others cost 0).
        self.costed: set[int] = set()
        self.linprog_matrices: tuple[Any, Any, Any, Any] | None = None
        #: The optimal solution of the latest programme (None: unbounded, or none solved).
        self.point: np.ndarray[Any, Any] | None = None

    def minimum(self, column: int, sign: float) -> float | None:
        """The minimum of ``sign * x[column]``; None when it is unbounded below."""
        self.point = None
        if not self.equalities and not self.inequalities:
            # Nothing relates the cell to any other: its own bounds are its range.
            bound = self.lower[column] if sign > 0 else self.upper[column]
            return None if math.isinf(bound) else sign * float(bound)
        if self.highs is not None:
            found = self._highs_minimum({column: sign})
            if found is not _UNDECIDED:
                return found  # type: ignore[return-value]
        return self._linprog_minimum(column, sign)

    def minimum_of(self, costs: Mapping[int, float]) -> float | None:
        """The minimum of ``sum(cost * x[column])``; None when it is unbounded below.

        Each solve starts from the previous one's basis: the differences between two
        versions of many cells of one component cost one model, not one each.
        """
        self.point = None
        if not self.equalities and not self.inequalities:
            total = 0.0
            for column, sign in costs.items():
                bound = self.lower[column] if sign > 0 else self.upper[column]
                if math.isinf(bound):
                    return None
                total += sign * float(bound)
            return total
        if self.highs is not None:
            found = self._highs_minimum(costs)
            if found is not _UNDECIDED:
                return found  # type: ignore[return-value]
        if self.linprog_matrices is None:
            a_eq, b_eq = _matrix(self.equalities, self.index, self.width)
            a_ub, b_ub = _matrix(self.inequalities, self.index, self.width)
            self.linprog_matrices = (a_ub, b_ub, a_eq, b_eq)
        objective = np.zeros(self.width)
        for column, sign in costs.items():
            objective[column] = sign
        bounds: list[tuple[float, float | None]] = [
            (float(low), None if math.isinf(high) else float(high))
            for low, high in zip(self.lower, self.upper, strict=True)
        ]
        found_, self.point = _minimum(objective, *self.linprog_matrices, bounds)
        return found_

    def _highs_minimum(self, costs: Mapping[int, float]) -> float | object | None:
        highs = self.highs
        for column in self.costed - costs.keys():
            highs.changeColCost(column, 0.0)
        for column, sign in costs.items():
            highs.changeColCost(column, sign)
        self.costed = set(costs)
        highs.run()
        status = highs.getModelStatus()
        if status == _highs.HighsModelStatus.kOptimal:
            self.point = np.asarray(highs.getSolution().col_value)
            return float(highs.getInfo().objective_function_value)
        if status == _highs.HighsModelStatus.kUnbounded:
            return None
        if status == _highs.HighsModelStatus.kInfeasible:
            raise DisclosureRefusedError(_CONTRADICTION)
        return _UNDECIDED  # anything else: ask linprog, which starts from scratch

    def _linprog_minimum(self, column: int, sign: float) -> float | None:
        if self.linprog_matrices is None:
            a_eq, b_eq = _matrix(self.equalities, self.index, self.width)
            a_ub, b_ub = _matrix(self.inequalities, self.index, self.width)
            self.linprog_matrices = (a_ub, b_ub, a_eq, b_eq)
        objective = np.zeros(self.width)
        objective[column] = sign
        bounds: list[tuple[float, float | None]] = [
            (float(low), None if math.isinf(high) else float(high))
            for low, high in zip(self.lower, self.upper, strict=True)
        ]
        found, self.point = _minimum(objective, *self.linprog_matrices, bounds)
        return found


_UNDECIDED = object()


def _implied_upper(
    rows: list[_Row], index: Mapping[Var, int], lower: Any, upper: Any
) -> np.ndarray[Any, Any]:
    """The largest value each column can take by one row alone.

    In a row whose coefficients all have one sign (a published total and its hidden
    cells: total = a + b + c), one member is largest when the others are at their lower
    bounds. No column can exceed it; a solution that reaches it settles the maximum.
    """
    found = np.array(upper, dtype=float)
    for row in rows:
        signs = {coefficient > 0 for coefficient in row.coefficients.values()}
        if len(signs) != 1 or (not row.equality and signs != {True}):
            continue
        flip = 1.0 if signs == {True} else -1.0
        rhs = flip * row.rhs
        floor = sum(flip * a * lower[index[var]] for var, a in row.coefficients.items())
        for var, coefficient in row.coefficients.items():
            column = index[var]
            a = flip * coefficient
            bound = (rhs - (floor - a * lower[column])) / a
            found[column] = min(found[column], bound)
    return found


try:  # scipy's own build of HiGHS (scipy >= 1.15); linprog is the fallback
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - older scipy
    _highs = None


def _highs_model(rows: list[_Row], index: Mapping[Var, int], lower: Any, upper: Any) -> Any | None:
    if _highs is None or not hasattr(_highs, "_Highs"):
        return None  # pragma: no cover
    data, row_index, col_index = [], [], []
    for r, row in enumerate(rows):
        for var, coefficient in row.coefficients.items():
            data.append(coefficient)
            row_index.append(r)
            col_index.append(index[var])
    width = len(lower)
    matrix = coo_array(
        (np.array(data), (np.array(row_index), np.array(col_index))), shape=(len(rows), width)
    ).tocsc()
    rhs = np.array([row.rhs for row in rows])
    lp = _highs.HighsLp()
    lp.num_col_ = width
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.zeros(width)
    lp.col_lower_ = lower
    lp.col_upper_ = np.where(np.isinf(upper), _highs.kHighsInf, upper)
    lp.row_lower_ = np.array([row.rhs if row.equality else -_highs.kHighsInf for row in rows])
    lp.row_upper_ = rhs
    lp.a_matrix_.num_col_ = width
    lp.a_matrix_.num_row_ = len(rows)
    lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs = _highs._Highs()
    highs.setOptionValue("output_flag", False)
    # Presolve would hide the basis each solve could start from.
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("simplex_strategy", 4)
    if highs.passModel(lp) == _highs.HighsStatus.kError:
        return None  # pragma: no cover - linprog then reports what is wrong
    return highs


def _solve_ranges(
    variables: list[Var],
    rows: list[_Row],
    intervals: Mapping[Var, Interval],
    targets: Sequence[Var],
    wide: int | None = None,
) -> dict[Var, tuple[int, int | None]]:
    """The exact smallest and largest value of each target.

    A cell can never go below its own lower bound (zero for a hidden cell), so once any
    solution found puts it there, that bound is its minimum: no programme of its own is
    needed. Pushing one cell up (its maximum, solved first) pushes the cells it shares a
    sum with down, very often to zero. Likewise no cell can exceed what one row allows
    it (:func:`_implied_upper`): a solution that reaches that settles its maximum.

    ``wide``: only tell which targets are narrower than this. A target that the
    solutions found so far already put that far apart is wide, and its range is
    given as the part seen (the true range holds it); the others are bounded exactly.
    """
    programme = _Programme(variables, rows, intervals)
    seen = _Seen(programme)
    found: dict[Var, tuple[int, int | None]] = {}
    if wide is None:
        for target in targets:
            column = programme.index[target]
            high = seen.maximum(column)
            found[target] = (seen.minimum(column), high)
        return found
    for target in targets:
        column = programme.index[target]
        if seen.width(column) < wide:
            high = seen.maximum(column)
            if high is None or high - seen.low_seen(column) < wide:
                found[target] = (seen.minimum(column), high)
                continue
        found[target] = (seen.low_seen(column), seen.high_seen(column))
    return found


class _Seen:
    """The solutions found so far of one component's programmes, and what they settle."""

    def __init__(self, programme: _Programme) -> None:
        self.programme = programme
        self.low = np.full(programme.width, math.inf)
        self.high = np.full(programme.width, -math.inf)

    def _solve(self, column: int, sign: float) -> float | None:
        found = self.programme.minimum(column, sign)
        point = self.programme.point
        if point is not None:
            np.minimum(self.low, point, out=self.low)
            np.maximum(self.high, point, out=self.high)
        return found

    def minimum(self, column: int) -> int:
        lower = self.programme.lower[column]
        if self.low[column] <= lower + EPSILON:
            return int(lower)
        low = self._solve(column, 1.0)
        assert low is not None  # noqa: S101 - every cell is bounded below by zero
        return math.ceil(low - EPSILON)

    def maximum(self, column: int) -> int | None:
        implied = self.programme.implied_upper[column]
        if self.high[column] >= implied - EPSILON:
            return math.floor(float(implied) + EPSILON)
        high = self._solve(column, -1.0)
        return None if high is None else math.floor(-high + EPSILON)

    def low_seen(self, column: int) -> int:
        return math.ceil(float(self.low[column]) - EPSILON)

    def high_seen(self, column: int) -> int:
        return math.floor(float(self.high[column]) + EPSILON)

    def width(self, column: int) -> float:
        if math.isinf(self.low[column]):
            return -math.inf
        return self.high_seen(column) - self.low_seen(column)


def _minimum(
    objective: np.ndarray[Any, Any],
    a_ub: Any,
    b_ub: Any,
    a_eq: Any,
    b_eq: Any,
    bounds: list[tuple[float, float | None]],
) -> tuple[float | None, np.ndarray[Any, Any] | None]:
    """The minimum of ``objective`` (None when it is unbounded below), and where."""
    result = linprog(
        objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
    )
    if result.status == 3:
        return None, None
    if result.status == 2:
        raise DisclosureRefusedError(_CONTRADICTION)
    if result.status != 0:
        raise RuntimeError(f"linear programme failed: {result.message}")
    return float(result.fun), np.asarray(result.x)


def _audit(
    all_rows: list[_Row],
    linked: set[Var],
    known: Mapping[Var, Interval],
    hidden: Mapping[Var, int],
    policy: DisclosurePolicy,
    solved: dict[Hashable, dict[Var, tuple[int, int | None]]] | None = None,
    settled: Collection[Var] | None = None,
    changes: Sequence[tuple[Var, Var, int]] = (),
    *,
    substituted: list[_Row] | None = None,
) -> AuditReport:
    """Bound the hidden statistics and the small changes between versions; ``settled``
    as in :meth:`Model.audit`."""
    wide = None if settled is None else policy.k
    settled = settled or ()
    variables = linked | set(hidden)
    fixed = {var: low for var, (low, high) in known.items() if low == high}
    intervals = {var: bounds for var, bounds in known.items() if bounds[0] != bounds[1]}
    unknown = sorted(variables - set(fixed))
    targets = {var for var in unknown if var not in intervals and var not in settled}
    rows = _substitute(all_rows, fixed) if substituted is None else substituted

    ranges: list[CellRange] = []
    components = _components(rows, unknown)
    small = [change for change in changes if policy.is_small_change(change[2])]
    # Each component's programme (constraints and bounds): the same programme has the
    # same answers, in this audit and the next ones (``solved``). Only the components
    # with something to bound need it.
    involved = {var for today, before, _ in small for var in (today, before)}
    signatures: list[Hashable] = [
        (
            tuple(members),
            tuple(
                (tuple(row.coefficients.items()), row.rhs, row.equality) for row in component_rows
            ),
            tuple(intervals.get(var) for var in members),
        )
        if any(var in targets or var in involved for var in members)
        else None
        for members, component_rows in components
    ]
    # A signature is hashed once here and named by a small number from then on (hashing
    # a component's rows again for every change made the differences cost more than
    # their programmes); the numbers hold from one audit to the next.
    interned: dict[Hashable, int] = (
        solved.setdefault(_INTERNED, {}) if solved is not None else {}  # type: ignore[assignment]
    )
    programme_ids: list[Hashable] = [
        None if signature is None else interned.setdefault(signature, len(interned))
        for signature in signatures
    ]
    for (members, component_rows), programme_signature in zip(
        components, programme_ids, strict=True
    ):
        wanted = [var for var in members if var in targets]
        if not wanted:
            continue
        signature = (programme_signature, tuple(wanted), wide)
        found = None if solved is None else solved.get(signature)
        if found is None:
            found = _solve_ranges(members, component_rows, intervals, wanted, wide)
            if solved is not None:
                solved[signature] = found
        ranges.extend(
            CellRange(var[1], low, high, hidden.get(var), release=var[0])
            for var, (low, high) in found.items()
        )
    ranges.sort(key=lambda found: (found.release, found.cell))
    failures = tuple(found for found in ranges if fails(found, policy))
    differences = _difference_ranges(
        components,
        fixed,
        intervals,
        small,
        wide=policy.k,
        signatures=programme_ids,
        solved=solved,
    )
    failures += tuple(found for found in differences if found.width < policy.k)
    return AuditReport(tuple(ranges), failures, wide is None, differences)


#: Where ``solved`` keeps the numbers of the programme signatures it has seen.
_INTERNED = ("interned programme signatures",)


def _difference_ranges(
    components: list[tuple[list[Var], list[_Row]]],
    fixed: Mapping[Var, int],
    intervals: Mapping[Var, Interval],
    changes: Sequence[tuple[Var, Var, int]],
    *,
    wide: int,
    signatures: Sequence[Hashable] | None = None,
    solved: dict[Hashable, Any] | None = None,
) -> tuple[CellRange, ...]:
    """The smallest and largest value of each change (today's minus then) an outsider
    can work out, from all the constraints of both versions (``components``: of the
    rows with the known cells substituted).

    A change is harmful only when narrower than ``wide`` (k). Every solution found of a
    programme is a possible truth, so a change that two of them already put ``wide``
    apart is wide: its range is given as the part seen (the true range holds it) and it
    needs no programme of its own. The others are bounded exactly. (With every earlier
    version, a changed cell has one more change to bound; most are seen wide at once,
    so a release's time no longer grows by two programmes per change and version.)
    ``signatures``: each component's programme, as :func:`_audit` names it; with
    ``solved``, a change bounded over the same programme in an earlier audit (suppression
    audits pattern after pattern) keeps its range.
    """
    if not changes:
        return ()
    where = {var: number for number, (members, _) in enumerate(components) for var in members}
    found: list[CellRange] = []
    # One programme per set of components (most changes fall in the same few), with the
    # solutions found of it so far (one per row).
    programmes: dict[Hashable, tuple[_Programme, list[np.ndarray[Any, Any]]]] = {}
    for today, before, change in changes:
        constant = 0.0
        terms: dict[Var, float] = {}
        for var, sign in ((today, 1.0), (before, -1.0)):
            if var in fixed:
                constant += sign * fixed[var]
            else:
                terms[var] = sign
        low: float | None = constant
        high: float | None = constant
        parts = tuple(sorted({where[var] for var in terms if var in where}))
        alone = tuple(sorted(var for var in terms if var not in where))
        key: Hashable = None
        if terms and signatures is not None and solved is not None:
            key = (
                "difference",
                tuple(signatures[part] for part in parts),
                alone,
                tuple(intervals.get(var) for var in alone),
                tuple(sorted(terms.items())),
                constant,
            )
        known = solved.get(key) if key is not None and solved is not None else None
        if known is not None:
            low, high = known
        elif terms:
            held = programmes.get((parts, alone))
            if held is None:
                members = sorted(
                    {var for part in parts for var in components[part][0]} | set(alone)
                )
                part_rows = [row for part in parts for row in components[part][1]]
                held = programmes[(parts, alone)] = (
                    _Programme(members, part_rows, intervals),
                    [],
                )
            programme, points = held
            costs = {programme.index[var]: sign for var, sign in terms.items()}
            seen = _seen_spread(points, costs, constant)
            if seen is not None and seen[1] - seen[0] >= wide:
                low, high = seen
            else:
                smallest = programme.minimum_of(costs)
                if programme.point is not None:
                    points.append(programme.point)
                largest = programme.minimum_of({column: -sign for column, sign in costs.items()})
                if programme.point is not None:
                    points.append(programme.point)
                low = None if smallest is None else constant + smallest
                high = None if largest is None else constant - largest
            if key is not None and solved is not None:
                solved[key] = (low, high)
        found.append(
            CellRange(
                today[1],
                -(10**9) if low is None else math.ceil(low - EPSILON),
                None if high is None else math.floor(high + EPSILON),
                change,
                release=0,
                since=before[0],
            )
        )
    return tuple(found)


def _seen_spread(
    points: list[np.ndarray[Any, Any]], costs: Mapping[int, float], constant: float
) -> tuple[int, int] | None:
    """The least and greatest whole value of ``constant + costs . x`` over ``points``."""
    if not points:
        return None
    values = [
        constant + sum(sign * float(point[column]) for column, sign in costs.items())
        for point in points
    ]
    return math.ceil(min(values) - EPSILON), math.floor(max(values) + EPSILON)


def fails(found: CellRange, policy: DisclosurePolicy) -> bool:
    narrow = found.width < policy.k
    if found.truth is not None:
        showable = not policy.is_sensitive(found.truth)
        # Computable exactly and showable anyway: public, not a leak (see module doc).
        return narrow and not (showable and found.low == found.high)
    # A statistic outside the release: harmful only if it could be a small count.
    smallest_sensitive = 1 if policy.show_zero else 0
    return (
        narrow
        and found.low <= policy.k - 1
        and (found.high is None or found.high >= smallest_sensitive)
    )


def audit_release(
    tables: Sequence[Table],
    published: Mapping[CellId, int | None],
    policy: DisclosurePolicy,
    *,
    earlier: Sequence[Published | Superseded] = (),
    current: Mapping[CellId, int] | None = None,
) -> AuditReport:
    """Audit a release as it would be published: ``published`` gives each cell of
    ``tables`` its published count, or None where it is suppressed. ``current``: today's
    counts of the earlier releases' statistics (see :class:`Model`)."""
    return Model(tables, earlier, policy, current).audit(published)

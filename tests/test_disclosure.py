"""Disclosure control on hand-made tables whose leaks can be worked out on paper."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from legalaid.disclosure.audit import DisclosureRefusedError, Published, audit_release
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import ProtectedTable, _Pattern, protect, shares
from legalaid.indicators.dimensions import Dimension, clinic_dimension
from legalaid.indicators.periods import quarter, year_period
from legalaid.indicators.tables import TOTAL, CellId, Key, Table

T = TOTAL
POLICY = DisclosurePolicy()  # k = 5, zeros shown, no rounding
Q1 = quarter(2026, 1)
REGION = Dimension("region", ("a", "b", "c"))
SEX = Dimension("sex", ("f", "m"))
CLINIC_DIM = clinic_dimension(["c1", "c2"])


def row_table(a: int, b: int, c: int, period=Q1) -> Table:
    return Table.from_counts("m", period, (REGION,), {("a",): a, ("b",): b, ("c",): c})


def shown(protected: ProtectedTable) -> dict[tuple[str, ...], int | None]:
    return {key: cell.value for key, cell in protected.cells.items()}


def statuses(protected: ProtectedTable) -> dict[tuple[str, ...], str]:
    return {key: cell.status for key, cell in protected.cells.items()}


def naive(tables: list[Table], policy: DisclosurePolicy = POLICY) -> dict[CellId, int | None]:
    """Primary suppression only, as a spreadsheet would do it."""
    return {
        cell: None if policy.is_sensitive(value) else value
        for table in tables
        for _, cell, value in table.cells()
    }


def test_one_hidden_cell_beside_its_total_is_given_away_and_then_protected() -> None:
    table = row_table(3, 12, 20)
    leaky = audit_release([table], naive([table]), POLICY)
    assert not leaky.passed
    (failure,) = leaky.failures
    assert failure.cell == table.cell_id(("a",))
    assert (failure.low, failure.high) == (3, 3)  # 35 - 12 - 20
    with pytest.raises(DisclosureRefusedError, match="can be worked out"):
        leaky.require_passed()

    protection = protect([table], POLICY)
    (protected,) = protection.tables
    # The smallest non-zero cell of the row is hidden with it.
    assert shown(protected) == {("a",): None, ("b",): None, ("c",): 20, (T,): 35}
    assert statuses(protected)[("b",)] == "complementary"
    assert protection.report.passed
    ranges = {found.cell: (found.low, found.high) for found in protection.report.ranges}
    assert ranges == {table.cell_id(("a",)): (0, 15), table.cell_id(("b",)): (0, 15)}


def test_a_two_way_table_gets_a_rectangle() -> None:
    counts: dict[Key, int] = {
        ("a", "f"): 2,
        ("a", "m"): 10,
        ("b", "f"): 8,
        ("b", "m"): 9,
        ("c", "f"): 11,
        ("c", "m"): 13,
    }
    table = Table.from_counts("m", Q1, (REGION, SEX), counts)
    protection = protect([table], POLICY)
    hidden = {key for key, value in shown(protection.tables[0]).items() if value is None}
    assert hidden == {("a", "f"), ("a", "m"), ("b", "f"), ("b", "m")}
    ranges = {found.cell: (found.low, found.high) for found in protection.report.ranges}
    assert ranges[table.cell_id(("a", "f"))] == (0, 10)
    assert ranges[table.cell_id(("b", "m"))] == (7, 17)


def test_the_audit_refuses_a_cell_pinned_through_its_column() -> None:
    """Two hidden cells in its row, yet its column gives it away: 12 - 0 - 9 = 3."""
    counts: dict[Key, int] = {
        ("a", "f"): 3,
        ("a", "m"): 0,
        ("b", "f"): 0,
        ("b", "m"): 20,
        ("c", "f"): 9,
    }
    counts[("c", "m")] = 9
    table = Table.from_counts("m", Q1, (REGION, SEX), counts)
    published = naive([table])
    # Hide a zero too, as a careless complement would: it can only grow, so no help.
    published[table.cell_id(("a", "m"))] = None
    report = audit_release([table], published, POLICY)
    assert not report.passed
    assert {(f.cell, f.low, f.high) for f in report.failures} >= {(table.cell_id(("a", "f")), 3, 3)}


def test_quarters_and_year_together() -> None:
    """Each quarter protected alone is safe; with the year beside them, Q1's cell is not."""
    quarters = [
        row_table(3, 12, 20, quarter(2026, 1)),
        row_table(6, 12, 20, quarter(2026, 2)),
        row_table(7, 12, 20, quarter(2026, 3)),
        row_table(8, 12, 20, quarter(2026, 4)),
    ]
    year = Table.from_counts(
        "m", year_period(2026), (REGION,), {("a",): 24, ("b",): 48, ("c",): 80}
    )
    one_by_one: dict[CellId, int | None] = {}
    for table in [*quarters, year]:
        protection = protect([table], POLICY)
        assert protection.report.passed
        one_by_one.update(protection.released())
    together = audit_release([*quarters, year], one_by_one, POLICY)
    assert not together.passed  # Q1's a and b: year minus the other quarters

    protection = protect([*quarters, year], POLICY)
    assert protection.report.passed
    assert audit_release([*quarters, year], protection.released(), POLICY).passed
    q1_a = quarters[0].cell_id(("a",))
    assert protection.released()[q1_a] is None


def test_a_new_version_cannot_undo_the_earlier_one() -> None:
    """v1 hides a (3) and b (12). In v2 b has grown to 22 and c (20) did not change: hiding
    c instead of b would give a away as v2's total minus b minus v1's c."""
    v1 = row_table(3, 12, 20)
    first = protect([v1], POLICY)
    assert shown(first.tables[0]) == {("a",): None, ("b",): None, ("c",): 20, (T,): 35}

    v2 = row_table(3, 22, 20)
    alone = protect([v2], POLICY)  # as if v1 had never been published
    assert shown(alone.tables[0]) == {("a",): None, ("b",): 22, ("c",): None, (T,): 45}
    leak = audit_release([v2], alone.released(), POLICY, earlier=[first.as_published()])
    assert not leak.passed
    assert (leak.failures[0].low, leak.failures[0].high) == (3, 3)

    second = protect([v2], POLICY, earlier=[first.as_published()])
    assert shown(second.tables[0]) == {("a",): None, ("b",): None, ("c",): 20, (T,): 45}
    assert statuses(second.tables[0])[("b",)] == "carried"
    assert audit_release([v2], second.released(), POLICY, earlier=[first.as_published()]).passed


def test_the_nation_minus_the_clinics_released_is_a_count_too() -> None:
    """Nation 12 and clinic AAA 10 published: clinic BBB would be 2."""
    clinics = clinic_dimension(["AAA", "BBB"])
    nation = Table("m", Q1, (), {(): 12})
    aaa = Table("m", Q1, (), {(): 10}, scope=((clinics, "AAA"),))
    report = audit_release([nation, aaa], naive([nation, aaa]), POLICY)
    (failure,) = report.failures
    assert failure.cell == CellId("m", Q1, (("clinic", "BBB"),))
    assert (failure.low, failure.high, failure.truth) == (2, 2, None)

    protection = protect([nation, aaa], POLICY)
    assert protection.report.passed
    assert [shown(t) for t in protection.tables] == [{(): 12}, {(): None}]

    # Released with BBB's own table, BBB is hidden at once and AAA hides with it.
    bbb = Table("m", Q1, (), {(): 2}, scope=((clinics, "BBB"),))
    protection = protect([nation, aaa, bbb], POLICY)
    assert [shown(t) for t in protection.tables] == [{(): 12}, {(): None}, {(): None}]


def test_hidden_zeros_when_the_policy_says_so() -> None:
    policy = DisclosurePolicy(show_zero=False)
    table = row_table(0, 12, 20)
    protection = protect([table], policy)
    assert shown(protection.tables[0]) == {("a",): None, ("b",): None, ("c",): 20, (T,): 32}
    assert protect([table], POLICY).tables[0].cells[("a",)].value == 0


def test_rounding_publishes_multiples_of_the_base_and_still_audits() -> None:
    policy = DisclosurePolicy(rounding="base_5")
    table = Table.from_counts(
        "m",
        Q1,
        (REGION, SEX),
        {
            ("a", "f"): 2,
            ("a", "m"): 11,
            ("b", "f"): 8,
            ("b", "m"): 9,
            ("c", "f"): 13,
            ("c", "m"): 26,
        },
    )
    protection = protect([table], policy)
    values = [v for v in shown(protection.tables[0]).values() if v is not None]
    assert values
    assert all(v % 5 == 0 and (v == 0 or v >= 5) for v in values)
    assert protection.report.passed
    assert audit_release([table], protection.released(), policy).passed


def test_shares_follow_their_counts() -> None:
    completed = Table.from_counts(
        "done", Q1, (REGION,), {("a",): 3, ("b",): 10, ("c",): 0}, bounded_by="sent"
    )
    sent = Table.from_counts("sent", Q1, (REGION,), {("a",): 9, ("b",): 30, ("c",): 0})
    protection = protect([completed, sent], POLICY)
    numerator, denominator = protection.tables
    found = shares(numerator, denominator)
    # a's numerator is hidden, so its share is too (else 9 x share would give it back).
    assert found[("a",)].status == "suppressed"
    assert found[("c",)].status == "undefined"  # nothing sent
    assert all(
        cell.status == "suppressed" or cell.percent is None or cell.percent >= 0
        for cell in found.values()
    )
    total = found[(T,)]
    if total.status == "published":
        assert total.percent == Decimal("33.3")


def test_same_inputs_same_output_whatever_the_order() -> None:
    tables = [row_table(3, 12, 20, quarter(2026, q)) for q in (1, 2, 3, 4)]
    first = protect(tables, POLICY).released()
    again = protect(tables, POLICY).released()
    reversed_order = protect(list(reversed(tables)), POLICY).released()
    assert first == again == reversed_order
    assert list(first) == list(again)


def test_an_earlier_release_that_no_longer_matches_is_refused() -> None:
    """The year was published as 100; its quarters, recomputed, now make 152."""
    quarters = [row_table(6, 12, 20, quarter(2026, q)) for q in (1, 2, 3, 4)]
    year = Table("m", year_period(2026), (), {(): 100})
    earlier = Published((year,), {year.cell_id(()): 100})
    with pytest.raises(DisclosureRefusedError, match="contradict"):
        protect(quarters, POLICY, earlier=[earlier])


def test_an_old_sum_is_remembered_when_some_of_its_cells_change() -> None:
    """v1 hid a (3) and b (12) beside c 20 and total 35: a + b = 15 then. In v2 c and the
    total changed (30, 45) but a and b did not. Hiding a and c in v2 is safe on its own
    (a + c = 33), but with v1's sum and v2's b the outsider gets a = 15 - 12."""
    v1 = row_table(3, 12, 20)
    first = (protect([v1], POLICY).as_published(),)
    v2 = row_table(3, 12, 30)
    hide_a_and_c = {
        cell: None if key in {("a",), ("c",)} else value for key, cell, value in v2.cells()
    }
    assert audit_release([v2], hide_a_and_c, POLICY).passed
    report = audit_release([v2], hide_a_and_c, POLICY, earlier=first)
    assert [(f.cell, f.low, f.high) for f in report.failures] == [(v2.cell_id(("a",)), 3, 3)]

    second = protect([v2], POLICY, earlier=first)
    assert shown(second.tables[0]) == {("a",): None, ("b",): None, ("c",): 30, (T,): 45}
    assert audit_release([v2], second.released(), POLICY, earlier=first).passed


def test_policy_rules() -> None:
    assert [POLICY.is_sensitive(v) for v in (0, 1, 4, 5)] == [False, True, True, False]
    assert DisclosurePolicy(show_zero=False).is_sensitive(0)
    five = DisclosurePolicy(rounding="base_5")
    assert [five.rounded(v) for v in (5, 7, 8, 12, 13)] == [5, 5, 10, 10, 15]
    assert five.interval(5) == (3, 7)
    assert POLICY.interval(7) == (7, 7)
    with pytest.raises(ValueError, match="multiple of the rounding base"):
        DisclosurePolicy(k=6, rounding="base_5")
    with pytest.raises(ValueError, match="unknown dimension"):
        DisclosurePolicy(crossable=(("clinic", "star_sign"),))
    with pytest.raises(ValueError, match="listed twice"):
        DisclosurePolicy(crossable=(("clinic", "sex"), ("sex", "clinic")))
    with pytest.raises(ValidationError):
        DisclosurePolicy(k=1)


def test_tables_refuse_margins_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="does not add up"):
        Table("m", Q1, (SEX,), {("f",): 1, ("m",): 2, (T,): 4})
    groups = Dimension("key_population", ("hiv", "sex_work"), additive=False)
    Table("m", Q1, (groups,), {("hiv",): 3, ("sex_work",): 2, (T,): 4})  # one in both groups
    with pytest.raises(ValueError, match="does not cover"):
        Table("m", Q1, (groups,), {("hiv",): 3, ("sex_work",): 2, (T,): 6})


def test_a_structural_zero_is_never_a_complement() -> None:
    """An empty clinic's table is 0 for everyone: hiding its cells protects nothing, and a
    "suppressed" there beside the 0 published for the same thing elsewhere contradicts it.
    The busy clinic's small cell is protected inside its own table instead."""
    busy = Table.from_counts(
        "m", Q1, (REGION,), {("a",): 3, ("b",): 12, ("c",): 20}, scope=((CLINIC_DIM, "c1"),)
    )
    empty = Table.from_counts(
        "m", Q1, (REGION,), {("a",): 0, ("b",): 0, ("c",): 0}, scope=((CLINIC_DIM, "c2"),)
    )
    national = Table.from_counts("m", Q1, (REGION,), {("a",): 3, ("b",): 12, ("c",): 20})
    by_clinic = Table.from_counts("m", Q1, (CLINIC_DIM,), {("c1",): 35, ("c2",): 0})
    tables = [busy, empty, national, by_clinic]
    protection = protect(tables, POLICY)
    assert protection.report.passed
    released = protection.released()
    assert all(released[cell] == 0 for _, cell, _ in empty.cells())
    assert released[busy.cell_id(("a",))] is None
    assert audit_release(tables, released, POLICY).passed
    # The rule itself, where the search for a complement asks it: no cell of the empty
    # table may be chosen, while a 0 in a table with a non-zero total still may.
    pattern = _Pattern(tables, POLICY, (), None)
    assert not any(pattern.candidate((0, cell)) for _, cell, _ in empty.cells())
    assert pattern.candidate((0, by_clinic.cell_id(("c2",)))) is False  # c2's own total
    zero_row = row_table(3, 0, 20)
    assert _Pattern([zero_row], POLICY, (), None).candidate((0, zero_row.cell_id(("b",))))


def test_a_zero_that_is_not_structural_stays_a_last_resort() -> None:
    """In a table with a non-zero total a 0 may be hidden only when nothing else will do;
    here the row's other non-zero cell is chosen."""
    protection = protect([row_table(3, 0, 20)], POLICY)
    (protected,) = protection.tables
    assert shown(protected)[("b",)] == 0
    assert shown(protected)[("a",)] is None
    assert protection.report.passed


def test_headline_totals_stay_visible_when_inner_cells_can_protect() -> None:
    """Two clinics, by region: c1 has 3 in c, c2 has 1 in a (both primary). The old
    first-found choice hid, cell by cell, the nation's total and both clinics' totals as
    complements (12 cells hidden); chosen together, inner cells protect both small cells
    and every headline total is published (6 cells hidden), and the audit passes."""
    c1: dict[Key, int] = {("a",): 12, ("b",): 10, ("c",): 3}
    c2: dict[Key, int] = {("a",): 1, ("b",): 12, ("c",): 0}
    busy = Table.from_counts("m", Q1, (REGION,), c1, scope=((CLINIC_DIM, "c1"),))
    other = Table.from_counts("m", Q1, (REGION,), c2, scope=((CLINIC_DIM, "c2"),))
    national = Table.from_counts("m", Q1, (REGION,), {k: c1[k] + c2[k] for k in c1})
    by_clinic = Table.from_counts("m", Q1, (CLINIC_DIM,), {("c1",): 25, ("c2",): 13})
    tables = [busy, other, national, by_clinic]
    protection = protect(tables, POLICY)
    assert protection.report.passed
    released = protection.released()
    assert audit_release(tables, released, POLICY).passed
    assert released[national.cell_id((T,))] == 38
    assert released[busy.cell_id((T,))] == 25
    assert released[other.cell_id((T,))] == 13
    assert released[busy.cell_id(("c",))] is None
    assert released[other.cell_id(("a",))] is None
    hidden = [cell for cell, value in released.items() if value is None]
    assert len(hidden) < 12


def test_a_cell_published_before_is_not_the_complement_when_another_will_do() -> None:
    """Clinic c1 released its row first (25, 14, 14: all shown). Late entries changed each
    of its cells by at least k (20, 8, 8), so each may be shown again; c2 has 2 in c
    (primary). The old choice took two of c1's cells, which readers had seen, as
    complements; the programme protects c2's cell with cells never published before
    (c2's, and the nation's), as many of them, and the audit passes."""
    first = Table.from_counts(
        "m", Q1, (REGION,), {("a",): 25, ("b",): 14, ("c",): 14}, scope=((CLINIC_DIM, "c1"),)
    )
    v1 = protect([first], POLICY)
    assert all(value is not None for value in v1.released().values())
    c1: dict[Key, int] = {("a",): 20, ("b",): 8, ("c",): 8}
    c2: dict[Key, int] = {("a",): 8, ("b",): 12, ("c",): 2}
    busy = Table.from_counts("m", Q1, (REGION,), c1, scope=((CLINIC_DIM, "c1"),))
    other = Table.from_counts("m", Q1, (REGION,), c2, scope=((CLINIC_DIM, "c2"),))
    national = Table.from_counts("m", Q1, (REGION,), {k: c1[k] + c2[k] for k in c1})
    by_clinic = Table.from_counts("m", Q1, (CLINIC_DIM,), {("c1",): 36, ("c2",): 22})
    tables = [busy, other, national, by_clinic]
    earlier = [v1.as_published()]
    protection = protect(tables, POLICY, earlier=earlier)
    assert protection.report.passed
    released = protection.released()
    assert audit_release(tables, released, POLICY, earlier=earlier).passed
    assert released[other.cell_id(("c",))] is None
    for _, cell, value in busy.cells():
        assert released[cell] == value, cell.describe()
    complements = [
        cell
        for table in protection.tables
        for key, found in table.cells.items()
        if found.status == "complementary"
        for cell in [table.table.cell_id(key)]
    ]
    assert len(complements) <= 3

"""Hand-made attacks from issue 13: identities between indicators, and versions differenced.

Each is checked twice: by the release's own audit, and by the independent auditor of
``tests/independent_auditor.py`` (built from what is published and the catalogue's text).
"""

from __future__ import annotations

import pytest

from legalaid.disclosure.audit import audit_release
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import Protection, protect
from legalaid.errors import StartupError
from legalaid.indicators.catalogue import MEASURES, check_relations
from legalaid.indicators.dimensions import STATIC_DIMENSIONS, Dimension
from legalaid.indicators.measures import Within
from legalaid.indicators.periods import quarter
from legalaid.indicators.tables import TOTAL, CellId, Key, Table
from tests.independent_auditor import Version, audit

POLICY = DisclosurePolicy()  # k = 5
K = POLICY.k
Q2 = quarter(2026, 2)
CATEGORY = STATIC_DIMENSIONS["category"]
GBV_TYPE = STATIC_DIMENSIONS["gbv_type"]
DOMAIN = STATIC_DIMENSIONS["discrimination_domain"]


def _by(measure: str, dimension: Dimension, counts: dict[str, int]) -> Table:
    inner: dict[Key, int] = {(c,): counts.get(c, 0) for c in dimension.categories}
    return Table.from_counts(measure, Q2, (dimension,), inner)


def pinning_tables() -> list[Table]:
    """National 2026Q2: 7 cases opened, 5 GBV, 2 discrimination, 0 other."""
    return [
        _by("cases_opened", CATEGORY, {"gbv": 5, "discrimination": 2}),
        _by("gbv_cases_opened", GBV_TYPE, {"rape": 3, "physical_assault": 2}),
        _by("discrimination_cases_opened", DOMAIN, {"health_care": 2}),
    ]


def truth_of(tables: list[Table]) -> dict[CellId, int]:
    return {cell: value for table in tables for _, cell, value in table.cells()}


def discrimination_cell() -> CellId:
    return CellId("cases_opened", Q2, (("category", "discrimination"),))


def test_the_national_2026q2_pinning_is_found_by_both_audits() -> None:
    tables = pinning_tables()
    # What the suppression did before: LA02 hid discrimination (2) and its smallest
    # non-zero neighbour (GBV, 5), while LA04 published its total, 5.
    leaky: dict[CellId, int | None] = {cell: value for cell, value in truth_of(tables).items()}
    for cell in list(leaky):
        if cell.measure == "cases_opened" and cell.coords in (
            (("category", "gbv"),),
            (("category", "discrimination"),),
        ):
            leaky[cell] = None
        elif cell.measure != "cases_opened" and cell.coords:
            leaky[cell] = None  # every breakdown of LA04 and LA05 hidden
        elif cell.measure == "discrimination_cases_opened":
            leaky[cell] = None
    # The totals of LA04 (5) and LA02 (7) and "other" (0) are out: 7 - 5 - 0 = 2.
    report = audit_release(tables, leaky, POLICY)
    assert discrimination_cell() in {found.cell for found in report.failures}
    pinned = {f.what for f in audit([Version(tuple(tables), leaky)], [truth_of(tables)], K)}
    assert f"cell {discrimination_cell().describe()}" in pinned


def test_suppression_no_longer_lets_the_discrimination_cell_be_derived() -> None:
    tables = pinning_tables()
    protection = protect(tables, POLICY)
    released = protection.released()
    assert released[discrimination_cell()] is None
    assert audit([Version(tuple(tables), released)], [truth_of(tables)], K) == []
    ranges = {found.cell: found for found in protection.report.ranges}
    assert ranges[discrimination_cell()].width >= K


def test_a_new_measure_of_cases_opened_must_say_how_it_relates() -> None:
    from dataclasses import replace

    forgotten = dict(MEASURES)
    forgotten["hiv_cases_opened"] = replace(
        MEASURES["gbv_cases_opened"], name="hiv_cases_opened", within=None
    )
    with pytest.raises(StartupError, match="not related"):
        check_relations(forgotten)
    wrong = dict(MEASURES)
    wrong["x"] = replace(
        MEASURES["gbv_cases_opened"], name="x", within=Within("cases_opened", ("category", "nope"))
    )
    with pytest.raises(StartupError, match="has no category=nope"):
        check_relations(wrong)


# --- versions ------------------------------------------------------------------------------

REGION = STATIC_DIMENSIONS["region"]
GENDER = STATIC_DIMENSIONS["gender_identity"]


def clients(counts: dict[tuple[str, str], int]) -> Table:
    inner: dict[Key, int] = {
        (r, g): counts.get((r, g), 0) for r in REGION.categories for g in GENDER.categories
    }
    return Table.from_counts("cases_opened", Q2, (REGION, GENDER), inner)


def version_one_counts() -> dict[tuple[str, str], int]:
    regions = REGION.categories
    return {
        (regions[0], "woman"): 31,
        (regions[0], "man"): 12,
        (regions[1], "woman"): 9,
        (regions[1], "man"): 14,
        (regions[2], "woman"): 7,
        (regions[2], "man"): 20,
    }


def changes_published(first: Protection, second: Protection) -> list[tuple[CellId, int, int]]:
    before, after = first.released(), second.released()
    return [
        (cell, before[cell], value)  # type: ignore[misc]
        for cell, value in after.items()
        if value is not None and before.get(cell) is not None and 1 <= abs(value - before[cell]) < K  # type: ignore[operator]
    ]


def test_a_consent_withdrawal_cannot_be_read_from_the_new_version() -> None:
    first_table = clients(version_one_counts())
    first = protect([first_table], POLICY)
    counts = version_one_counts()
    region = REGION.categories[0]
    counts[(region, "woman")] -= 1  # one young woman in the first region withdrew
    second_table = clients(counts)
    # Before: the new version published 30 beside the old 31 (and the region and nation
    # totals, each one lower).
    naive = protect([second_table], POLICY)
    assert changes_published(first, naive)

    second = protect([second_table], POLICY, earlier=[first.as_published()])
    assert changes_published(first, second) == []
    truths = [truth_of([first_table]), truth_of([second_table])]
    versions = [
        Version((first_table,), first.released()),
        Version((second_table,), second.released()),
    ]
    assert audit(versions, truths, K) == []
    # The suppressor's own audit bounded the same differences.
    assert second.report.differences
    assert all(found.width >= K for found in second.report.differences)


def test_a_derivable_change_between_hidden_cells_is_caught() -> None:
    """Both versions hide a cell; one neighbour is unchanged: the margins give the change."""
    old = Table.from_counts(
        "m", Q2, (Dimension("r", ("a", "b", "c")),), {("a",): 3, ("b",): 6, ("c",): 20}
    )
    first = protect([old], POLICY)
    assert first.released()[old.cell_id(("a",))] is None
    new = Table.from_counts(
        "m", Q2, (Dimension("r", ("a", "b", "c")),), {("a",): 4, ("b",): 6, ("c",): 20}
    )
    # Publishing the new total beside the unchanged hidden b gives a' - a = 1.
    naive = {cell: first.released()[cell] for _, cell, _ in new.cells()}
    naive[new.cell_id((TOTAL,))] = 30
    report = audit_release([new], naive, POLICY, earlier=[first.as_published()])
    assert any(found.since == 1 and found.width < K for found in report.failures)
    second = protect([new], POLICY, earlier=[first.as_published()])
    versions = [Version((old,), first.released()), Version((new,), second.released())]
    assert audit(versions, [truth_of([old]), truth_of([new])], K) == []


# --- suppress as little as possible ------------------------------------------------------


ROW = Dimension("service_type", ("a", "b", "c", "d"))


def _row(a: int, b: int, c: int, d: int) -> Table:
    return Table.from_counts("m", Q2, (ROW,), {("a",): a, ("b",): b, ("c",): c, ("d",): d})


def test_a_small_revision_leaves_the_published_headline_total_visible() -> None:
    """A referral re-typed (b -1, d +1): the total did not change and stays published."""
    old = _row(20, 31, 3, 60)
    first = protect([old], POLICY)
    total = old.cell_id((TOTAL,))
    assert first.released()[total] == 114
    new = _row(20, 30, 3, 61)
    second = protect([new], POLICY, earlier=[first.as_published()])
    released = second.released()
    assert released[total] == 114
    # The two changed cells are hidden (changes of 1), c stays hidden (carried).
    assert released[new.cell_id(("b",))] is None
    assert released[new.cell_id(("d",))] is None
    versions = [Version((old,), first.released()), Version((new,), released)]
    assert audit(versions, [truth_of([old]), truth_of([new])], K) == []


def test_a_true_zero_is_not_used_as_a_complement_when_a_count_will_do() -> None:
    """Plan to date: a small count beside zeros, a large count and the national total."""
    table = _row(3, 0, 0, 2180)
    released = protect([table], POLICY).released()
    assert released[table.cell_id(("a",))] is None
    # The complement is the large count, never a zero shown as "suppressed" (which
    # elsewhere is published as 0), and the headline total stays visible.
    assert released[table.cell_id(("b",))] == 0
    assert released[table.cell_id(("c",))] == 0
    assert released[table.cell_id(("d",))] is None
    assert released[table.cell_id((TOTAL,))] == 2183

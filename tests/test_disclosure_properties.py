"""Properties of disclosure control over random data sets (hypothesis).

Whatever the counts: no published cell lies between 1 and k-1, and the exact audit finds
no hidden cell that can be worked out to within k, for one table, for quarters released
with their year (events, which add up, and distinct people, which do not), and for a
second version of a release after the data changed.
"""

from __future__ import annotations

from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legalaid.disclosure.audit import Published, audit_release, relations_of
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import Protection, protect
from legalaid.indicators.dimensions import Dimension
from legalaid.indicators.periods import quarter, year_period
from legalaid.indicators.tables import TOTAL, Key, Table

ROWS = Dimension("region", ("r1", "r2", "r3", "r4"))
COLUMNS = Dimension("sex", ("f", "m", "x"))
YEAR = year_period(2026)
QUARTERS = tuple(quarter(2026, q) for q in (1, 2, 3, 4))

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # No example database in the working tree; failures print their reproducing draw.
    database=None,
)

# Mostly small counts, where disclosure happens; sometimes larger ones.
counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
policies = st.builds(
    lambda k_and_rounding, show_zero: DisclosurePolicy(
        k=k_and_rounding[0], rounding=k_and_rounding[1], show_zero=show_zero
    ),
    st.sampled_from([(5, "none"), (3, "none"), (5, "base_5"), (3, "base_3")]),
    st.booleans(),
)


@st.composite
def shapes(draw: st.DrawFn) -> tuple[Dimension, ...]:
    rows = Dimension(ROWS.name, ROWS.categories[: draw(st.integers(2, 4))])
    if draw(st.booleans()):
        return (rows,)
    return (rows, Dimension(COLUMNS.name, COLUMNS.categories[: draw(st.integers(2, 3))]))


def inner_keys(dimensions: tuple[Dimension, ...]) -> list[Key]:
    return list(product(*(d.categories for d in dimensions)))


@st.composite
def inner_counts(draw: st.DrawFn, dimensions: tuple[Dimension, ...]) -> dict[Key, int]:
    return {key: draw(counts) for key in inner_keys(dimensions)}


def assert_safe(
    tables: list[Table],
    protection: Protection,
    policy: DisclosurePolicy,
    earlier: tuple[Published, ...] = (),
) -> None:
    released = protection.released()
    for value in released.values():
        assert value is None or not policy.is_sensitive(value), value
    # The audit run again from the outside, on what is published.
    report = audit_release(tables, released, policy, earlier=earlier)
    assert report.passed, report.failures
    # A structural zero (every cell of a table whose total is 0) is published as 0
    # everywhere, or, when the policy hides zeros, nowhere: never used as a complement.
    if not earlier:
        for table in tables:
            if table.values[tuple(TOTAL for _ in table.dimensions)] != 0:
                continue
            for _, cell, _ in table.cells():
                assert released[cell] == (0 if policy.show_zero else None), cell
    # A check of our own, needing no solver: no sum of a table has exactly one hidden
    # member (with rounding off, where published counts are exact).
    if policy.rounding_base == 1 and not earlier:
        for relation in relations_of(tables):
            if relation.kind != "sum":
                continue
            unknown = [m for m in relation.members if released.get(m) is None]
            assert len(unknown) != 1 or unknown[0] not in released, relation


@PROPERTY_SETTINGS
@given(data=st.data(), policy=policies)
def test_one_table(data: st.DataObject, policy: DisclosurePolicy) -> None:
    dimensions = data.draw(shapes())
    table = Table.from_counts("m", QUARTERS[0], dimensions, data.draw(inner_counts(dimensions)))
    assert_safe([table], protect([table], policy), policy)


@PROPERTY_SETTINGS
@given(data=st.data(), policy=policies)
def test_quarters_with_their_year(data: st.DataObject, policy: DisclosurePolicy) -> None:
    """Events: the quarters add up to the year."""
    dimensions = (Dimension(ROWS.name, ROWS.categories[: data.draw(st.integers(2, 3))]),)
    quarterly = [data.draw(inner_counts(dimensions)) for _ in QUARTERS]
    tables = [
        Table.from_counts("m", period, dimensions, cells)
        for period, cells in zip(QUARTERS, quarterly, strict=True)
    ]
    yearly = {key: sum(cells[key] for cells in quarterly) for key in inner_keys(dimensions)}
    tables.append(Table.from_counts("m", YEAR, dimensions, yearly))
    assert_safe(tables, protect(tables, policy), policy)


@PROPERTY_SETTINGS
@given(data=st.data(), policy=policies)
def test_distinct_people_over_quarters(data: st.DataObject, policy: DisclosurePolicy) -> None:
    """Distinct clients: the year lies between the largest quarter and the quarters' sum."""
    dimensions = (Dimension(ROWS.name, ROWS.categories[: data.draw(st.integers(2, 3))]),)
    quarterly = [data.draw(inner_counts(dimensions)) for _ in QUARTERS]
    yearly = {
        key: data.draw(
            st.integers(
                max(cells[key] for cells in quarterly), sum(cells[key] for cells in quarterly)
            )
        )
        for key in inner_keys(dimensions)
    }
    tables = [
        Table.from_counts("clients", period, dimensions, cells, time_additive=False)
        for period, cells in zip(QUARTERS, quarterly, strict=True)
    ]
    tables.append(Table.from_counts("clients", YEAR, dimensions, yearly, time_additive=False))
    assert_safe(tables, protect(tables, policy), policy)


@PROPERTY_SETTINGS
@given(data=st.data(), policy=policies)
def test_two_versions_of_a_release(data: st.DataObject, policy: DisclosurePolicy) -> None:
    """Version 2 after late entries and corrections, audited with version 1 beside it."""
    dimensions = data.draw(shapes())
    first_counts = data.draw(inner_counts(dimensions))
    first_tables = [Table.from_counts("m", QUARTERS[0], dimensions, first_counts)]
    first = protect(first_tables, policy)
    assert_safe(first_tables, first, policy)

    changes = {key: data.draw(st.sampled_from([0, 0, 0, 1, 2, -1])) for key in first_counts}
    second_counts = {key: max(0, n + changes[key]) for key, n in first_counts.items()}
    second_tables = [Table.from_counts("m", QUARTERS[0], dimensions, second_counts)]
    earlier = (first.as_published(),)
    second = protect(second_tables, policy, earlier=earlier)
    assert_safe(second_tables, second, policy, earlier=earlier)


@PROPERTY_SETTINGS
@given(data=st.data(), policy=policies)
def test_quarters_released_one_after_the_other(
    data: st.DataObject, policy: DisclosurePolicy
) -> None:
    """Each quarter released when it is over, then the year with all four recomputed."""
    dimensions = (Dimension(ROWS.name, ROWS.categories[: data.draw(st.integers(2, 3))]),)
    quarterly = [data.draw(inner_counts(dimensions)) for _ in QUARTERS]
    tables = [
        Table.from_counts("m", period, dimensions, cells)
        for period, cells in zip(QUARTERS, quarterly, strict=True)
    ]
    released: tuple[Published, ...] = ()
    for table in tables:
        released += (protect([table], policy, earlier=released).as_published(),)
    yearly = {key: sum(cells[key] for cells in quarterly) for key in inner_keys(dimensions)}
    year = Table.from_counts("m", YEAR, dimensions, yearly)
    final = protect([year], policy, earlier=released)
    assert_safe([year], final, policy, earlier=released)


def test_the_margin_key_is_total() -> None:
    # Guards the helper above: inner keys never include the margin.
    assert all(TOTAL not in key for key in inner_keys((ROWS, COLUMNS)))

"""Property tests (issue 13): random data sets, random edits between versions, checked by
the independent auditor (``tests/independent_auditor.py``), not by the suppressor's model.

Data: cases opened by category (LA02), GBV cases by type (LA04) and discrimination cases
by domain (LA05) of one quarter, consistent with each other, plus a two-way table by
region and gender. Edits: a consent withdrawn (a case leaves every table it was in),
cases added (late entries), a case back-dated out of the quarter (it leaves), a case
re-categorised.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legalaid.disclosure.audit import DisclosureRefusedError
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import protect
from legalaid.indicators.dimensions import STATIC_DIMENSIONS, Dimension
from legalaid.indicators.periods import quarter
from legalaid.indicators.tables import CellId, Key, Table
from tests.independent_auditor import Version, audit

POLICY = DisclosurePolicy()
K = POLICY.k
Q = quarter(2026, 3)
CATEGORY = STATIC_DIMENSIONS["category"]
GBV = Dimension("gbv_type", STATIC_DIMENSIONS["gbv_type"].categories[:3])
DOMAIN = Dimension(
    "discrimination_domain", STATIC_DIMENSIONS["discrimination_domain"].categories[:3]
)
REGION = Dimension("region", STATIC_DIMENSIONS["region"].categories[:3])
GENDER = Dimension("gender_identity", STATIC_DIMENSIONS["gender_identity"].categories[:2])

#: One case: (category, its type or domain, region, gender).
Case = tuple[str, str, str, str]


@st.composite
def one_case(draw: st.DrawFn) -> Case:
    category = draw(st.sampled_from(CATEGORY.categories))
    kind = {
        "gbv": draw(st.sampled_from(GBV.categories)),
        "discrimination": draw(st.sampled_from(DOMAIN.categories)),
    }.get(category, "")
    return (
        category,
        kind,
        draw(st.sampled_from(REGION.categories)),
        draw(st.sampled_from(GENDER.categories)),
    )


def tables_of(cases: list[Case]) -> list[Table]:
    def count(dimension: Dimension, pick: Callable[[Case], str | None]) -> dict[Key, int]:
        found: dict[Key, int] = {(c,): 0 for c in dimension.categories}
        for case in cases:
            key = pick(case)
            if key is not None:
                found[(key,)] += 1
        return found

    by_place: dict[Key, int] = {(r, g): 0 for r in REGION.categories for g in GENDER.categories}
    for case in cases:
        by_place[(case[2], case[3])] += 1
    return [
        Table.from_counts("cases_opened", Q, (CATEGORY,), count(CATEGORY, lambda c: c[0])),
        Table.from_counts(
            "gbv_cases_opened", Q, (GBV,), count(GBV, lambda c: c[1] if c[0] == "gbv" else None)
        ),
        Table.from_counts(
            "discrimination_cases_opened",
            Q,
            (DOMAIN,),
            count(DOMAIN, lambda c: c[1] if c[0] == "discrimination" else None),
        ),
        Table.from_counts("clients_by_place", Q, (REGION, GENDER), by_place),
    ]


@st.composite
def edited(draw: st.DrawFn) -> tuple[list[Case], list[Case]]:
    cases = draw(st.lists(one_case(), min_size=0, max_size=40))
    after = list(cases)
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(["withdrawn", "added", "back_dated", "recategorised"]))
        if edit == "added":
            after.extend(draw(st.lists(one_case(), min_size=1, max_size=3)))
        elif after:
            index = draw(st.integers(0, len(after) - 1))
            if edit == "recategorised":
                after[index] = draw(one_case())
            else:  # consent withdrawn or back-dated out of the quarter: the case leaves
                after.pop(index)
    return cases, after


def truth_of(tables: list[Table]) -> dict[CellId, int]:
    return {cell: value for table in tables for _, cell, value in table.cells()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_no_count_nor_change_of_1_to_k_minus_1_can_be_read(
    data: tuple[list[Case], list[Case]],
) -> None:
    before, after = data
    first_tables, second_tables = tables_of(before), tables_of(after)
    first = protect(first_tables, POLICY)
    try:
        second = protect(second_tables, POLICY, earlier=[first.as_published()])
    except DisclosureRefusedError:
        return  # refused: nothing is published, nothing leaks
    truths = [truth_of(first_tables), truth_of(second_tables)]
    versions = [
        Version(tuple(first_tables), first.released()),
        Version(tuple(second_tables), second.released()),
    ]
    # No published count in 1..k-1; no published change in 1..k-1; no hidden cell nor
    # small change recoverable narrower than k (all in the auditor's findings).
    assert audit(versions, truths, K) == []
    assert audit(versions[:1], truths[:1], K) == []

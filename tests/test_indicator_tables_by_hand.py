"""More tables worked out by hand, on the fixed data set of ``test_indicator_measures``.

That module checks every catalogued national table of 2025 cell by cell. This one adds:

- every table of one quarter (2025Q1), cell by cell;
- the total of every measure in each quarter of 2025, in 2026Q1 and in the plan to date;
- every table a clinic's release may hold (the clinic's own tables), for both clinics;
- statistics consent: without the rule, the client who did not consent (c3) counts
  everywhere she belongs; with it, nowhere but in LA10.

The data set and the meaning of c1..c10, k1..k10 and T1..T3 are described at the top of
``tests/test_indicator_measures.py``; the comments here say which records count.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from legalaid.indicators.catalogue import MEASURES
from legalaid.indicators.measures import NATIONAL, Scope
from legalaid.indicators.periods import period_of_code, plan_to_date, quarter
from legalaid.indicators.tables import (
    TOTAL,
    Table,
    build_table,
    clinics_dimension,
    indicator_tables,
)
from legalaid.releases.compute import compute_tables
from tests.test_indicator_measures import (
    EXPECTED_2025,
    LATER,
    NO_CONSENT_POLICY,
    POLICY,
    DataSet,
    build_data_set,
    catalogue,
)

T = TOTAL


@pytest.fixture
def data(session: Session) -> DataSet:
    return build_data_set(session)


def nonzero(table: Table) -> dict[tuple[str, ...], int]:
    return {key: value for key, value in table.values.items() if value}


def layout_of(table: Table) -> tuple[str, ...]:
    return tuple(dimension.name for dimension in table.dimensions)


# --- 2025Q1, every table ----------------------------------------------------------------

#: In 2025Q1 (January to March), with consent: cases k9 (AAA, opened 01-10, closed 01-20
#: and reopened) and k1 (AAA, opened 02-10, law-enforcement respondent, shelter referral
#: completed, short order granted 03-01); k6 (BBB, opened in 2024) still open; c3 and k3
#: left out (no consent); session T1 (AAA, police, Baku: 3 + 3 officers, 4 tested, 2
#: improved). Non-zero cells only.
EXPECTED_2025Q1: dict[str, dict[tuple[str, ...], dict[tuple[str, ...], int]]] = {
    "clients_served": {  # c1 (AAA), c9 (AAA), c6 (BBB): all women of 25-29, urban
        (): {(): 3},
        ("clinic",): {("AAA",): 2, ("BBB",): 1, (T,): 3},
        ("gender_identity",): {("woman",): 3, (T,): 3},
        ("age_band",): {("25_29",): 3, (T,): 3},
        # c1 {hiv, sex_work}, c6 {hiv}, c9 none
        ("key_population",): {("hiv",): 2, ("sex_work",): 1, ("none",): 1, (T,): 3},
        ("region",): {("baku",): 2, ("ganja_dashkasan",): 1, (T,): 3},
        ("settlement",): {("urban",): 3, (T,): 3},
        ("disability",): {("unknown",): 3, (T,): 3},
        ("clinic", "gender_identity"): {
            ("AAA", "woman"): 2,
            ("AAA", T): 2,
            ("BBB", "woman"): 1,
            ("BBB", T): 1,
            (T, "woman"): 3,
            (T, T): 3,
        },
    },
    "clients_excluded_no_consent": {(): {(): 1}, ("clinic",): {("AAA",): 1, (T,): 1}},  # c3
    # Feedback of 2025Q1: AAA's 5 and 2 (satisfied: the 5).
    "feedback_answers": {(): {(): 2}, ("clinic",): {("AAA",): 2, (T,): 2}},
    "feedback_satisfied": {(): {(): 1}, ("clinic",): {("AAA",): 1, (T,): 1}},
    "cases_opened": {  # k9, k1
        (): {(): 2},
        ("clinic",): {("AAA",): 2, (T,): 2},
        ("category",): {("gbv",): 2, (T,): 2},
        ("region",): {("baku",): 2, (T,): 2},
        ("gender_identity",): {("woman",): 2, (T,): 2},
        ("key_population",): {("hiv",): 1, ("sex_work",): 1, ("none",): 1, (T,): 2},
        ("clinic", "category"): {("AAA", "gbv"): 2, ("AAA", T): 2, (T, "gbv"): 2, (T, T): 2},
        ("region", "category"): {("baku", "gbv"): 2, ("baku", T): 2, (T, "gbv"): 2, (T, T): 2},
    },
    # k9 was closed on 01-20 but reopened; k3 (closed 03-30) is left out.
    "cases_closed": {
        (): {},
        ("outcome",): {},
        ("clinic",): {},
        ("category",): {},
        ("clinic", "outcome"): {},
    },
    "gbv_cases_opened": {  # k9 denial of resources, k1 physical assault
        (): {(): 2},
        ("gbv_type",): {("physical_assault",): 1, ("denial_of_resources",): 1, (T,): 2},
        ("clinic",): {("AAA",): 2, (T,): 2},
        ("region",): {("baku",): 2, (T,): 2},
        ("age_band",): {("25_29",): 2, (T,): 2},
        ("clinic", "gbv_type"): {
            ("AAA", "physical_assault"): 1,
            ("AAA", "denial_of_resources"): 1,
            ("AAA", T): 2,
            (T, "physical_assault"): 1,
            (T, "denial_of_resources"): 1,
            (T, T): 2,
        },
    },
    "discrimination_cases_opened": {
        (): {},
        ("discrimination_domain",): {},
        ("clinic",): {},
        ("key_population",): {},
        ("clinic", "discrimination_domain"): {},
    },
    "protection_orders_granted": {  # k1's short order (k3's is left out; k6's in April)
        (): {(): 1},
        ("order_kind",): {("short_term",): 1, (T,): 1},
        ("clinic",): {("AAA",): 1, (T,): 1},
        ("region",): {("baku",): 1, (T,): 1},
        ("clinic", "order_kind"): {
            ("AAA", "short_term"): 1,
            ("AAA", T): 1,
            (T, "short_term"): 1,
            (T, T): 1,
        },
    },
    "referrals_sent": {  # k1 shelter (k3's left out)
        (): {(): 1},
        ("service_type",): {("shelter",): 1, (T,): 1},
        ("clinic",): {("AAA",): 1, (T,): 1},
        ("clinic", "service_type"): {
            ("AAA", "shelter"): 1,
            ("AAA", T): 1,
            (T, "shelter"): 1,
            (T, T): 1,
        },
    },
    "referrals_completed": {  # the same referral, completed
        (): {(): 1},
        ("service_type",): {("shelter",): 1, (T,): 1},
        ("clinic",): {("AAA",): 1, (T,): 1},
        ("clinic", "service_type"): {
            ("AAA", "shelter"): 1,
            ("AAA", T): 1,
            (T, "shelter"): 1,
            (T, T): 1,
        },
    },
    "cases_law_enforcement_respondent": {  # k1 (no incident region: c1's Baku)
        (): {(): 1},
        ("region",): {("baku",): 1, (T,): 1},
        ("clinic",): {("AAA",): 1, (T,): 1},
        ("category",): {("gbv",): 1, (T,): 1},
        ("gender_identity",): {("woman",): 1, (T,): 1},
        ("region", "category"): {
            ("baku", "gbv"): 1,
            ("baku", T): 1,
            (T, "gbv"): 1,
            (T, T): 1,
        },
    },
    "training_sessions": {  # T1
        (): {(): 1},
        ("agency",): {("police",): 1, (T,): 1},
        ("region",): {("baku",): 1, (T,): 1},
        ("clinic",): {("AAA",): 1, (T,): 1},
        ("clinic", "agency"): {("AAA", "police"): 1, ("AAA", T): 1, (T, "police"): 1, (T, T): 1},
    },
    "officers_trained": {  # T1's sheet: 3 women, 3 men
        (): {(): 6},
        ("sex",): {("female",): 3, ("male",): 3, (T,): 6},
        ("agency",): {("police",): 6, (T,): 6},
        ("region",): {("baku",): 6, (T,): 6},
        ("clinic",): {("AAA",): 6, (T,): 6},
        ("agency", "sex"): {
            ("police", "female"): 3,
            ("police", "male"): 3,
            ("police", T): 6,
            (T, "female"): 3,
            (T, "male"): 3,
            (T, T): 6,
        },
        ("clinic", "sex"): {
            ("AAA", "female"): 3,
            ("AAA", "male"): 3,
            ("AAA", T): 6,
            (T, "female"): 3,
            (T, "male"): 3,
            (T, T): 6,
        },
    },
    "officers_tested": {  # 40->60 (f), 50->55 (f), 70->65 (m), 30->45 (m)
        (): {(): 4},
        ("sex",): {("female",): 2, ("male",): 2, (T,): 4},
        ("agency",): {("police",): 4, (T,): 4},
        ("clinic",): {("AAA",): 4, (T,): 4},
        ("agency", "sex"): {
            ("police", "female"): 2,
            ("police", "male"): 2,
            ("police", T): 4,
            (T, "female"): 2,
            (T, "male"): 2,
            (T, T): 4,
        },
    },
    "officers_improved": {  # +20 (f), +15 (m)
        (): {(): 2},
        ("sex",): {("female",): 1, ("male",): 1, (T,): 2},
        ("agency",): {("police",): 2, (T,): 2},
        ("clinic",): {("AAA",): 2, (T,): 2},
        ("agency", "sex"): {
            ("police", "female"): 1,
            ("police", "male"): 1,
            ("police", T): 2,
            (T, "female"): 1,
            (T, "male"): 1,
            (T, T): 2,
        },
    },
}


def test_every_catalogued_table_of_a_quarter_matches_the_hand_count(
    session: Session, data: DataSet
) -> None:
    shipped = catalogue()
    seen = set()
    for indicator in shipped.indicator:
        for table in indicator_tables(
            session, shipped, POLICY, code=indicator.code, period_code="2025Q1", today=LATER
        ):
            assert table.period.code == "2025Q1"
            expected = EXPECTED_2025Q1[table.measure][layout_of(table)]
            assert nonzero(table) == expected, (indicator.code, table.measure, layout_of(table))
            seen.add((table.measure, layout_of(table)))
    # The same tables as the year's: every breakdown and crossing of every indicator.
    assert seen == {(m, layout) for m, tables in EXPECTED_2025.items() for layout in tables}
    assert seen == {(m, layout) for m, tables in EXPECTED_2025Q1.items() for layout in tables}


# --- the total of every measure, period by period ----------------------------------------

PERIODS = ("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2025", "plan")

#: Measure -> totals for PERIODS ("plan": the plan to date through 2026Q1).
TOTALS = {
    # Q1 c1 c6 c9; Q2 c1 (closed 05-20) c2 c6 c9; Q3 c2 c4 c6 c9; Q4 c2 c4 c6 c7 c9;
    # 2026Q1 c2 c4 c6 c8 c9 (c7 closed in December); year 6; plan 7 (c8 too).
    "clients_served": (3, 4, 4, 5, 5, 6, 7),
    "clients_excluded_no_consent": (1, 0, 0, 0, 0, 1, 1),  # c3, served in March only
    "cases_opened": (2, 1, 1, 2, 1, 6, 7),  # k9 k1 | k2 | k4 | k5 k7 | k8
    "cases_closed": (0, 1, 1, 1, 0, 3, 3),  # - | k1 | k10 (declined 07-07) | k7 | -
    "gbv_cases_opened": (2, 0, 1, 0, 1, 3, 4),  # k9 k1 | - | k4 | - | k8
    "discrimination_cases_opened": (0, 1, 0, 1, 0, 2, 2),  # k2 | k7
    "cases_law_enforcement_respondent": (1, 0, 1, 1, 0, 3, 3),  # k1 | k4 | k7
    "protection_orders_granted": (1, 1, 0, 0, 0, 2, 2),  # k1 | k6 (k4 refused)
    "referrals_sent": (1, 1, 1, 1, 0, 4, 4),  # k1 | k2 | k4 | k7
    "referrals_completed": (1, 0, 0, 1, 0, 2, 2),  # k1 | k7 (k4's declined)
    "training_sessions": (1, 0, 0, 1, 1, 2, 3),  # T1 | T2 | T3
    "officers_trained": (6, 0, 0, 7, 2, 13, 15),
    "officers_tested": (4, 0, 0, 0, 0, 4, 4),
    "officers_improved": (2, 0, 0, 0, 0, 2, 2),
    "feedback_answers": (2, 0, 0, 1, 0, 3, 3),  # AAA 5, 2 | - | - | BBB 4
    "feedback_satisfied": (1, 0, 0, 1, 0, 2, 2),
}


def _period(code: str):
    return plan_to_date(quarter(2026, 1)) if code == "plan" else period_of_code(code)


def test_the_total_of_every_measure_in_every_period(session: Session, data: DataSet) -> None:
    assert set(TOTALS) == set(MEASURES)
    clinics = clinics_dimension(session)
    found = {
        name: tuple(
            build_table(
                session,
                measure,
                (),
                _period(code),
                NATIONAL,
                consent_required=measure.uses_clients,
                clinics=clinics,
            ).values[()]
            for code in PERIODS
        )
        for name, measure in MEASURES.items()
    }
    assert found == TOTALS


def test_the_plan_to_date_as_released(session: Session, data: DataSet) -> None:
    """Through the last completed quarter: on 2026-06-01 that is 2026Q1, and long after
    the plan, 2027Q4 (no records after 2026Q1, so the same counts)."""
    shipped = catalogue()
    for today in (date(2026, 6, 1), LATER):
        by_clinic = {}
        for code, measure in (("LA01", "clients_served"), ("LE02", "officers_trained")):
            tables = indicator_tables(
                session, shipped, POLICY, code=code, period_code="2025-2027", today=today
            )
            total = next(t for t in tables if layout_of(t) == ())
            assert total.values == {(): TOTALS[measure][-1]}
            by_clinic[measure] = nonzero(next(t for t in tables if layout_of(t) == ("clinic",)))
        # Clients: c1 c2 c4 c9 (AAA), c6 c7 c8 (BBB); officers: T1 6 + T3 2, T2 7.
        assert by_clinic == {
            "clients_served": {("AAA",): 4, ("BBB",): 3, (T,): 7},
            "officers_trained": {("AAA",): 8, ("BBB",): 7, (T,): 15},
        }


# --- a clinic's own tables ---------------------------------------------------------------


def _clinic_slice(measure: str, layout: tuple[str, ...], clinic: str) -> dict[tuple[str, ...], int]:
    """A clinic's table, read off the hand-made national table by clinic (2025)."""
    national = EXPECTED_2025[measure]
    if not layout:
        count = national[("clinic",)].get((clinic,), 0)
        return {(): count} if count else {}
    (dimension,) = layout
    crossing = national[("clinic", dimension)]
    return {(category,): n for (code, category), n in crossing.items() if code == clinic}


#: (measure, layout) of a clinic's tables: the total, and each breakdown crossed with
#: the clinic in policies/indicators.toml.
CLINIC_TABLES = {
    "LA01": {("clients_served", ()), ("clients_served", ("gender_identity",))},
    "LA02": {("cases_opened", ()), ("cases_opened", ("category",))},
    "LA03": {("cases_closed", ()), ("cases_closed", ("outcome",))},
    "LA04": {("gbv_cases_opened", ()), ("gbv_cases_opened", ("gbv_type",))},
    "LA05": {
        ("discrimination_cases_opened", ()),
        ("discrimination_cases_opened", ("discrimination_domain",)),
    },
    "LA06": {("protection_orders_granted", ()), ("protection_orders_granted", ("order_kind",))},
    "LA07": {("referrals_sent", ()), ("referrals_sent", ("service_type",))},
    "LA08": {
        ("referrals_completed", ()),
        ("referrals_completed", ("service_type",)),
        ("referrals_sent", ()),
        ("referrals_sent", ("service_type",)),
    },
    "LA09": {("cases_law_enforcement_respondent", ())},
    "LA10": {("clients_excluded_no_consent", ())},
    "LE01": {("training_sessions", ()), ("training_sessions", ("agency",))},
    "LE02": {("officers_trained", ()), ("officers_trained", ("sex",))},
    "LE03": {("officers_improved", ()), ("officers_tested", ())},
    "LA11": {("feedback_satisfied", ()), ("feedback_answers", ())},
}


def test_every_table_of_a_clinic_is_its_slice_of_the_national_tables(
    session: Session, data: DataSet
) -> None:
    shipped = catalogue()
    assert set(CLINIC_TABLES) == {indicator.code for indicator in shipped.indicator}
    for clinic in (data.aaa, data.bbb):
        for indicator in shipped.indicator:
            tables = indicator_tables(
                session,
                shipped,
                POLICY,
                code=indicator.code,
                period_code="2025",
                today=LATER,
                scope=Scope(clinic.id),
            )
            assert {(t.measure, layout_of(t)) for t in tables} == CLINIC_TABLES[indicator.code]
            for table in tables:
                where = (clinic.code, indicator.code, table.measure, layout_of(table))
                assert nonzero(table) == _clinic_slice(
                    table.measure, layout_of(table), clinic.code
                ), where
                assert [(d.name, code) for d, code in table.scope] == [("clinic", clinic.code)]


def test_a_few_clinic_tables_written_out() -> None:
    """The slices used above, for a reader to check against the data set directly."""
    assert _clinic_slice("cases_opened", ("category",), "AAA") == {
        ("gbv",): 3,  # k9 k1 k4
        ("discrimination",): 1,  # k2
        ("other",): 1,  # k5
        (T,): 5,
    }
    assert _clinic_slice("cases_closed", ("outcome",), "BBB") == {
        ("not_favour",): 1,  # k7
        ("conflict_declined",): 1,  # k10
        (T,): 2,
    }
    assert _clinic_slice("officers_trained", ("sex",), "BBB") == {
        ("female",): 2,
        ("male",): 5,
        (T,): 7,
    }
    assert _clinic_slice("clients_excluded_no_consent", (), "BBB") == {}
    assert _clinic_slice("officers_tested", (), "AAA") == {(): 4}


# --- statistics consent ------------------------------------------------------------------

#: 2025 totals without the consent rule: c3 and her case k3 (AAA, GBV rape, opened 03-03,
#: law-enforcement respondent, short order granted 03-20, shelter referral completed,
#: closed 03-30 withdrawn) count too. Officers are not clients: no change.
WITHOUT_CONSENT_RULE = {
    "clients_served": 7,
    "clients_excluded_no_consent": 0,
    "cases_opened": 7,
    "cases_closed": 4,
    "gbv_cases_opened": 4,
    "discrimination_cases_opened": 2,
    "cases_law_enforcement_respondent": 4,
    "protection_orders_granted": 3,
    "referrals_sent": 5,
    "referrals_completed": 3,
    "training_sessions": 2,
    "officers_trained": 13,
    "officers_tested": 4,
    "officers_improved": 2,
    "feedback_answers": 3,
    "feedback_satisfied": 2,
}


def test_consent_rule_leaves_one_client_out_of_every_measure_but_la10(
    session: Session, data: DataSet
) -> None:
    shipped = catalogue()
    with_rule: dict[str, int] = {}
    without_rule: dict[str, int] = {}
    for indicator in shipped.indicator:
        for policy, found in ((POLICY, with_rule), (NO_CONSENT_POLICY, without_rule)):
            for table in indicator_tables(
                session, shipped, policy, code=indicator.code, period_code="2025", today=LATER
            ):
                if not table.dimensions:
                    found[table.measure] = table.values[()]
    assert without_rule == WITHOUT_CONSENT_RULE
    assert with_rule == {
        **{name: TOTALS[name][PERIODS.index("2025")] for name in MEASURES},
    }
    # The difference is c3 and her case, and LA10 counts her.
    differences = {
        m: without_rule[m] - with_rule[m] for m in MEASURES if without_rule[m] != with_rule[m]
    }
    assert differences == {
        "clients_served": 1,
        "clients_excluded_no_consent": -1,
        "cases_opened": 1,
        "cases_closed": 1,
        "gbv_cases_opened": 1,
        "cases_law_enforcement_respondent": 1,
        "protection_orders_granted": 1,
        "referrals_sent": 1,
        "referrals_completed": 1,
    }


def test_without_the_rule_her_categories_appear(session: Session, data: DataSet) -> None:
    """c3's own categories (Absheron-Khizi, rural, 30-39, rape, withdrawn) are nowhere
    with the rule, and counted once without it."""
    shipped = catalogue()
    cells = {
        ("LA01", ("region",)): ("absheron_khizi",),
        ("LA01", ("settlement",)): ("rural",),
        ("LA01", ("age_band",)): ("30_39",),
        ("LA04", ("gbv_type",)): ("rape",),
        ("LA03", ("outcome",)): ("withdrawn",),
    }
    for (code, layout), key in cells.items():
        counts = []
        for policy in (POLICY, NO_CONSENT_POLICY):
            tables = indicator_tables(
                session, shipped, policy, code=code, period_code="2025", today=LATER
            )
            (table,) = [t for t in tables if layout_of(t) == layout]
            counts.append(table.values[key])
        # The rural client of 2025 with the rule is c7 (BBB); c3 adds one.
        expected = [1, 2] if key == ("rural",) else [0, 1]
        assert counts == expected, (code, layout, key)


# --- a release's counts: summed from few GROUP BYs, equal to one GROUP BY per cell ------


@pytest.mark.parametrize("code", ["2025", "plan", "2025Q3"])
@pytest.mark.parametrize("consent", [True, False])
def test_a_release_counts_what_one_group_by_per_table_and_margin_counts(
    session: Session, data: DataSet, code: str, consent: bool
) -> None:
    """A release sums quarters into years and margins from finer tables; every cell must
    be what its own GROUP BY gives (the hand-checked path above)."""
    shipped = catalogue()
    policy = POLICY if consent else NO_CONSENT_POLICY
    clinics = clinics_dimension(session)
    for scope in (NATIONAL, Scope(data.aaa.id), Scope(data.bbb.id)):
        released = compute_tables(session, shipped, policy, _period(code), scope)
        assert len(released) > 20
        for table in released:
            measure = MEASURES[table.measure]
            direct = build_table(
                session,
                measure,
                table.dimensions,
                table.period,
                scope,
                consent_required=policy.require_statistics_consent and measure.uses_clients,
                clinics=clinics,
            )
            assert table.values == direct.values, (table.measure, table.period.code, scope)


def test_a_release_of_a_year_runs_each_group_by_once(session: Session, data: DataSet) -> None:
    """Quarters come from one GROUP BY by quarter, distinct clients from one statement
    for the year and its quarters, tables by additive dimensions and their margins from
    one GROUP BY over all of them: a national release of a year needs 19 statements,
    not one per table, margin and period (over 600)."""
    shipped = catalogue()
    statements: list[tuple[str, str]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        if "GROUP BY" in statement or "count(" in statement.lower():
            statements.append((statement, repr(parameters)))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        tables = compute_tables(session, shipped, POLICY, period_of_code("2025"), NATIONAL)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    margins = sum(2 ** len(table.dimensions) for table in tables)
    assert len(statements) == len(set(statements))  # nothing asked twice
    assert margins > 600
    assert len(statements) <= 19, len(statements)

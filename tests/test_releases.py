"""Releases made by the real service on a small fixed data set.

Cases (all opened in 2025, clients consenting to statistics unless said otherwise):

- AAA (Baku): Q1 6 GBV cases (02-10), Q2 3 discrimination cases (05-10), Q3 5 GBV
  (08-10), Q4 1 "other" (11-10);
- BBB (Ganja): Q1 2 GBV (02-20) and one GBV case of a client without statistics consent
  (03-01), Q2 5 GBV (05-20), Q4 7 GBV (11-20);
- one training session of AAA on 2025-08-15 (police, 4 women and 6 men).

So cases opened in 2025Q1 by clinic: AAA 6, BBB 2 (the client without consent is left
out), total 8; BBB's 2 must be suppressed, and with it AAA's 6 (or the total would give
it away). "Today" is 2026-11-22: the quarters 2025Q1 .. 2026Q3, the year 2025 and the
plan to date are complete; 2026Q4 and 2026 are not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.clinics.models import Clinic
from legalaid.disclosure.audit import AuditReport, Published, audit_release
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import protect
from legalaid.errors import DomainError, NotFoundError
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.indicators.measures import NATIONAL, Scope
from legalaid.indicators.periods import PeriodNotAvailableError, period_of_code
from legalaid.indicators.tables import TOTAL, CellId
from legalaid.releases.compute import compute_tables
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.scope import get_visible_release
from legalaid.releases.services import ReleaseRefusedError, create_release
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user
from tests.training_factories import make_training

TODAY = date(2026, 11, 22)
T = TOTAL
YEAR_PERIODS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025"]

#: The tables a clinic's release holds: the total, and each breakdown the catalogue
#: crosses with the clinic (written out from policies/indicators.toml by hand).
CLINIC_TABLES = {
    ("clients_served", ()),
    ("clients_served", ("gender_identity",)),  # LA01
    ("cases_opened", ()),
    ("cases_opened", ("category",)),  # LA02
    ("cases_closed", ()),
    ("cases_closed", ("outcome",)),  # LA03
    ("gbv_cases_opened", ()),
    ("gbv_cases_opened", ("gbv_type",)),  # LA04
    ("discrimination_cases_opened", ()),
    ("discrimination_cases_opened", ("discrimination_domain",)),  # LA05
    ("protection_orders_granted", ()),
    ("protection_orders_granted", ("order_kind",)),  # LA06
    ("referrals_sent", ()),
    ("referrals_sent", ("service_type",)),  # LA07, and LA08's denominator
    ("referrals_completed", ()),
    ("referrals_completed", ("service_type",)),  # LA08
    ("cases_law_enforcement_respondent", ()),  # LA09: no crossing with the clinic
    ("clients_excluded_no_consent", ()),  # LA10
    ("training_sessions", ()),
    ("training_sessions", ("agency",)),  # LE01
    ("officers_trained", ()),
    ("officers_trained", ("sex",)),  # LE02
    ("officers_improved", ()),  # LE03: no crossing with the clinic
    ("officers_tested", ()),
    ("feedback_satisfied", ()),  # LA11: the clinic is its only breakdown
    ("feedback_answers", ()),
}


@dataclass
class World:
    aaa: Clinic
    bbb: Clinic
    lawyer_a: User
    lawyer_b: User
    manager_a: User
    manager_b: User
    task_force: User
    admin: User


def _cases(session: Session, lawyer: User, n: int, on: date, **kwargs: object) -> None:
    for _ in range(n):
        make_case(session, lawyer, on=on, **kwargs)  # type: ignore[arg-type]


def build_world(session: Session) -> World:
    aaa = create_clinic(session, "AAA", region="baku")
    bbb = create_clinic(session, "BBB", region="ganja_dashkasan")
    world = World(
        aaa=aaa,
        bbb=bbb,
        lawyer_a=create_user(session, "lawyer", clinic=aaa),
        lawyer_b=create_user(session, "lawyer", clinic=bbb),
        manager_a=create_user(session, "manager", clinic=aaa),
        manager_b=create_user(session, "manager", clinic=bbb),
        task_force=create_user(session, "task_force"),
        admin=create_user(session, "admin"),
    )
    ganja = {"economic_region": "ganja_dashkasan"}
    _cases(session, world.lawyer_a, 6, date(2025, 2, 10))
    _cases(session, world.lawyer_a, 3, date(2025, 5, 10), category="discrimination")
    _cases(session, world.lawyer_a, 5, date(2025, 8, 10))
    _cases(session, world.lawyer_a, 1, date(2025, 11, 10), category="other")
    _cases(session, world.lawyer_b, 2, date(2025, 2, 20), **ganja)
    _cases(session, world.lawyer_b, 1, date(2025, 3, 1), consent_statistics=False, **ganja)
    _cases(session, world.lawyer_b, 5, date(2025, 5, 20), **ganja)
    _cases(session, world.lawyer_b, 7, date(2025, 11, 20), **ganja)
    make_training(
        session,
        world.manager_a,
        starts_on=date(2025, 8, 15),
        ends_on=date(2025, 8, 15),
        participation_mode="counts",
        officers_female=4,
        officers_male=6,
        officers_total=10,
    )
    return world


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def policies(app: Flask) -> tuple[IndicatorCatalogue, DisclosurePolicy]:
    found = app.extensions["legalaid.policies"]
    assert found.disclosure.k == 5
    return found.indicators, found.disclosure


def release(
    app: Flask, session: Session, user: User, period_code: str, reason: str | None = None
) -> IndicatorRelease:
    catalogue, policy = policies(app)
    made = create_release(
        session,
        catalogue=catalogue,
        policy=policy,
        user=user,
        period_code=period_code,
        reason=reason,
        today=TODAY,
    )
    session.commit()
    return made


def frozen(made: IndicatorRelease) -> FrozenRelease:
    return FrozenRelease(made.content, made.truth)


def audit_of(
    made: IndicatorRelease,
    *earlier: IndicatorRelease,
    current: dict[CellId, int] | None = None,
) -> AuditReport:
    """The exact audit, run again from the outside on what the releases published, with
    the policy the release records. ``current``: today's counts of the earlier releases'
    statistics, when data were entered after them."""
    policy = policy_of(made)
    published = frozen(made).as_published()
    return audit_release(
        published.tables,
        published.values,
        policy,
        earlier=[frozen(e).as_published() for e in earlier],
        current=current,
    )


def counts_now(app: Flask, session: Session, *releases: IndicatorRelease) -> dict[CellId, int]:
    """Today's true counts of every statistic of ``releases``, computed afresh."""
    catalogue, policy = policies(app)
    counts: dict[CellId, int] = {}
    for made in releases:
        scope = NATIONAL if made.clinic_id is None else Scope(made.clinic_id)
        for table in compute_tables(session, catalogue, policy, frozen(made).period, scope):
            for _key, cell, value in table.cells():
                counts[cell] = value
    return counts


def policy_of(made: IndicatorRelease) -> DisclosurePolicy:
    data = frozen(made).policy
    return DisclosurePolicy(
        k=data["k"],
        show_zero=data["show_zero"],
        rounding=data["rounding"],
        require_statistics_consent=data["require_statistics_consent"],
    )


def assert_nothing_recoverable(report: AuditReport, k: int) -> None:
    """Written apart from the audit's own verdict: every hidden cell's range is at least
    k wide, unless anyone can compute it exactly and it is not a small count."""
    assert report.passed, [found.cell.describe() for found in report.failures]
    for found in report.ranges:
        if found.truth is None:
            continue
        public = found.low == found.high and not 1 <= found.truth < k
        assert public or found.width >= k, (found.cell.describe(), found.low, found.high)


def assert_no_small_count_shown(made: IndicatorRelease, k: int = 5) -> int:
    """No published cell between 1 and k-1; suppressed cells are null, never 0."""
    suppressed = 0
    for table, key, value, status in frozen(made).cells():
        if status == "published":
            assert value is not None
            assert not 1 <= value < k, (table.measure, table.period.code, key, value)
        else:
            assert value is None, (table.measure, table.period.code, key, value)
            suppressed += 1
    return suppressed


def truth_of(made: IndicatorRelease) -> Published:
    return frozen(made).as_published()


def true_value(
    made: IndicatorRelease, measure: str, period: str, layout: tuple[str, ...]
) -> dict[tuple[str, ...], int]:
    """The true counts of one table of a release (from its encrypted truth)."""
    published = frozen(made)
    table = published.table(measure, period, layout)
    assert table is not None
    index = published.tables.index(table)
    return dict(truth_of(made).tables[index].values)


def catalogue_tables(catalogue: IndicatorCatalogue) -> set[tuple[str, tuple[str, ...]]]:
    """(measure, layout) of every national table, from the catalogue's own lists."""
    found = set()
    for indicator in catalogue.indicator:
        measures = [indicator.measure]
        if indicator.denominator is not None:
            measures.append(indicator.denominator)
        layouts = [(), *((name,) for name in indicator.disaggregations), *indicator.crossings]
        found |= {(measure, tuple(layout)) for measure in measures for layout in layouts}
    return found


# --- what a release holds ---------------------------------------------------------------


def test_a_year_release_holds_every_table_of_the_year_and_its_quarters(
    app: Flask, session: Session, world: World
) -> None:
    catalogue, _ = policies(app)
    made = release(app, session, world.task_force, "2025")
    assert (made.scope_key, made.clinic_id, made.version, made.reason) == (
        "national",
        None,
        1,
        None,
    )
    assert (made.period_code, made.period_start, made.period_end) == (
        "2025",
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    published = frozen(made)
    assert published.clinic_code is None
    assert [p.code for p in published.periods()] == YEAR_PERIODS
    found = [(t.period.code, t.measure, t.layout) for t in published.tables]
    assert len(found) == len(set(found))  # each table once
    expected = catalogue_tables(catalogue)
    # LA01 9, LA02 8, LA03 5, LA04 6, LA05 5, LA06 5, LA07 4 (shared with LA08), LA08 4,
    # LA09 6, LA10 2, LE01 5, LE02 7, LE03 5 + 5 (officers improved, officers tested),
    # LA11 2 + 2 (satisfied answers, all answers; total and by clinic).
    assert len(expected) == 80
    assert set(found) == {(p, m, layout) for p in YEAR_PERIODS for m, layout in expected}
    assert [entry.code for entry in published.indicators] == [
        "LA01",
        "LA02",
        "LA03",
        "LA04",
        "LA05",
        "LA06",
        "LA07",
        "LA08",
        "LA09",
        "LA10",
        "LA11",
        "LE01",
        "LE02",
        "LE03",
    ]
    cells = list(published.cells())
    assert made.cells_total == len(cells)
    assert made.cells_suppressed == sum(status != "published" for *_, status in cells)

    # A few counts worked out by hand from the data set.
    by_clinic = published.table("cases_opened", "2025", ("clinic",))
    assert by_clinic is not None
    assert by_clinic.values[(T,)] == 29
    assert true_value(made, "cases_opened", "2025", ("clinic",)) == {
        ("AAA",): 15,
        ("BBB",): 14,
        (T,): 29,
    }
    assert true_value(made, "cases_opened", "2025Q2", ("clinic",)) == {
        ("AAA",): 3,
        ("BBB",): 5,
        (T,): 8,
    }
    trained = published.table("officers_trained", "2025Q3", ("sex",))
    assert trained is not None
    assert trained.values[("female",)] is None
    assert trained.values[(T,)] == 10
    assert true_value(made, "officers_trained", "2025Q3", ("sex",)) == {
        ("female",): 4,
        ("male",): 6,
        (T,): 10,
    }
    assert true_value(made, "clients_excluded_no_consent", "2025", ("clinic",)) == {
        ("AAA",): 0,
        ("BBB",): 1,
        (T,): 1,
    }


def test_a_quarter_release_holds_the_quarter_only(
    app: Flask, session: Session, world: World
) -> None:
    catalogue, _ = policies(app)
    published = frozen(release(app, session, world.task_force, "2025Q1"))
    assert [p.code for p in published.periods()] == ["2025Q1"]
    assert {(t.measure, t.layout) for t in published.tables} == catalogue_tables(catalogue)


def test_a_clinic_release_holds_the_clinic_tables_only(
    app: Flask, session: Session, world: World
) -> None:
    made = release(app, session, world.manager_a, "2025")
    assert (made.scope_key, made.clinic_id) == (f"clinic:{world.aaa.id}", world.aaa.id)
    published = frozen(made)
    assert published.clinic_code == "AAA"
    assert [p.code for p in published.periods()] == YEAR_PERIODS
    assert {(t.period.code, t.measure, t.layout) for t in published.tables} == {
        (p, m, layout) for p in YEAR_PERIODS for m, layout in CLINIC_TABLES
    }
    assert len(published.tables) == 5 * len(CLINIC_TABLES)
    assert all(
        [(d.name, code) for d, code in table.scope] == [("clinic", "AAA")]
        for table in published.tables
    )
    # No indicator without a clinic table; no layout that is not the clinic's.
    assert {entry.code: entry.layouts for entry in published.indicators}["LA01"] == (
        (),
        ("gender_identity",),
    )
    # AAA's cases only: 6 + 3 + 5 + 1 by quarter (the 3 and the 1 are hidden).
    assert [true_value(made, "cases_opened", code, ())[()] for code in YEAR_PERIODS] == [
        6,
        3,
        5,
        1,
        15,
    ]
    q2 = published.table("cases_opened", "2025Q2", ())
    assert q2 is not None
    assert q2.values == {(): None}


# --- what is frozen, and what is kept secret ---------------------------------------------


def test_frozen_content_is_the_protection_and_the_truth_rebuilds_the_tables(
    app: Flask, session: Session, world: World
) -> None:
    catalogue, policy = policies(app)
    made = release(app, session, world.task_force, "2025")
    # The first release of its period: nothing earlier to take into account, so the same
    # computation and protection, done here, give what was frozen.
    tables = compute_tables(session, catalogue, policy, period_of_code("2025"), NATIONAL)
    protection = protect(tables, policy)
    published = frozen(made)
    assert len(published.tables) == len(tables)
    rebuilt = published.as_published()
    for table, protected, again, true in zip(
        published.tables, protection.tables, rebuilt.tables, tables, strict=True
    ):
        assert (table.measure, table.period, table.dimensions) == (
            true.measure,
            true.period,
            true.dimensions,
        )
        assert table.values == {key: cell.value for key, cell in protected.cells.items()}
        assert {key: status == "published" for key, status in table.statuses.items()} == {
            key: cell.status == "published" for key, cell in protected.cells.items()
        }
        assert dict(again.values) == dict(true.values)
        assert (again.scope, again.time_additive, again.bounded_by) == (
            true.scope,
            true.time_additive,
            true.bounded_by,
        )
        assert [cell for _, cell, _ in again.cells()] == [cell for _, cell, _ in true.cells()]
    assert dict(rebuilt.values) == protection.released()


def test_suppressed_cells_are_null_and_no_small_count_is_shown(
    app: Flask, session: Session, world: World
) -> None:
    made = release(app, session, world.task_force, "2025Q1")
    assert assert_no_small_count_shown(made) == made.cells_suppressed > 0
    published = frozen(made)
    by_clinic = published.table("cases_opened", "2025Q1", ("clinic",))
    assert by_clinic is not None
    # BBB's 2 is hidden, and AAA's 6 with it: the total would give it away.
    assert by_clinic.values == {("AAA",): None, ("BBB",): None, (T,): 8}
    assert true_value(made, "cases_opened", "2025Q1", ("clinic",)) == {
        ("AAA",): 6,
        ("BBB",): 2,
        (T,): 8,
    }
    # In the stored JSON itself: null where suppressed, never the count, never 0.
    data = json.loads(made.content)
    (stored,) = [
        t
        for t in data["tables"]
        if t["measure"] == "cases_opened"
        and t["period"]["code"] == "2025Q1"
        and [d["name"] for d in t["dimensions"]] == ["clinic"]
    ]
    assert stored["values"] == [None, None, 8]
    assert stored["statuses"][:2] != ["published", "published"]
    # The client without consent: LA10 is 1 (hidden), and she is in no other count.
    excluded = published.table("clients_excluded_no_consent", "2025Q1", ("clinic",))
    assert excluded is not None
    assert excluded.values[("BBB",)] is None
    assert true_value(made, "clients_excluded_no_consent", "2025Q1", ("clinic",))[("BBB",)] == 1
    assert true_value(made, "clients_served", "2025Q1", ("clinic",)) == {
        ("AAA",): 6,
        ("BBB",): 2,
        (T,): 8,
    }


def test_the_true_counts_are_encrypted_in_the_database(
    app: Flask, session: Session, world: World
) -> None:
    made = release(app, session, world.task_force, "2025Q1")
    raw_content, raw_truth, raw_reason = session.execute(
        text("SELECT content, truth, reason FROM indicator_release WHERE id = :id"),
        {"id": made.id},
    ).one()
    assert raw_content == made.content
    assert json.loads(raw_content)["tables"]
    assert raw_truth != made.truth
    # Decrypted: the true counts of every cell, table by table.
    assert json.loads(made.truth) == [list(t.values.values()) for t in truth_of(made).tables]
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw_truth)
    assert "[[" not in raw_truth
    assert raw_reason is None


# --- versions, and releases that overlap -------------------------------------------------


def test_a_second_version_needs_a_reason_and_cannot_undo_the_first(
    app: Flask, session: Session, world: World
) -> None:
    catalogue, policy = policies(app)
    first = release(app, session, world.task_force, "2025Q1")
    for missing in (None, "", "   "):
        with pytest.raises(DomainError) as refused:
            release(app, session, world.task_force, "2025Q1", reason=missing)
        assert refused.value.field == "reason"
    with pytest.raises(DomainError) as too_long:
        release(app, session, world.task_force, "2025Q1", reason="x" * 2001)
    assert too_long.value.field == "reason"

    # Three late entries at BBB: its 2 becomes 5, a count that could be shown alone. Shown
    # beside the first version's total (8) and AAA's unchanged 6, it would give away the
    # 2 that version 1 hid.
    _cases(session, world.lawyer_b, 3, date(2025, 3, 15), economic_region="ganja_dashkasan")
    tables = compute_tables(session, catalogue, policy, period_of_code("2025Q1"), NATIONAL)
    alone = protect(tables, policy)
    leak = audit_release(tables, alone.released(), policy, earlier=[truth_of(first)])
    assert not leak.passed
    assert any(
        found.release == 1 and found.low == found.high == 2 and found.truth == 2
        for found in leak.failures
    )

    second = release(app, session, world.task_force, "2025Q1", reason="  Late entries  ")
    assert (second.version, second.reason) == (2, "Late entries")
    assert (second.period_code, second.scope_key) == (first.period_code, first.scope_key)
    by_clinic = frozen(second).table("cases_opened", "2025Q1", ("clinic",))
    assert by_clinic is not None
    # The total went from 8 to 11: a change of 3 (three late cases) is itself a small
    # count, so the new total is hidden too (versions are protected as differences).
    assert by_clinic.values == {("AAA",): None, ("BBB",): None, (T,): None}
    assert true_value(second, "cases_opened", "2025Q1", ("clinic",))[("BBB",)] == 5
    assert_no_small_count_shown(second)
    assert_nothing_recoverable(audit_of(second, first), policy.k)
    # Version 1 is untouched.
    session.refresh(first)
    assert frozen(first).table("cases_opened", "2025Q1", ("clinic",)).values[(T,)] == 8  # type: ignore[union-attr]


def test_quarters_released_one_by_one_then_the_year(
    app: Flask, session: Session, world: World
) -> None:
    _, policy = policies(app)
    quarters = [release(app, session, world.task_force, code) for code in YEAR_PERIODS[:4]]
    year = release(app, session, world.task_force, "2025")
    for made in (*quarters, year):
        assert made.cells_suppressed > 0
        assert_no_small_count_shown(made)
    # Every relation at once: the year's tables (quarters recomputed inside it) and the
    # four quarters released before.
    assert_nothing_recoverable(audit_of(year, *quarters), policy.k)
    # What was hidden in a quarter release stays hidden in the year's copy of it.
    for made in quarters:
        earlier = frozen(made)
        again = frozen(year)
        for table, key, value, _ in earlier.cells():
            copy = again.table(table.measure, table.period.code, table.layout)
            assert copy is not None
            if value is None:
                assert copy.values[key] is None, (table.measure, table.period.code, key)
    # Hand check: cases opened in 2025 by quarter, nationally: 8, 8, 5, 8 (total 29).
    assert [true_value(year, "cases_opened", code, ())[()] for code in YEAR_PERIODS] == [
        8,
        8,
        5,
        8,
        29,
    ]


def test_a_clinic_release_after_the_national_one_gives_nothing_away(
    app: Flask, session: Session, world: World
) -> None:
    catalogue, policy = policies(app)
    national = release(app, session, world.task_force, "2025Q1")
    hidden = frozen(national).table("cases_opened", "2025Q1", ("clinic",))
    assert hidden is not None
    assert hidden.values == {("AAA",): None, ("BBB",): None, (T,): 8}
    # AAA's own table alone would show its 6, and 8 - 6 gives BBB's 2 away.
    scope = Scope(world.aaa.id)
    tables = compute_tables(session, catalogue, policy, period_of_code("2025Q1"), scope)
    alone = protect(tables, policy)
    leak = audit_release(tables, alone.released(), policy, earlier=[truth_of(national)])
    assert not leak.passed

    clinic = release(app, session, world.manager_a, "2025Q1")
    total = frozen(clinic).table("cases_opened", "2025Q1", ())
    assert total is not None
    assert total.values == {(): None}
    assert_no_small_count_shown(clinic)
    assert_nothing_recoverable(audit_of(clinic, national), policy.k)
    # And the other clinic after both.
    other = release(app, session, world.manager_b, "2025Q1")
    assert_no_small_count_shown(other)
    assert_nothing_recoverable(audit_of(other, national, clinic), policy.k)
    # Same period, another scope: its own series, version 1.
    assert (clinic.version, other.version) == (1, 1)


def test_a_quarter_revised_after_its_year(app: Flask, session: Session, world: World) -> None:
    """A late entry in a quarter whose year is out: the year released again (its quarters
    recomputed inside it), then the quarter."""
    _, policy = policies(app)
    q4 = release(app, session, world.task_force, "2025Q4")
    year = release(app, session, world.task_force, "2025")
    _cases(session, world.lawyer_a, 1, date(2025, 12, 1))  # AAA's Q4: 1 -> 2
    year_2 = release(app, session, world.task_force, "2025", reason="Late entry")
    q4_2 = release(app, session, world.task_force, "2025Q4", reason="Late entry")
    assert (year_2.version, q4_2.version) == (2, 2)
    assert true_value(q4_2, "cases_opened", "2025Q4", ("clinic",)) == {
        ("AAA",): 2,
        ("BBB",): 7,
        (T,): 9,
    }
    for made in (year_2, q4_2):
        assert_no_small_count_shown(made)
    assert_nothing_recoverable(audit_of(q4_2, q4, year, year_2), policy.k)


# Data entered late change earlier periods. The release recounts the statistics of the
# earlier releases it overlaps, so an earlier count is equated with today's only where it
# still holds: otherwise the wrong equations would contradict today's counts or pin a
# hidden cell to a value it does not have, and the release would be refused for ever (the
# plan to date cannot be released again with its old end).


def test_a_quarter_can_be_revised_alone_after_its_year(
    app: Flask, session: Session, world: World
) -> None:
    _, policy = policies(app)
    q4 = release(app, session, world.task_force, "2025Q4")
    year = release(app, session, world.task_force, "2025")
    _cases(session, world.lawyer_a, 1, date(2025, 12, 1))
    q4_2 = release(app, session, world.task_force, "2025Q4", reason="Late entry")
    assert_no_small_count_shown(q4_2)
    current = counts_now(app, session, q4, year)
    assert_nothing_recoverable(audit_of(q4_2, q4, year, current=current), policy.k)


def test_a_late_entry_after_the_plan_to_date_blocks_nothing(
    app: Flask, session: Session, world: World
) -> None:
    catalogue, policy = policies(app)

    def on(day: date, code: str, reason: str | None = None) -> IndicatorRelease:
        made = create_release(
            session,
            catalogue=catalogue,
            policy=policy,
            user=world.task_force,
            period_code=code,
            reason=reason,
            today=day,
        )
        session.commit()
        return made

    plan = on(date(2026, 5, 15), "2025-2027")  # through 2026Q1
    assert plan.period_end == date(2026, 3, 31)
    # A case of May 2025 entered late, still open: 2025Q2 .. 2026Q1 all change.
    _cases(session, world.lawyer_a, 1, date(2025, 5, 12))
    first_of_2026 = on(TODAY, "2026Q1")
    year_2 = on(TODAY, "2025", reason="Late entry")
    new_plan = on(TODAY, "2025-2027")  # through 2026Q3: a series of its own
    assert (first_of_2026.version, year_2.version, new_plan.version) == (1, 1, 1)
    current = counts_now(app, session, plan, first_of_2026, year_2)
    earlier = (plan, first_of_2026, year_2)
    assert_nothing_recoverable(audit_of(new_plan, *earlier, current=current), policy.k)


# --- refusals ----------------------------------------------------------------------------


def test_only_completed_periods_and_only_the_task_force_or_a_manager(
    app: Flask, session: Session, world: World
) -> None:
    for code in ("2026Q4", "2026", "2027", "2024", "2025-01-01/2025-02-01", "2025M01", ""):
        with pytest.raises(PeriodNotAvailableError):
            release(app, session, world.task_force, code)
    for user in (world.lawyer_a, world.admin):
        with pytest.raises(NotFoundError):
            release(app, session, user, "2025Q1")
    assert session.scalar(select(func.count()).select_from(IndicatorRelease)) == 0
    # The last completed quarter and the plan to date can be released.
    assert frozen(release(app, session, world.task_force, "2026Q3")).periods()[-1].code == (
        "2026Q3"
    )
    plan = release(app, session, world.task_force, "2025-2027")
    assert (plan.period_start, plan.period_end) == (date(2025, 1, 1), date(2026, 9, 30))


def test_who_sees_which_release(app: Flask, session: Session, world: World) -> None:
    national = release(app, session, world.task_force, "2025Q1")
    aaa = release(app, session, world.manager_a, "2025Q1")
    bbb = release(app, session, world.manager_b, "2025Q1")
    allowed = {
        world.task_force: {national.id},
        world.manager_a: {aaa.id},
        world.manager_b: {bbb.id},
        world.lawyer_a: set(),
        world.admin: set(),
    }
    for user, ids in allowed.items():
        for made in (national, aaa, bbb):
            if made.id in ids:
                assert get_visible_release(session, user, made.id).id == made.id
            else:
                with pytest.raises(NotFoundError):
                    get_visible_release(session, user, made.id)


def test_audit_entries_for_a_release_and_a_refusal(
    app: Flask, session: Session, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    first = release(app, session, world.task_force, "2025Q1")
    created = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "release.created")
    ).all()
    assert [(e.object_type, e.object_id, e.outcome, e.actor_id) for e in created] == [
        ("release", str(first.id), "success", world.task_force.id)
    ]
    # An earlier release whose published numbers no longer add up (its grand total of
    # cases opened changed by hand in the database, in every table that shows it, while
    # its categories still add up to 8): nothing can be protected against it, so the next
    # version of the period is refused, with an audit entry and nothing released.
    data = json.loads(first.content)
    for table in data["tables"]:
        if table["measure"] == "cases_opened" and table["period"]["code"] == "2025Q1":
            assert table["values"][-1] == 8  # the grand total comes last
            table["values"][-1] = 999
    session.execute(
        update(IndicatorRelease)
        .where(IndicatorRelease.id == first.id)
        .values(content=json.dumps(data))
    )
    session.commit()
    with pytest.raises(ReleaseRefusedError) as refused:
        release(app, session, world.task_force, "2025Q1", reason="Recomputed")
    assert refused.value.status_code == 409
    # The user reads a plain refusal; what failed (codes of statistics, possibly another
    # clinic's) is for the operator's log only.
    assert "contradict" not in str(refused.value)
    assert "Nothing was released" in str(refused.value)
    assert any(
        "refused" in r.getMessage() and "contradict" in r.getMessage() for r in caplog.records
    )
    refusals = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "release.refused")
    ).all()
    assert [(e.object_type, e.object_id, e.outcome, e.actor_id) for e in refusals] == [
        ("release", "2025Q1", "failure", world.task_force.id)
    ]
    assert session.scalar(select(func.count()).select_from(IndicatorRelease)) == 1


def test_the_same_data_give_the_same_release(app: Flask, session: Session, world: World) -> None:
    first = release(app, session, world.task_force, "2025")
    content, truth, suppressed = first.content, first.truth, first.cells_suppressed
    session.delete(first)
    session.commit()
    again = release(app, session, world.task_force, "2025")
    assert again.version == 1
    assert (again.content, again.truth, again.cells_suppressed) == (content, truth, suppressed)


@pytest.mark.postgres_only
def test_a_release_locks_no_table_a_lawyer_writes(
    app: Flask, session: Session, world: World
) -> None:
    """Issue 14: a release once locked every counted table until it committed, and case
    saves waited for it (a median 6 s on 20,000 cases). It counts on a snapshot now
    (tests/test_release_snapshot.py): until its commit, other connections write on."""
    catalogue, policy = policies(app)
    create_release(
        session,
        catalogue=catalogue,
        policy=policy,
        user=world.task_force,
        period_code="2026Q1",
        reason=None,
        today=TODAY,
    )
    engine = session.get_bind().engine

    def write_elsewhere(table: str) -> None:
        other = engine.raw_connection()
        try:
            cursor = other.cursor()
            cursor.execute("SET lock_timeout = '300ms'")
            # A write lock on the table (ROW EXCLUSIVE), as any insert or update takes.
            cursor.execute(f"DELETE FROM {table} WHERE 1 = 0")
        finally:
            other.rollback()
            other.close()

    for table in ("legal_case", "client", "client_key_population", "referral", "training_session"):
        write_elsewhere(table)


def test_a_consent_withdrawn_then_a_new_version_shows_no_small_change(
    app: Flask, session: Session, world: World
) -> None:
    """Issue 13: one client unticks her statistics consent and the period is released
    again; no cell published in both versions differs by 1..k-1, and the release's own
    audit bounds every small change at least k wide."""
    _, policy = policies(app)
    first = release(app, session, world.task_force, "2025Q2")
    from legalaid.cases.models import Case
    from legalaid.clients.models import Client

    client = session.scalars(
        select(Client)
        .join(Case, Case.client_id == Client.id)
        .where(Client.consent_statistics.is_(True), Case.opened_on == date(2025, 5, 20))
        .order_by(Client.id)
    ).first()
    assert client is not None
    client.consent_statistics = False
    session.flush()
    second = release(app, session, world.task_force, "2025Q2", reason="Consent withdrawn")
    before, after = frozen(first), frozen(second)
    changed = []
    for old in before.tables:
        new = after.table(old.measure, old.period.code, old.layout)
        assert new is not None
        for key, value in old.values.items():
            now = new.values[key]
            if value is not None and now is not None and 1 <= abs(now - value) < policy.k:
                changed.append((old.measure, old.period.code, old.layout, key, value, now))
    assert changed == []
    # The withdrawal did change counts (hidden now), and the exclusions' count went up.
    assert (
        true_value(second, "cases_opened", "2025Q2", ())[()]
        == true_value(first, "cases_opened", "2025Q2", ())[()] - 1
    )
    assert second.cells_suppressed > first.cells_suppressed
    assert_nothing_recoverable(audit_of(second, first), policy.k)


def test_older_versions_reach_the_audit_by_their_changes_and_make_the_same_model(
    app: Flask, session: Session, world: World
) -> None:
    """Issue 14: the latest version of each release in full, older ones as what they had
    otherwise than the next version; the model is the one the versions in full make."""
    from legalaid.disclosure.audit import Model, Superseded
    from legalaid.releases.services import as_published, overlapping_releases

    catalogue, policy = policies(app)
    release(app, session, world.task_force, "2025Q4")
    _cases(session, world.lawyer_a, 1, date(2025, 12, 1))
    release(app, session, world.task_force, "2025Q4", reason="Late entry")
    _cases(session, world.lawyer_a, 2, date(2025, 11, 1))
    third = release(app, session, world.task_force, "2025Q4", reason="Late entry")
    rows = overlapping_releases(session, frozen(third).period)
    given = as_published(rows)
    assert [isinstance(r, Superseded) for r in given] == [True, True, False]
    first = given[0]
    assert isinstance(first, Superseded)
    assert 0 < len(first.counts) < len(given[2].values)  # only what changed
    full = [frozen(row).as_published() for row in rows]
    tables = compute_tables(session, catalogue, policy, frozen(third).period, NATIONAL)
    short_model, full_model = Model(tables, given, policy), Model(tables, full, policy)
    assert short_model.links == full_model.links
    assert short_model.changes == full_model.changes
    assert short_model.earlier_known == full_model.earlier_known
    assert short_model.earlier_hidden == full_model.earlier_hidden

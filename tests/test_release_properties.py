"""Properties of the real release service over random small data sets (hypothesis).

Random clinics and cases across the quarters of 2025 (categories, genders, outcomes, some
clients without statistics consent), entered through the real services. The task force
releases the four quarters one by one; random late entries follow and a second version of
one quarter; then the year; more late entries and a second version of the year; late
entries again, and the quarter released again alone after its year (the service recounts
the year, whose counts no longer match its release). Whatever the data:

- no published cell lies between 1 and k-1, and suppressed cells are null, never 0;
- the exact audit, run again from the outside over every release made (the last one with
  all those before it), finds no suppressed cell pinned or narrower than k.

Each example runs in a savepoint of the test's transaction, rolled back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.cases.services import close_case
from legalaid.database import get_database
from legalaid.disclosure.audit import audit_release
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.indicators.measures import NATIONAL
from legalaid.indicators.periods import period_of_code, quarter
from legalaid.indicators.tables import CellId
from legalaid.releases.compute import compute_tables
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.services import create_release
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user

TODAY = date(2026, 11, 22)
QUARTER_CODES = ("2025Q1", "2025Q2", "2025Q3", "2025Q4")

RELEASE_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,  # the same examples on every run (CI)
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,  # each example rolls back its own savepoint
        HealthCheck.data_too_large,
    ],
)


@dataclass(frozen=True)
class CaseSpec:
    clinic: int
    quarter: int  # 1..4 of 2025
    day: int  # days into the quarter
    category: str
    gender: str
    consent: bool
    outcome: str | None  # closed a few days later with this outcome, or left open


case_specs = st.builds(
    CaseSpec,
    clinic=st.integers(0, 2),
    quarter=st.integers(1, 4),
    day=st.integers(0, 80),
    category=st.sampled_from(["gbv", "gbv", "discrimination", "other"]),
    gender=st.sampled_from(["woman", "woman", "trans_woman", "man"]),
    consent=st.sampled_from([True, True, True, True, False]),
    outcome=st.sampled_from([None, None, "resolved_favour", "not_favour", "withdrawn"]),
)


@contextmanager
def rolled_back(app: Flask) -> Iterator[Session]:
    """A session inside a savepoint of the test's connection, undone at the end."""
    factory = get_database(app).session_factory
    connection = factory.kw["bind"]
    assert isinstance(connection, Connection)
    savepoint = connection.begin_nested()
    db = factory()
    try:
        yield db
    finally:
        db.close()
        savepoint.rollback()


def enter(session: Session, lawyers: list[User], spec: CaseSpec) -> None:
    opened = quarter(2025, spec.quarter).start + timedelta(days=spec.day)
    case_ = make_case(
        session,
        lawyers[spec.clinic % len(lawyers)],
        on=opened,
        category=spec.category,
        gender_identity=spec.gender,
        consent_statistics=spec.consent,
    )
    if spec.outcome is not None:
        closed = opened + timedelta(days=5)
        close_case(
            session,
            case_,
            expected_version=case_.version,
            outcome=spec.outcome,
            closed_on=closed,
            by=None,
            today=closed,
        )
        session.commit()


def check_released(made: IndicatorRelease, policy: DisclosurePolicy) -> None:
    for table, key, value, status in FrozenRelease(made.content).cells():
        where = (table.measure, table.period.code, key)
        if status == "published":
            assert value is not None, (where, value)
            assert not policy.is_sensitive(value), (where, value)
        else:
            assert value is None, (where, value)


def check_audit(
    releases: list[IndicatorRelease],
    policy: DisclosurePolicy,
    current: dict[CellId, int] | None = None,
) -> None:
    """The last release audited with all those before it, from what they published.

    The audit bounds the hidden cells of the earlier releases too (with every relation
    of every release), so this one run covers every suppressed cell released so far.
    """
    *earlier, last = [FrozenRelease(made.content, made.truth).as_published() for made in releases]
    report = audit_release(last.tables, last.values, policy, earlier=earlier, current=current)
    assert report.passed, [(f.cell.describe(), f.low, f.high) for f in report.failures]
    hidden_before = {
        (number, cell)
        for number, release in enumerate(earlier, start=1)
        for cell, value in release.values.items()
        if value is None
    }
    bounded = set()
    for found in report.ranges:
        if found.truth is None:
            continue
        bounded.add((found.release, found.cell))
        public = found.low == found.high and not policy.is_sensitive(found.truth)
        assert public or found.width >= policy.k, (found.cell.describe(), found.low)
    # Every cell hidden today was bounded (an earlier hidden cell may have become today's
    # unknown of the same statistic, when its count did not change).
    assert {(0, cell) for cell, value in last.values.items() if value is None} <= bounded
    assert hidden_before


@RELEASE_SETTINGS
@given(
    clinics=st.integers(1, 3),
    cases=st.lists(case_specs, min_size=1, max_size=14),
    late=st.lists(case_specs, min_size=1, max_size=3),
    later=st.lists(case_specs, min_size=1, max_size=3),
    revised=st.sampled_from(QUARTER_CODES),
)
def test_released_quarters_year_and_versions_never_give_a_small_count_away(
    app: Flask,
    session: Session,
    clinics: int,
    cases: list[CaseSpec],
    late: list[CaseSpec],
    later: list[CaseSpec],
    revised: str,
) -> None:
    """The quarters one by one; late entries and a second version of one quarter; the
    year; more late entries and a second version of the year."""
    found = app.extensions["legalaid.policies"]
    catalogue, policy = found.indicators, found.disclosure
    with rolled_back(app) as db:
        lawyers = []
        for number in range(clinics):
            clinic = create_clinic(db, f"P{number}X")
            lawyers.append(create_user(db, "lawyer", clinic=clinic))
        task_force = create_user(db, "task_force")
        for spec in cases:
            enter(db, lawyers, spec)

        def release(code: str, reason: str | None = None) -> IndicatorRelease:
            made = create_release(
                db,
                catalogue=catalogue,
                policy=policy,
                user=task_force,
                period_code=code,
                reason=reason,
                today=TODAY,
            )
            db.commit()
            check_released(made, policy)
            return made

        releases = [release(code) for code in QUARTER_CODES]
        for spec in late:
            enter(db, lawyers, spec)
        releases.append(release(revised, reason="Late entries"))
        releases.append(release("2025"))
        for spec in later:
            enter(db, lawyers, spec)
        releases.append(release("2025", reason="Later entries"))
        assert [made.version for made in releases[-3:]] == [2, 1, 2]
        check_audit(releases, policy)
        # Late again, and this time only the quarter is released again: the year's counts
        # are not recomputed in it, so the audit needs today's counts of them.
        for spec in late:
            enter(db, lawyers, spec)
        releases.append(release(revised, reason="Late entries after the year"))
        year_now = compute_tables(db, catalogue, policy, period_of_code("2025"), NATIONAL)
        current = {cell: value for table in year_now for _key, cell, value in table.cells()}
        check_audit(releases, policy, current)

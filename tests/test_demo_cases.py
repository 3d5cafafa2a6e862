"""Synthetic demo casework: realistic plans, the service-built demo and the bulk builder."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.cases.conflict_check import check_conflicts
from legalaid.cases.models import Case, Respondent
from legalaid.cases.services import CaseDetails, RespondentInput, take_intake
from legalaid.casework.models import Hearing, ServiceDelivery
from legalaid.cli import main
from legalaid.clients.models import Client
from legalaid.clients.services import ClientDetails
from legalaid.clinics.models import Clinic, NumberCounter
from legalaid.clinics.services import CODE_PATTERN
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.names import name_keys
from legalaid.conflicts.service import Subject
from legalaid.database import get_database
from legalaid.demo import bulk
from legalaid.demo.builder import build_demo
from legalaid.demo.cases import DEMO_START, CasePlan, CasePlanner, ClinicRef, ProviderRef
from legalaid.demo.names import PROVIDERS
from legalaid.factory import create_app
from legalaid.referrals.models import Referral
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from tests.conftest import make_settings

TODAY = date(2026, 11, 20)
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture
def demo_app(fresh_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh migrated database of its own (the builders commit)."""
    from legalaid.schema.migrations import upgrade

    settings = make_settings(fresh_database_url, tmp_path)
    application = create_app(settings, check_schema=False)
    upgrade(get_database(application).engine)
    try:
        with application.app_context():
            yield application
    finally:
        get_database(application).engine.dispose()


def _plans(count: int, seed: int = 5) -> list[CasePlan]:
    clinics = [
        ClinicRef(1, "BAK", "baku", date(2026, 6, 1), (1, 2, 3, 4, 5)),
        ClinicRef(2, "GNJ", "ganja_dashkasan", date(2026, 6, 15), (6, 7, 8)),
        ClinicRef(3, "LNK", "lankaran_astara", date(2027, 1, 10), (9, 10)),
    ]
    providers = [ProviderRef(n, kind, region) for n, (_, kind, region, _) in enumerate(PROVIDERS)]
    return list(CasePlanner(random.Random(seed), clinics, providers, TODAY).plans(count))


def test_plans_are_plausible() -> None:
    plans = _plans(3000)
    assert len(plans) == 3000
    categories = Counter(plan.case.category for plan in plans)
    assert 0.55 < categories["gbv"] / 3000 < 0.65
    assert 0.25 < categories["discrimination"] / 3000 < 0.35
    women = sum(plan.client.gender_identity in ("woman", "trans_woman") for plan in plans)
    assert women / 3000 > 0.85
    assert Counter(plan.status for plan in plans).keys() == {"intake", "open", "closed"}
    assert [plan.intake_on for plan in plans] == sorted(plan.intake_on for plan in plans)
    # No case before its clinic opened, none in the future: LNK opens after TODAY.
    assert {plan.clinic.code for plan in plans} == {"BAK", "GNJ"}
    assert all(DEMO_START <= plan.intake_on <= TODAY for plan in plans)
    assert any(CYRILLIC.search(plan.client.full_name) for plan in plans)
    assert any(not CYRILLIC.search(plan.client.full_name) for plan in plans)
    relations = Counter(row.relation for plan in plans for row in plan.respondents)
    assert relations["law_enforcement"] > 50
    upcoming = overdue = 0
    for plan in plans:
        dated = [plan.opened_on, plan.closed_on, plan.reopened_on, plan.reassigned_on]
        dated += [s.delivered_on for s in plan.services] + [
            s.order_result_on for s in plan.services
        ]
        dated += [r.sent_on for r in plan.referrals] + [r.status_on for r in plan.referrals]
        dated += [note.written_on for note in plan.notes]
        assert all(day <= TODAY for day in dated if day is not None), plan
        # Referrals only with the client's consent to sharing.
        assert plan.client.consent_sharing or not plan.referrals
        for hearing in plan.hearings:
            upcoming += TODAY < hearing.due_on <= TODAY + timedelta(days=14)
            overdue += hearing.due_on < TODAY and hearing.done_on is None
            assert plan.end is None or hearing.due_on <= plan.end
    assert upcoming > 100
    assert overdue > 20
    orders = [s for plan in plans for s in plan.services if s.service_type == "protection_order"]
    assert {s.order_result for s in orders} >= {"granted", "refused", "pending"}


def test_bulk_name_keys_are_the_apps(demo_app: Flask) -> None:
    keys = bulk.BlindKeys()
    for plan in _plans(300):
        names = (plan.client.full_name, plan.client.other_names)
        assert keys.names(*names) == name_keys(*names)
        for row in plan.respondents:
            assert keys.names(row.name) == name_keys(row.name)


def _snapshot(session: Session) -> list[tuple[Any, ...]]:
    statement = (
        select(
            Case.number,
            Case.category,
            Case.gbv_type,
            Case.status,
            Case.outcome,
            Case.intake_on,
            Case.closed_on,
            Client.number,
            Client.full_name,
            User.email,
        )
        .join(Client, Client.id == Case.client_id)
        .join(User, User.id == Case.assigned_lawyer_id)
        .order_by(Case.number)
    )
    rows = [tuple(row) for row in session.execute(statement)]
    for model in (ServiceDelivery, Hearing, Referral, Respondent):
        rows.append((model.__name__, session.scalar(select(func.count()).select_from(model))))
    return rows


def _build(app: Flask, seed: int, cases: int) -> list[tuple[Any, ...]]:
    database = get_database(app)
    with database.transaction() as session:
        report = build_demo(session, seed=seed, today=TODAY, cases=cases)
        assert report.casework is not None
        assert sum(report.casework.cases.values()) == cases
    with database.session_factory() as session:
        return _snapshot(session)


def test_service_demo_is_reproducible_per_seed(
    demo_app: Flask, database_server: Any, tmp_path: Path
) -> None:
    first = _build(demo_app, seed=11, cases=40)
    other = create_app(make_settings(database_server.new_url(), tmp_path / "b"), check_schema=False)
    from legalaid.schema.migrations import upgrade

    upgrade(get_database(other).engine)
    try:
        with other.app_context():
            assert _build(other, seed=11, cases=40) == first
    finally:
        get_database(other).engine.dispose()
    assert len(first) == 40 + 4
    assert {row[3] for row in first[:40]} <= {"intake", "open", "closed"}
    assert len({row[0] for row in first[:40]}) == 40


def test_bulk_cases_are_valid_indexed_and_encrypted(demo_app: Flask) -> None:
    database = get_database(demo_app)
    with database.transaction() as session:
        report = build_demo(session, seed=3, today=TODAY, cases=0)
    planner = CasePlanner(report.rng, report.clinic_refs, report.providers, TODAY)
    done: list[int] = []
    result = bulk.build_bulk_cases(
        database.session_factory,
        planner=planner,
        count=300,
        chunk_size=120,
        progress=lambda cases, _seconds: done.append(cases),
    )
    assert done == [120, 240, 300]
    assert result.cases == 300 == result.rows["legal_case"]

    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 300
        # Numbers come from the clinic counters, in intake order, without gaps.
        for clinic in report.clinics:
            numbers = session.execute(
                select(Case.seq, Case.intake_on)
                .where(Case.clinic_id == clinic.id)
                .order_by(Case.seq)
            ).all()
            assert [row.seq for row in numbers] == list(range(1, len(numbers) + 1))
            assert [row.intake_on for row in numbers] == sorted(row.intake_on for row in numbers)
            last = session.scalar(
                select(NumberCounter.last).where(
                    NumberCounter.clinic_id == clinic.id, NumberCounter.series == "case-2026"
                )
            )
            assert (last or 0) == len(numbers)
        # Every client's names are indexed exactly as the service would index them.
        for client in session.scalars(select(Client)):
            keys = session.scalars(select(NameKey.key).where(NameKey.client_id == client.id))
            assert sorted(keys) == sorted(name_keys(client.full_name, client.other_names))
        named = session.scalar(
            select(func.count()).select_from(Respondent).where(Respondent.name.is_not(None))
        )
        indexed = session.scalar(select(func.count(func.distinct(NameKey.respondent_id))))
        assert named == indexed
        stored = session.execute(text("SELECT full_name, phone FROM client")).all()
        assert all(row.full_name.startswith("v1:") for row in stored)
        assert all(row.phone is None or row.phone.startswith("v1:") for row in stored)

        # The conflict check finds a bulk client, from the manager's chair.
        manager = session.scalar(select(User).where(User.role == "manager"))
        first = session.scalar(select(Client).order_by(Client.id).limit(1))
        assert manager is not None
        assert first is not None
        report_ = check_conflicts(session, manager, [Subject("client", (first.full_name,))])
        assert first.id in {hit.client_id for hit in report_.hits}

    # Ids were given by the builder; the app's own inserts must still find free ones.
    with database.transaction() as session:
        lawyer = session.scalar(select(User).where(User.email == "lawyer@demo.legalaid.az"))
        assert lawyer is not None
        assert lawyer.clinic is not None
        intake = take_intake(
            session,
            lawyer,
            clinic=lawyer.clinic,
            existing_client=None,
            client_details=ClientDetails(
                full_name="Ayan Demo",
                gender_identity="woman",
                economic_region="baku",
                settlement="urban",
                age_band="30_39",
            ),
            case_details=CaseDetails(category="other", risk_level="low"),
            respondents=[RespondentInput("Rəşad Demo", "former_partner")],
            assigned_lawyer_id=lawyer.id,
            decision="proceed",
            decline_reason="",
            today=TODAY,
        )
        assert intake.case.id > 300


def test_cli_bulk_demo_prints_a_summary(fresh_database_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["demo", "--seed", "4", "--cases", "150", "--reset-postgresql"],
        env={
            "LEGALAID_DATABASE_URL": fresh_database_url,
            "LEGALAID_INSTANCE_PATH": str(tmp_path),
            "LEGALAID_ENV": "development",
        },
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    # 150 cases need no more than the demo clinics' 12 lawyers, realistic or not.
    assert "network (realistic): 4 clinics, 12 lawyers;" in result.output
    assert re.search(r"^bulk casework: 150 cases in [\d.]+ s", result.output, re.MULTILINE)
    assert "no audit entries" in result.output
    assert re.search(
        r"^  lawyer\s+BAK\s+lawyer@demo\.legalaid\.az\s+password: \S+$", result.output, re.M
    )


def _held(session: Session) -> dict[str, int]:
    """Cases per clinic code (every clinic, even one without cases)."""
    counts = dict(
        session.execute(select(Case.clinic_id, func.count()).group_by(Case.clinic_id)).all()
    )
    return {clinic.code: counts.get(clinic.id, 0) for clinic in session.scalars(select(Clinic))}


def test_realistic_network_grows_with_the_cases(demo_app: Flask) -> None:
    # One clinic per 50 cases here (5000 in real use): 600 cases need 12 clinics' worth
    # of lawyers. The demo's 12 lawyers count for 2 clinics of six, so 10 are added.
    per_clinic = 50
    database = get_database(demo_app)
    with database.transaction() as session:
        report = build_demo(session, seed=8, today=TODAY, cases=0)
    with database.transaction() as session:
        plan = bulk.plan_network(
            session,
            report.rng,
            network="realistic",
            count=600,
            today=TODAY,
            cases_per_clinic=per_clinic,
        )
    assert plan.added == ["NAA", "NAB", "NAC", "NAD", "NAE", "NAF", "NAG", "NAH", "NAI", "NAJ"]
    assert (plan.clinics, plan.lawyers) == (14, 12 + 10 * 6)
    bulk.build_bulk_cases(database.session_factory, planner=plan.planner, count=600)

    with database.session_factory() as session:
        added = session.scalars(select(Clinic).where(Clinic.code.in_(plan.added))).all()
        regions = ECONOMIC_REGIONS.codes
        for index, clinic in enumerate(sorted(added, key=lambda c: c.code)):
            assert CODE_PATTERN.match(clinic.code)
            assert clinic.economic_region == regions[index % len(regions)]
            assert clinic.opened_on is not None
            assert DEMO_START <= clinic.opened_on < TODAY
            roles = Counter(
                session.scalars(select(User.role).where(User.clinic_id == clinic.id)).all()
            )
            assert roles == {"manager": 1, "lawyer": 6}
        # Opened through the service, with its audit entry.
        audited = session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.action == "clinic.created")
        ).all()
        assert {str(clinic.id) for clinic in added} <= set(audited)
        # Every clinic takes cases, about in proportion to its lawyers (50 for six).
        held = _held(session)
        assert sum(held.values()) == 600
        assert all(20 <= held[code] <= 90 for code in plan.added), held
        assert sum(held[code] for code in ("BAK", "GNJ", "LNK", "SHK")) in range(60, 160)
        # The network's lawyers share the work too, not only the demo's.
        lawyers = session.scalar(
            select(func.count(func.distinct(Case.assigned_lawyer_id))).where(
                Case.clinic_id.in_([clinic.id for clinic in added])
            )
        )
        assert lawyers == 60

    # Twice the cases, twice the network; a clinic that holds its share takes no more,
    # so its staff keep their caseload while the database grows.
    with database.transaction() as session:
        again = bulk.plan_network(
            session,
            report.rng,
            network="realistic",
            count=600,
            today=TODAY,
            cases_per_clinic=per_clinic,
        )
    assert len(again.added) == 12
    assert again.added[0] == "NAK"
    bulk.build_bulk_cases(database.session_factory, planner=again.planner, count=600)
    with database.session_factory() as session:
        after = _held(session)
        staff = dict(
            session.execute(
                select(Clinic.code, func.count(User.id))
                .join(User, User.clinic_id == Clinic.id)
                .where(User.role == "lawyer")
                .group_by(Clinic.code)
            ).all()
        )
    assert sum(after.values()) == 1200
    full = [code for code, cases in held.items() if cases >= 1200 * staff[code] / again.lawyers]
    assert full, held
    assert all(after[code] == held[code] for code in full)
    assert all(20 <= after[code] <= 90 for code in again.added), after


def test_fixed_network_keeps_the_demo_clinics(demo_app: Flask) -> None:
    database = get_database(demo_app)
    with database.transaction() as session:
        report = build_demo(session, seed=8, today=TODAY, cases=0)
        plan = bulk.plan_network(session, report.rng, network="fixed", count=100_000, today=TODAY)
        assert plan.added == []
        assert {clinic.code for clinic in plan.planner.clinics} == {"BAK", "GNJ", "LNK", "SHK"}
        assert session.scalar(select(func.count()).select_from(Clinic)) == 4
        with pytest.raises(ValueError, match="unknown network"):
            bulk.plan_network(session, report.rng, network="national", count=1, today=TODAY)

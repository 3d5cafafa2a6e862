"""Retention and erasure: overwritten for real (raw file, pg_dump), refused when it must be."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from legalaid.audit.models import AuditEntry
from legalaid.cases.conflict_check import check_conflicts
from legalaid.cases.models import Case
from legalaid.cases.services import close_case
from legalaid.clients.models import Client
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.service import Subject
from legalaid.database import checkpoint_sqlite_wal, get_database
from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.indicators.dimensions import Dimension
from legalaid.indicators.tables import Key
from legalaid.retention.erasure import (
    ErasureRefusedError,
    due_clients,
    erase_client,
    retention_policy,
    set_legal_hold,
)
from tests.case_factories import close_years_ago, make_case
from tests.conftest import make_settings
from tests.factories import create_clinic, create_user

TODAY = date(2026, 12, 7)
NAME = "Zumrudxanim Qaraqizova"
RESPONDENT = "Behbudali Tapdiqoglu"
PHONE = "+994 55 901 23 45"


@pytest.fixture
def committed_app(migrated_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = create_app(make_settings(migrated_database_url, tmp_path))
    with application.app_context():
        yield application
    get_database(application).engine.dispose()


def _closed_case(app: Flask, *, years_ago: int, name: str = NAME) -> tuple[int, int, int]:
    database = get_database(app)
    with database.session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        case = make_case(
            session,
            lawyer,
            full_name=name,
            respondents=((RESPONDENT, "intimate_partner"),),
            phone=PHONE,
            on=date(2018, 3, 1),
        )
        close_years_ago(
            session, case, years_ago, today=TODAY, closed_on=date(2018, 6, 1), outcome=_an_outcome()
        )
        return case.id, case.client_id, lawyer.id


def _an_outcome() -> str:
    from legalaid.vocabulary.casework import CASE_OUTCOMES

    return CASE_OUTCOMES.codes[0]


def _stored_secrets(app: Flask, client_id: int) -> list[str]:
    """The raw ciphertexts and blind keys stored for her, as the database holds them."""
    database = get_database(app)
    with database.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT full_name, phone FROM client WHERE id = ?"
            if database.engine.dialect.name == "sqlite"
            else "SELECT full_name, phone FROM client WHERE id = %s",
            (client_id,),
        ).one()
        keys = [k for (k,) in connection.exec_driver_sql("SELECT key FROM name_key").all()]
        names = [n for (n,) in connection.exec_driver_sql("SELECT name FROM respondent").all() if n]
    return [row[0], row[1], *keys, *names]


def _raw_bytes(app: Flask) -> bytes:
    database = get_database(app)
    url = make_url(str(database.engine.url))
    if database.engine.dialect.name == "sqlite":
        checkpoint_sqlite_wal(database.engine)
        path = Path(str(url.database))
        data = path.read_bytes()
        wal = path.with_name(path.name + "-wal")
        return data + (wal.read_bytes() if wal.exists() else b"")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run([pg_dump, dsn], check=True, capture_output=True).stdout


def test_erasure_overwrites_every_value_and_keeps_the_record(committed_app: Flask) -> None:
    _, client_id, lawyer_id = _closed_case(committed_app, years_ago=6)
    before = _stored_secrets(committed_app, client_id)
    assert len(before) >= 4
    raw = _raw_bytes(committed_app)
    assert all(value.encode() in raw for value in before)

    database = get_database(committed_app)
    with database.session_factory() as session:
        from legalaid.accounts.models import User
        from legalaid.casefile.client_search import clients_named

        lawyer = session.get_one(User, lawyer_id)
        found = session.scalars(clients_named(lawyer, NAME)).all()
        assert [client.id for client in found] == [client_id], "the name search finds her"
    with database.transaction() as session:
        assert due_clients(session, retention_policy(), TODAY) == [client_id]
        erase_client(session, client_id, rule="retention", today=TODAY)

    raw = _raw_bytes(committed_app)
    for value in [*before, NAME, RESPONDENT, PHONE, "Zumrudxanim", "Qaraqizova"]:
        assert value.encode() not in raw, value
    with database.session_factory() as session:
        client = session.get(Client, client_id)
        assert client is not None
        assert client.erased_on == TODAY
        assert client.erasure_rule == "retention"
        assert client.age_band == "25_29"
        assert client.gender_identity == "woman"
        assert client.phone is None
        assert client.full_name == ""
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(NameKey)) == 0
        from legalaid.accounts.models import User

        lawyer = session.get_one(User, lawyer_id)
        report = check_conflicts(session, lawyer, [Subject("client", (NAME,), label="client")])
        assert report.hits == []
        assert session.scalars(clients_named(lawyer, NAME)).all() == []
        assert session.scalars(clients_named(lawyer, "Qaraqizova")).all() == []
        assert due_clients(session, retention_policy(), TODAY) == []


def test_not_yet_due_and_legal_hold_stop_the_job(committed_app: Flask) -> None:
    _, recent_client, _ = _closed_case(committed_app, years_ago=2, name="Nargiz Recentova")
    held_case, held_client, _ = _closed_case(committed_app, years_ago=9, name="Gulnar Heldova")
    database = get_database(committed_app)
    with database.transaction() as session:
        case = session.get(Case, held_case)
        assert case is not None
        assert due_clients(session, retention_policy(), TODAY) == [held_client]
        set_legal_hold(session, case, hold=True, today=TODAY)
    with database.transaction() as session:
        assert due_clients(session, retention_policy(), TODAY) == []
        with pytest.raises(ErasureRefusedError, match="legal hold"):
            erase_client(session, held_client, rule="client_request", today=TODAY)
    with database.session_factory() as session:
        held = session.get(Client, held_client)
        assert held is not None
        assert held.erased_on is None
        assert held.full_name == "Gulnar Heldova"
        assert recent_client not in due_clients(session, retention_policy(), TODAY)


def test_erasure_of_an_open_case_is_refused(committed_app: Flask) -> None:
    database = get_database(committed_app)
    with database.session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        case = make_case(session, lawyer, full_name="Aysel Openova")
        client_id = case.client_id
    with database.transaction() as session, pytest.raises(ErasureRefusedError, match="still open"):
        erase_client(session, client_id, rule="client_request", today=TODAY)
    with database.session_factory() as session:
        client = session.get(Client, client_id)
        assert client is not None
        assert client.full_name == "Aysel Openova"
        assert session.scalar(
            select(func.count()).select_from(NameKey).where(NameKey.client_id == client_id)
        )


def test_a_retention_file_with_an_unknown_category_stops_start_up(
    migrated_database_url: str, tmp_path: Path
) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "retention.toml").write_text(
        "[keep_years]\ngbv = 5\ndiscrimination = 5\nother = 3\nimmigration = 2\n",
        encoding="utf-8",
    )
    with pytest.raises(StartupError, match="unknown case category: immigration"):
        create_app(make_settings(migrated_database_url, tmp_path / "i", policy_dir=policies))


#: Each table's dimensions and true counts, by period code, measure and clinic id.
EveryTable = dict[tuple[str, str, int | None], tuple[tuple[Dimension, ...], dict[Key, int]]]


def _every_table(app: Flask, period_codes: tuple[str, ...]) -> EveryTable:
    """Every indicator table of every period, nationally and per clinic, with true counts."""
    from legalaid.clinics.models import Clinic
    from legalaid.indicators.measures import NATIONAL, Scope
    from legalaid.indicators.periods import period_of_code
    from legalaid.releases.compute import compute_tables

    found = app.extensions["legalaid.policies"]
    tables: EveryTable = {}
    with get_database(app).session_factory() as session:
        clinic_ids = list(session.scalars(select(Clinic.id).order_by(Clinic.id)))
        for code in period_codes:
            for scope in [NATIONAL, *(Scope(clinic_id=c) for c in clinic_ids)]:
                for table in compute_tables(
                    session, found.indicators, found.disclosure, period_of_code(code), scope
                ):
                    key = (code, table.measure, scope.clinic_id)
                    tables[key] = (table.dimensions, dict(table.values))
    return tables


def _busy_closed_case(
    app: Flask, *, name: str, category: str = "gbv", consent_statistics: bool = True
) -> int:
    """A case of 2018 with everything the indicators count: services, a protection order
    granted, a referral sent and completed, a law-enforcement respondent; closed since 2019."""
    from legalaid.casework.services import add_service, record_order_result
    from legalaid.providers.services import create_provider
    from legalaid.referrals.services import refer, set_referral_status

    day = date(2018, 4, 10)
    database = get_database(app)
    with database.session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        case = make_case(
            session,
            lawyer,
            full_name=name,
            category=category,
            respondents=(("Polis Serjantov", "law_enforcement"),),
            on=day,
            consent_statistics=consent_statistics,
        )
        add_service(
            session,
            case,
            service_type="advice",
            delivered_on=day,
            order_kind=None,
            by=lawyer.id,
            today=day,
        )
        order = add_service(
            session,
            case,
            service_type="protection_order",
            delivered_on=day,
            order_kind="short_term",
            by=lawyer.id,
            today=day,
        )
        session.flush()
        record_order_result(
            session,
            case,
            order,
            result="granted",
            result_on=date(2018, 4, 20),
            expected_version=order.version,
            today=date(2018, 4, 20),
        )
        provider = create_provider(
            session,
            name=f"Shelter of {clinic.code}",
            service_type="shelter",
            economic_region="baku",
            contact="",
            by=None,
        )
        referral = refer(
            session,
            case,
            provider_id=provider.id,
            service_type=None,
            sent_on=day,
            by=lawyer.id,
            today=day,
        )
        session.flush()
        set_referral_status(
            session,
            case,
            referral,
            status="completed",
            expected_version=referral.version,
            today=date(2018, 5, 2),
        )
        close_case(
            session,
            case,
            expected_version=case.version,
            outcome=_an_outcome(),
            closed_on=date(2018, 6, 1),
            by=lawyer.id,
            today=date(2018, 6, 1),
        )
        session.commit()
        session.execute(update(Case).where(Case.id == case.id).values(closed_on=date(2019, 1, 5)))
        session.commit()
        return case.client_id


#: Indicators that must count something in 2018, or the identity proves little about them.
MUST_COUNT = (
    "clients_served",
    "cases_opened",
    "cases_closed",
    "gbv_cases_opened",
    "discrimination_cases_opened",
    "protection_orders_granted",
    "referrals_sent",
    "referrals_completed",
    "cases_law_enforcement_respondent",
    "clients_excluded_no_consent",
)


@pytest.mark.parametrize("path", ["one_by_one", "batched"])
def test_every_indicator_table_of_every_period_is_identical_after_erasure(
    committed_app: Flask, path: str
) -> None:
    erased = _busy_closed_case(committed_app, name="Zumrud Sayilanova")
    erased_too = _busy_closed_case(
        committed_app, name="Nazile Ayrisecki", category="discrimination"
    )
    erased_unconsenting = _busy_closed_case(
        committed_app, name="Ulviyye Razisizova", consent_statistics=False
    )
    _busy_closed_case(committed_app, name="Sevinc Qalanova")
    _closed_case(committed_app, years_ago=1, name="Leyla Qalanova")
    periods = ("2018", "2018Q1", "2018Q2", "2018Q3", "2018Q4", "2019", "2019Q1")
    before = _every_table(committed_app, periods)
    nonzero = {
        measure
        for (_, measure, _), (_, values) in before.items()
        if any(v for v in values.values())
    }
    assert set(MUST_COUNT) <= nonzero, sorted(set(MUST_COUNT) - nonzero)

    database = get_database(committed_app)
    if path == "batched":
        from legalaid.retention.run import run_retention

        with database.session_factory() as session:
            assert run_retention(session, retention_policy(), TODAY, batch_size=2).erased == 4
    else:
        for client_id in (erased, erased_too, erased_unconsenting):
            with database.transaction() as session:
                erase_client(session, client_id, rule="retention", today=TODAY)

    after = _every_table(committed_app, periods)
    assert after.keys() == before.keys()
    changed = [key for key in before if before[key] != after[key]]
    assert changed == []


def test_the_retention_command_erases_due_clients_reports_a_count_and_is_idempotent(
    committed_app: Flask,
) -> None:
    from legalaid.retention.cli import retention

    _, due_one, _ = _closed_case(committed_app, years_ago=6, name="Sabina Birinciyeva")
    _, due_two, _ = _closed_case(committed_app, years_ago=8, name="Samira Ikinciyeva")
    _, recent, _ = _closed_case(committed_app, years_ago=1, name="Sona Yeniyeva")
    held_case, held, _ = _closed_case(committed_app, years_ago=9, name="Sevda Saxlanova")
    database = get_database(committed_app)
    with database.transaction() as session:
        case = session.get(Case, held_case)
        assert case is not None
        set_legal_hold(session, case, hold=True, today=TODAY)

    ciphertexts = [_stored_secrets(committed_app, cid)[0] for cid in (due_one, due_two)]
    runner = committed_app.test_cli_runner()
    first = runner.invoke(retention, ["run"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "erased 2 client(s); 0 refused"
    with database.session_factory() as session:
        states = {
            cid: session.get(Client, cid).erased_on is not None  # type: ignore[union-attr]
            for cid in (due_one, due_two, recent, held)
        }
    assert states == {due_one: True, due_two: True, recent: False, held: False}
    raw = _raw_bytes(committed_app)
    assert all(value.encode() not in raw for value in ciphertexts)

    second = runner.invoke(retention, ["run"], catch_exceptions=False)
    assert second.exit_code == 0
    assert second.output.strip() == "erased 0 client(s); 0 refused"
    with database.session_factory() as session:
        erased_events = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "client.erased.retention")
        )
    assert erased_events == 2


def test_erasure_destroys_her_documents_and_keeps_that_they_existed(committed_app: Flask) -> None:
    from legalaid.documents.models import Document
    from tests.document_factories import add_document

    case_id, client_id, lawyer_id = _closed_case(committed_app, years_ago=6)
    database = get_database(committed_app)
    with database.session_factory() as session:
        case = session.get(Case, case_id)
        assert case is not None
        document = add_document(
            session,
            case,
            lawyer_id,
            filename="Zumrudxanim-injuries.pdf",
            description="Bruises photographed by Qaraqizova",
        )
        document_id, storage_name = document.id, document.storage_name
    assert storage_name is not None
    store = committed_app.extensions["legalaid.documents.store"]
    assert storage_name in set(store.names())

    def stored_ciphertexts() -> list[str]:
        with database.engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT description, original_filename, data_key FROM case_document "
                f"WHERE id = {int(document_id)}"
            ).one()
        return [value for value in row if value]

    before = stored_ciphertexts()
    assert len(before) == 3
    assert all(value.encode() in _raw_bytes(committed_app) for value in before)
    with database.transaction() as erasing:
        erase_client(erasing, client_id, rule="retention", today=TODAY)

    assert storage_name not in set(store.names()), "the file is destroyed"
    raw = _raw_bytes(committed_app)
    assert not any(value.encode() in raw for value in before)
    with database.session_factory() as session:
        kept = session.get(Document, document_id)
        assert kept is not None
        assert kept.case_id == case_id
        assert kept.kind == "medical_certificate"
        assert kept.storage_name is None
        assert kept.data_key is None
        assert kept.description is None
        assert kept.original_filename == ""
        assert kept.deleted_at is not None

"""Migrations are the schema: models and migrations must agree, with one head."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from legalaid.database import make_engine
from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.models import metadata
from legalaid.schema.migrations import alembic_config, downgrade, upgrade
from tests.conftest import make_settings


def test_models_and_migrations_do_not_drift(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == [], f"models differ from migrations: {differences}"


def test_migrations_have_a_single_head() -> None:
    engine = make_engine("sqlite://")
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    assert len(heads) == 1, f"more than one migration head: {heads}"


def test_every_migration_downgrades_and_upgrades_again(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {"clinic", "user_account"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_app_refuses_an_unmigrated_database(fresh_database_url: str, tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="legalaid db upgrade"):
        create_app(make_settings(fresh_database_url, tmp_path))


def test_app_refuses_an_outdated_database(migrated_database_url: str, tmp_path: Path) -> None:
    engine = make_engine(migrated_database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000_old'"))
    engine.dispose()
    with pytest.raises(StartupError, match=r"0000_old.*legalaid db upgrade"):
        create_app(make_settings(migrated_database_url, tmp_path))


def test_the_status_history_gets_its_dates_from_the_records(
    migrated_database_url: str, tmp_path: Path
) -> None:
    """0014 dates existing status changes: by the Baku day of changed_at, and the last
    closure of a closed case by the closing date the lawyer entered (backdated here)."""
    from datetime import date

    from legalaid.cases.services import close_case, reopen_case
    from legalaid.database import get_database
    from tests.case_factories import make_case
    from tests.factories import create_clinic, create_user

    app = create_app(make_settings(migrated_database_url, tmp_path))
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        closed = make_case(session, lawyer, on=date(2026, 3, 1))
        close_case(
            session,
            closed,
            expected_version=closed.version,
            outcome="withdrawn",
            closed_on=date(2026, 3, 10),
            by=None,
            today=date(2026, 3, 20),
        )
        again = make_case(session, lawyer, on=date(2026, 3, 1))
        close_case(
            session,
            again,
            expected_version=again.version,
            outcome="withdrawn",
            closed_on=date(2026, 3, 10),
            by=None,
            today=date(2026, 3, 20),
        )
        reopen_case(session, again, expected_version=again.version, reason="x", by=None)
        session.commit()
        ids = (closed.id, again.id)
    get_database(app).engine.dispose()
    engine = make_engine(migrated_database_url)
    with engine.begin() as connection:
        # As rows were before 0014: 23:30 UTC on 19 March is 20 March in Baku.
        connection.execute(
            text("UPDATE case_status_change SET changed_at = :at"),
            {"at": "2026-03-19 23:30:00+00:00"},
        )
    downgrade(engine, "0009")
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT case_id, to_status, effective_on FROM case_status_change"
                " ORDER BY case_id, id"
            )
        ).all()
    engine.dispose()
    dates = {(case_id, status): str(on) for case_id, status, on in rows}
    assert dates[(ids[0], "closed")] == "2026-03-10"  # the entered closing date
    assert dates[(ids[1], "closed")] == "2026-03-20"  # reopened since: the Baku day
    assert dates[(ids[0], "open")] == "2026-03-20"


def test_feedback_answers_move_to_rows_of_their_questions_and_back(
    migrated_database_url: str,
) -> None:
    """0019 moves the fixed answer columns to feedback_answer rows; its downgrade back."""
    engine = make_engine(migrated_database_url)
    downgrade(engine, "0018")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO clinic (code, name, economic_region, city, status, created_at,"
                " version) VALUES ('MIG', 'Migrated', 'baku', '', 'pilot',"
                " '2026-01-01 00:00:00+00:00', 1)"
            )
        )
        clinic = connection.execute(text("SELECT id FROM clinic WHERE code = 'MIG'")).scalar()
        connection.execute(
            text(
                "INSERT INTO feedback_response (id, clinic_id, quarter, satisfaction, respected)"
                " VALUES ('a1', :clinic, '2026Q4', '4', 'partly')"
            ),
            {"clinic": clinic},
        )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT question, answer FROM feedback_answer WHERE response_id = 'a1'")
        ).all()
        columns = {c["name"] for c in inspect(connection).get_columns("feedback_response")}
    assert sorted(map(tuple, rows)) == [("respected", "partly"), ("satisfaction", "4")]
    assert "satisfaction" not in columns
    downgrade(engine, "0018")
    with engine.connect() as connection:
        back = connection.execute(
            text("SELECT satisfaction, respected, felt_safe FROM feedback_response")
        ).one()
    assert tuple(back) == ("4", "partly", None)
    upgrade(engine)
    engine.dispose()

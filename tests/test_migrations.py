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

"""Restore drill: back up while lawyers write, restore into a fresh database, upgrade it,
verify the audit log and decrypt a sample, as the README's Backups section says.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` into a new database (named
after the test database, e.g. ``test_restore_...``). SQLite: the online backup API, what
``sqlite3 db ".backup 'file'"`` uses, safe while the app runs in WAL mode.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from legalaid.cli import main
from legalaid.clients.models import Client
from legalaid.database import get_database
from legalaid.factory import create_app
from tests.case_factories import make_case
from tests.conftest import PG_URL, make_settings, unavailable
from tests.drills import assert_audit_verifies, cli_env, copy_sqlite, must, same_keys
from tests.factories import create_clinic, create_user


def _backup_and_restore(url: str, tmp_path: Path) -> tuple[str, str | None]:
    """A restored copy's URL (and, on PostgreSQL, the database to drop afterwards)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return copy_sqlite(url, tmp_path / "restored.sqlite3"), None
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        unavailable("pg_dump and pg_restore are not installed")
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "backup.dump"
    must("pg_dump", "--format=custom", f"--file={dump}", plain)
    name = f"{make_url(PG_URL).database}_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    restored = parsed.set(database=name)
    must(
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        f"--dbname={restored.set(drivername='postgresql').render_as_string(False)}",
        str(dump),
    )
    return restored.render_as_string(hide_password=False), name


def test_a_backup_taken_during_writes_restores_upgrades_verifies_and_decrypts(
    migrated_database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(migrated_database_url, tmp_path / "instance")
    app = create_app(settings)
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []
    with app.app_context():
        session = get_database(app).session_factory()
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        first = make_case(session, lawyer, full_name="Synthetic Restorable Firstova")
        session.close()

    def writer() -> None:
        with app.app_context():
            own = get_database(app).session_factory()
            try:
                author = own.get_one(type(lawyer), lawyer.id)
                while not stop.is_set():
                    written.append(make_case(own, author).id)
            except BaseException as exc:
                errors.append(exc)
            finally:
                own.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3 and thread.is_alive():
            stop.wait(0.05)
        restored_url, drop = _backup_and_restore(migrated_database_url, tmp_path)
    finally:
        stop.set()
        thread.join(timeout=60)
        get_database(app).engine.dispose()
    assert errors == []
    try:
        instance = tmp_path / "restore-instance"
        env = cli_env(settings, restored_url, instance)
        upgraded = CliRunner().invoke(main, ["db", "upgrade"], env=env)
        assert upgraded.exit_code == 0, upgraded.output
        assert_audit_verifies(settings, restored_url, instance)
        restored_app = create_app(same_keys(settings, restored_url, instance))
        factory = get_database(restored_app).session_factory
        with restored_app.app_context(), factory() as check:
            client = check.scalar(select(Client).where(Client.id == first.client_id))
            assert client is not None
            assert client.full_name == "Synthetic Restorable Firstova"
            # Every name of the copy decrypts (rows committed mid-backup included).
            names = [row.full_name for row in check.scalars(select(Client))]
            assert len(names) >= 2
            assert all(names)
        get_database(restored_app).engine.dispose()
    finally:
        if drop is not None:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)'))
            admin.dispose()

"""Shared fixtures: real databases built by the migrations, one rollback per test.

The suite targets SQLite unless ``LEGALAID_TEST_DATABASE_URL`` names a PostgreSQL server
(CI runs it both ways). Under ``CI=true`` a missing database or browser fails the run.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from legalaid.database import AppSession, get_database, make_engine
from legalaid.factory import create_app
from legalaid.schema.migrations import upgrade
from legalaid.settings import DEFAULT_POLICY_DIR, Settings

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("LEGALAID_TEST_DATABASE_URL", "")


def _backend() -> str:
    return "postgresql" if PG_URL.startswith("postgresql") else "sqlite"


def pytest_report_header() -> str:
    return f"legalaid database backend: {_backend()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Backend-specific tests are deselected (not skipped) on the other backend's pass.
    other = "sqlite_only" if _backend() == "postgresql" else "postgres_only"
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker(other) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def unavailable(reason: str) -> None:
    """Skip on a newcomer's machine; fail in CI, where everything must be present."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# --- databases -------------------------------------------------------------------------


class DatabaseServer:
    """Hands out fresh, empty databases on the backend under test."""

    def __init__(self, tmp_root: Path) -> None:
        self.backend = _backend()
        self.tmp_root = tmp_root
        self._created: list[str] = []
        if self.backend == "postgresql":
            self._admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            try:
                with self._admin.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except OperationalError:
                unavailable(f"PostgreSQL is not reachable at {make_url(PG_URL).host}")

    def new_url(self) -> str:
        name = f"legalaid_test_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_root / (name + '.sqlite3')}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self._created.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.backend != "postgresql":
            return
        with self._admin.connect() as connection:
            for name in self._created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def database_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseServer]:
    server = DatabaseServer(tmp_path_factory.mktemp("databases"))
    yield server
    server.drop_all()


def make_settings(database_url: str, instance_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": secrets.token_urlsafe(48),
        "encryption_keys": {"t1": secrets.token_bytes(32)},
        "blind_index_key": secrets.token_bytes(32),
        "audit_key": secrets.token_bytes(32),
        "instance_path": instance_path,
        "policy_dir": DEFAULT_POLICY_DIR,
        "password_hashing": "fast",
        # Jobs run where they are enqueued; tests/test_jobs.py runs a real consumer.
        "jobs_url": "immediate",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def fresh_database_url(database_server: DatabaseServer) -> str:
    """An empty database of its own (for tests that need real commits or no schema)."""
    return database_server.new_url()


@pytest.fixture
def migrated_database_url(fresh_database_url: str) -> str:
    engine = make_engine(fresh_database_url)
    upgrade(engine)
    engine.dispose()
    return fresh_database_url


@pytest.fixture(scope="session")
def shared_database_url(database_server: DatabaseServer) -> str:
    url = database_server.new_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def shared_settings(shared_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(shared_database_url, tmp_path_factory.mktemp("instance"))


@pytest.fixture
def app(shared_settings: Settings) -> Iterator[Flask]:
    """The app on the shared migrated database; everything a test commits is rolled back."""
    application = create_app(shared_settings)
    application.config.update(TESTING=True)
    # Sign-in's delay for a throttled address is recorded, not slept (tests assert it).
    application.extensions["tests.slept"] = slept = []
    application.extensions["legalaid.sleep"] = slept.append
    # Built before the test's transaction starts (SQLite would make it wait for the lock).
    twin = create_app(shared_settings, check_schema=False)
    application.extensions["tests.twin"] = twin
    database = get_database(application)
    connection: Connection = database.engine.connect()
    outer = connection.begin()
    database.session_factory = sessionmaker(
        bind=connection,
        class_=AppSession,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )

    @contextmanager
    def snapshot_in_the_test_transaction() -> Iterator[Session]:
        # Nobody else writes into the test's transaction: its data is one snapshot.
        # tests/test_release_snapshot.py checks the real snapshot on committed data.
        snapshot = database.session_factory()
        try:
            yield snapshot
        finally:
            snapshot.rollback()
            snapshot.close()

    database.snapshot = snapshot_in_the_test_transaction  # type: ignore[method-assign]
    try:
        yield application
    finally:
        outer.rollback()
        connection.close()
        database.engine.dispose()
        get_database(twin).engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test's transaction, for arranging data and checking results.

    Encrypted columns need an app context. It is a twin app's (same settings, so the same
    keys): with ``app``'s own context pushed, Flask would reuse it for test requests and
    share ``g`` between them, which no real request ever does.
    """
    with app.extensions["tests.twin"].app_context():
        db = get_database(app).session_factory()
        yield db
        db.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()

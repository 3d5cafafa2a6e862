"""Shared fixtures: real databases built by the migrations, one rollback per test.

The suite targets SQLite unless ``LEGALAID_TEST_DATABASE_URL`` names a PostgreSQL server
(CI runs it both ways). Under ``CI=true`` a missing database or browser fails the run.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import uuid
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from legalaid.database import AppSession, get_database, make_engine
from legalaid.factory import create_app
from legalaid.schema.migrations import upgrade
from legalaid.settings import DEFAULT_POLICY_DIR, Settings
from tests.clamd_daemon import ClamdDaemon, find_clamd

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("LEGALAID_TEST_DATABASE_URL", "")


def _backend() -> str:
    return "postgresql" if PG_URL.startswith("postgresql") else "sqlite"


def pytest_report_header() -> str:
    return f"legalaid database backend: {_backend()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Backend-specific tests are deselected (not skipped) on the other backend's pass.
    other = "sqlite_only" if _backend() == "postgresql" else "postgres_only"
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (dropped if item.get_closest_marker(other) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def unavailable(reason: str) -> NoReturn:
    """Skip on a newcomer's machine; fail in CI, where everything must be present."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# --- ClamAV's daemon --------------------------------------------------------------------


#: Every engine that has opened a connection in this run (weakly: a disposed, dropped
#: engine goes away).
_ENGINES_CONNECTED: weakref.WeakSet[Engine] = weakref.WeakSet()


@event.listens_for(Engine, "engine_connect")
def _remember_engine(connection: Connection) -> None:
    _ENGINES_CONNECTED.add(connection.engine)


@pytest.fixture(autouse=True)
def _engines_closed_by_the_test_that_opened_them() -> Iterator[None]:
    """An engine a test opens and drops keeps its pooled connections open until the garbage
    collector finds them, in some later test, where psycopg's "deleted while still open"
    warning fails that innocent test. Whatever a test opened is closed at its own end."""
    before = set(_ENGINES_CONNECTED)
    yield
    for engine in set(_ENGINES_CONNECTED) - before:
        engine.dispose()


@pytest.fixture(scope="session")
def clamd_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdDaemon]:
    """One real clamd for the run, with our own one-signature database (tests/clamd_daemon.py)."""
    binary = find_clamd()
    if binary is None:
        unavailable("ClamAV's daemon is not installed (apt-get install -y clamav-daemon)")
    daemon = ClamdDaemon(binary, tmp_path_factory.mktemp("clamd"))
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture
def clamd(clamd_daemon: ClamdDaemon) -> ClamdDaemon:
    """The session's clamd, answering: started again if an earlier test stopped it."""
    if not clamd_daemon.running:
        clamd_daemon.start()
    return clamd_daemon


# --- databases -------------------------------------------------------------------------


class DatabaseServer:
    """Hands out fresh, empty databases on the backend under test."""

    def __init__(self, tmp_root: Path) -> None:
        self.backend = _backend()
        self.tmp_root = tmp_root
        self._created: list[str] = []
        self._template: str | None = None
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

    def new_migrated_url(self) -> str:
        """A fresh database built by the migrations: they run once per session, into a
        template that each test's database is copied from (seconds per test on PostgreSQL
        otherwise). tests/test_migrations.py runs them on empty databases of its own."""
        if self._template is None:
            template = self.new_url()
            engine = make_engine(template)
            upgrade(engine)
            engine.dispose()
            self._template = template
        if self.backend == "sqlite":
            url = self.new_url()
            source = sqlite3.connect(make_url(self._template).database or "")
            target = sqlite3.connect(make_url(url).database or "")
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
            return url
        name = f"legalaid_test_{uuid.uuid4().hex[:12]}"
        template_name = make_url(self._template).database
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
        self._created.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.backend != "postgresql":
            return
        # Each DROP DATABASE waits for a checkpoint: one by one, a run's copies cost a
        # checkpoint each (minutes on a loaded machine); dropped at once, the checkpointer
        # serves the waiting drops together.

        def drop(name: str) -> None:
            with self._admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(drop, self._created))
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
def migrated_database_url(database_server: DatabaseServer) -> str:
    """A migrated database of the test's own (for tests that commit, or run processes)."""
    return database_server.new_migrated_url()


@pytest.fixture(scope="session")
def shared_database_url(database_server: DatabaseServer) -> Iterator[str]:
    url = database_server.new_migrated_url()
    yield url
    # At the end of the run, whatever order the tests ran in: every test rolled back what
    # it wrote, or a later test would have seen it (reported as an error of the last test).
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            left = {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("user_account", "audit_entry", "client", "legal_case")
            }
    finally:
        engine.dispose()
    assert set(left.values()) == {0}, f"tests left rows in the shared database: {left}"


@pytest.fixture(scope="session")
def shared_settings(shared_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(shared_database_url, tmp_path_factory.mktemp("instance"))


@contextmanager
def committed_app(settings: Settings) -> Iterator[tuple[Flask, Flask]]:
    """An app that really commits (on its own database), and a twin with the same keys
    to arrange data in: with the app's own context pushed, its test requests would share
    one ``g``. Both engines are closed at the end."""
    application = create_app(settings)
    application.config.update(TESTING=True)
    twin = create_app(settings, check_schema=False)
    try:
        with twin.app_context():
            yield application, twin
    finally:
        get_database(application).engine.dispose()
        get_database(twin).engine.dispose()


def _build_test_app(settings: Settings) -> Flask:
    application = create_app(settings)
    application.config.update(TESTING=True)
    # Built before any test's transaction starts (SQLite would make it wait for the lock).
    application.extensions["tests.twin"] = create_app(settings, check_schema=False)
    return application


@contextmanager
def _in_one_rolled_back_transaction(application: Flask) -> Iterator[Flask]:
    """Everything the app commits while this is open lands in one transaction, rolled back
    at the end; the app's configuration and extensions are put back as they were."""
    # Tests may swap a policy or a key ring on the app or on its twin: both are put back.
    apps = (application, application.extensions["tests.twin"])
    saved = [(dict(each.config), dict(each.extensions)) for each in apps]
    # Sign-in's delay for a throttled address is recorded, not slept (tests assert it).
    slept: list[float] = []
    application.extensions["tests.slept"] = slept
    application.extensions["legalaid.sleep"] = slept.append
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
        # The instance attributes shadow the class's: removing them restores the real ones.
        del database.snapshot
        database.session_factory = sessionmaker(
            bind=database.engine, class_=AppSession, expire_on_commit=False
        )
        for each, (config, extensions) in zip(apps, saved, strict=True):
            each.config.clear()
            each.config.update(config)
            each.extensions.clear()
            each.extensions.update(extensions)


@pytest.fixture(scope="session")
def session_app(shared_settings: Settings) -> Iterator[Flask]:
    """One app for the whole run: building one per test was most of the suite's time."""
    application = _build_test_app(shared_settings)
    yield application
    get_database(application).engine.dispose()
    get_database(application.extensions["tests.twin"]).engine.dispose()


@pytest.fixture
def app(session_app: Flask) -> Iterator[Flask]:
    """The session's app on the shared migrated database; what a test commits is rolled back."""
    with _in_one_rolled_back_transaction(session_app) as application:
        yield application


@pytest.fixture
def own_app(shared_settings: Settings) -> Iterator[Flask]:
    """An app of the test's own, for tests that change what an app is once it has served
    (routes added after the first request); same database, same rollback."""
    application = _build_test_app(shared_settings)
    try:
        with _in_one_rolled_back_transaction(application) as inside:
            yield inside
    finally:
        get_database(application).engine.dispose()
        get_database(application.extensions["tests.twin"]).engine.dispose()


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

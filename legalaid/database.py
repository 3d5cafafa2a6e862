"""One engine and one session per request; the request's single commit lives here.

Services only ``flush``; :func:`commit_request` (called once at the end of a request by
the factory) commits, and the teardown rolls back whatever was not committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from legalaid.errors import ConflictError, StartupError

SQLITE_BUSY_TIMEOUT_MS = 15_000
#: Execution option of a connection that reads one snapshot and never writes.
_READ_ONLY_SNAPSHOT = "legalaid_read_only_snapshot"
#: Execution option of a request that reads first (GET, HEAD): SQLite begins it deferred
#: and takes the write lock only for what it writes at the end (its audit entry).
_READS_FIRST = "legalaid_reads_first"
#: ``Connection.info`` key: this SQLite connection is in a deferred transaction that has
#: not written yet (its first write must first become a writer, see ``_become_writer``).
_DEFERRED = "legalaid.deferred"
#: HTTP methods whose requests read first and write only their audit entry (and, at most
#: once a minute, the session's last-seen time) at the end.
READING_METHODS = frozenset({"GET", "HEAD"})
#: ``Session.info`` key of the writes a request keeps for its commit (see write_at_commit).
_AT_COMMIT = "legalaid.at_commit"
#: ``Session.info`` key of what runs once the request has committed (see after_commit).
_AFTER_COMMIT = "legalaid.after_commit"
#: The unit of work a session belongs to, given by the web edge (the factory): the current
#: app context. The database layer reads neither the request nor ``g``.
Scope = Callable[[], Hashable]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which has no zones) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, synchronous=FULL, foreign keys and a busy timeout; writers BEGIN IMMEDIATE.

    A deferred SQLite transaction that reads and then writes cannot wait for the write
    lock (SQLite returns "database is locked" at once to avoid a deadlock). Taking the
    write lock at BEGIN lets the busy timeout queue concurrent writers instead: every
    POST, job and command does. A GET (``_READS_FIRST``) begins deferred, reads and
    renders without the lock, and becomes a writer (``_become_writer``) only for the
    writes it keeps for its commit: its audit entry, at most one session touch a minute.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL: a commit is on disk (WAL fsynced) before it is acknowledged. NORMAL may
        # lose the last transactions on a power cut or a filesystem gone read-only, and a
        # lawyer was already told "saved".
        cursor.execute("PRAGMA synchronous = FULL")
        # Erasure (legalaid/retention) must not leave overwritten values in free space.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        connection.info.pop(_DEFERRED, None)
        if options.get(_READ_ONLY_SNAPSHOT):
            # A reader in WAL mode takes no lock that keeps writers out.
            connection.exec_driver_sql("BEGIN DEFERRED")
        elif options.get(_READS_FIRST):
            # A GET reads on a snapshot without the write lock; its first write (the audit
            # entry, at the commit) first turns it into a writer (_become_writer).
            connection.exec_driver_sql("BEGIN DEFERRED")
            connection.info[_DEFERRED] = True
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if connection.info.get(_DEFERRED) and not _reads_only(statement):
            _become_writer(connection)

    @event.listens_for(engine, "savepoint")
    def _before_savepoint(connection: Connection, _name: str) -> None:
        # A savepoint is a write's preparation (and would not survive the COMMIT below).
        if connection.info.get(_DEFERRED):
            _become_writer(connection)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Connection) -> None:
        connection.info.pop(_DEFERRED, None)


def _reads_only(statement: str) -> bool:
    return statement.lstrip()[:6].upper() in ("SELECT", "PRAGMA")


def _become_writer(connection: Connection) -> None:
    """End the deferred read transaction (it wrote nothing) and begin an IMMEDIATE one.

    A deferred transaction that has read cannot simply write: in WAL mode, if another
    writer committed since its snapshot, SQLite refuses the upgrade at once
    (SQLITE_BUSY_SNAPSHOT) instead of waiting. Starting over as a writer waits on the busy
    timeout like any other writer, and what it writes is then read and written under the
    lock (the audit chain's last entry is read after this). What the request read before
    is as committed at its snapshot, as a PostgreSQL READ COMMITTED read would be; the
    version checks of editable records still refuse a stale save.
    """
    raw = connection.connection.driver_connection
    assert raw is not None  # noqa: S101 - a connection in a transaction has its DBAPI one
    try:
        raw.execute("COMMIT")
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        # As SQLAlchemy would raise it: a full or read-only disk is then told apart
        # (storage_failed, 503) and a lock wait that ran out like any other.
        raise DBAPIError.instance("BEGIN IMMEDIATE", None, error, sqlite3.Error) from error
    connection.info.pop(_DEFERRED, None)


def begin_writing(session: Session) -> None:
    """Make sure the session's transaction holds the write lock before it reads what it
    will write after (the audit chain's last entry). A no-op on PostgreSQL and on
    transactions that began IMMEDIATE or have written already."""
    connection = session.connection()
    if connection.info.get(_DEFERRED):
        _become_writer(connection)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        url = engine.url
        where = url.database if url.get_backend_name() == "sqlite" else f"{url.host}:{url.port}"
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise StartupError(f"cannot reach the database ({where}): {reason}") from exc


#: PostgreSQL SQLSTATEs of a transaction that lost a race: serialization failure, deadlock.
RACE_SQLSTATES = frozenset({"40001", "40P01"})


def lost_a_race(error: BaseException) -> bool:
    """A version check that failed at flush, or a transaction PostgreSQL chose to abort.

    Either way another transaction saved first: the answer is 409, never 500.
    """
    if isinstance(error, StaleDataError | ConflictError):
        return True
    if isinstance(error, DBAPIError) and error.orig is not None:
        return getattr(error.orig, "sqlstate", None) in RACE_SQLSTATES
    return False


#: SQLite primary result codes of storage that refuses to write: SQLITE_READONLY,
#: SQLITE_IOERR (a filesystem turned read-only mid-transaction), SQLITE_FULL, SQLITE_CANTOPEN.
STORAGE_SQLITE_CODES = frozenset({8, 10, 13, 14})
#: PostgreSQL SQLSTATEs of the same: disk_full, io_error, read_only_sql_transaction.
STORAGE_SQLSTATES = frozenset({"53100", "58030", "25006"})


def storage_failed(error: BaseException) -> bool:
    """The database's storage refused the write (disk full, read-only, failing): nothing
    of the transaction was saved, and retrying later (once an operator has freed or
    repaired it) is all she can do. Answered 503, never a generic 500."""
    if not isinstance(error, DBAPIError) or error.orig is None:
        return False
    original = error.orig
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in STORAGE_SQLITE_CODES
    return getattr(original, "sqlstate", None) in STORAGE_SQLSTATES


class AppSession(Session):
    """A session whose lost races surface as :class:`ConflictError`, like a version check.

    On SQLite (BEGIN IMMEDIATE) the second writer reads the first one's version and the
    service's own check refuses it. On PostgreSQL both may read the same version; the
    second UPDATE then waits for the first and matches no row, and SQLAlchemy raises
    ``StaleDataError`` at flush. Views already turn ``ConflictError`` into the 409 page
    with what is saved now beside what she typed.
    """

    def flush(self, objects: Any = None) -> None:
        try:
            super().flush(objects)
        except StaleDataError as exc:
            raise ConflictError(_conflict_message()) from exc
        except DBAPIError as exc:
            if lost_a_race(exc):
                raise ConflictError(_conflict_message()) from exc
            raise


def _conflict_message() -> str:
    from flask_babel import gettext

    try:
        return str(gettext("Someone else saved this record after you opened it."))
    except (RuntimeError, KeyError):  # outside a request (CLI, jobs)
        return "Someone else saved this record after you opened it."


class Database:
    """The app's engine and session factory, stored in ``app.extensions``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory = sessionmaker(bind=engine, class_=AppSession, expire_on_commit=False)
        #: The same engine and pool; its transactions begin deferred on SQLite.
        self._reading_engine = engine.execution_options(**{_READS_FIRST: True})
        #: The session of each live unit of work (app context), created on first use.
        self._sessions: dict[Hashable, Session] = {}
        self._scope: Scope | None = None
        self._reads_first: Callable[[], bool] = lambda: False

    def request_session(self, *, reads_first: bool) -> Session:
        """A request's session; a GET's (``reads_first``) reads without the write lock.

        Only when the factory is bound to the app's engine (a test harness that binds it
        to one connection of its own keeps that connection).
        """
        if (
            reads_first
            and self.engine.dialect.name == "sqlite"
            and self.session_factory.kw.get("bind") is self.engine
        ):
            return self.session_factory(bind=self._reading_engine)
        return self.session_factory()

    def init_app(self, app: Flask, *, scope: Scope, reads_first: Callable[[], bool]) -> None:
        """``scope``: the current unit of work (the factory gives the app context);
        ``reads_first``: whether it is a request that reads first (a GET), asked once, when
        its session is made."""
        self._scope = scope
        self._reads_first = reads_first
        app.extensions["legalaid.db"] = self
        app.teardown_appcontext(self._close_session)

    def _key(self) -> Hashable:
        if self._scope is None:
            raise RuntimeError("Database.init_app was not called: no unit of work to bind to")
        return self._scope()

    def current_session(self) -> Session | None:
        """The current unit of work's session, if it has made one."""
        return self._sessions.get(self._key())

    def session(self) -> Session:
        """The current unit of work's session, created on first use."""
        key = self._key()
        session = self._sessions.get(key)
        if session is None:
            session = self.request_session(reads_first=self._reads_first())
            self._sessions[key] = session
        return session

    @contextmanager
    def bound(self, session: Session) -> Iterator[Session]:
        """Make ``session`` the current unit of work's (a job's, which owns and closes it)."""
        key = self._key()
        self._sessions[key] = session
        try:
            yield session
        finally:
            if self._sessions.get(key) is session:
                del self._sessions[key]

    def _close_session(self, _exc: BaseException | None) -> None:
        session = self._sessions.pop(self._key(), None)
        if session is not None:
            session.rollback()
            session.close()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session on one consistent snapshot, on a connection of its own.

        Every statement sees the database as it was at the first one, and writers are not
        held up (PostgreSQL: a REPEATABLE READ READ ONLY transaction; SQLite in WAL: one
        deferred read transaction). A release counts here for as long as it needs, while
        lawyers save cases; anything it must write goes in a short transaction after.
        """
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            else:
                connection.execution_options(**{_READ_ONLY_SNAPSHOT: True})
            outer = connection.begin()
            try:
                if self.engine.dialect.name == "postgresql":
                    # No JIT compilation: a release's distinct-client statements have
                    # hundreds of expressions, and their plan cost sends them to LLVM at
                    # its highest optimisation, whose compiling took 99% of the
                    # statement (6 s of 6.05 s on 20,000 cases), on the database server's
                    # full CPU priority, beside the requests (benchmarks/load.py).
                    connection.exec_driver_sql("SET LOCAL jit = off")
                # The snapshot starts at the first read, not at BEGIN: take it now.
                connection.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master"
                    if self.engine.dialect.name == "sqlite"
                    else "SELECT 1"
                )
                session = AppSession(bind=connection, expire_on_commit=False)
                try:
                    yield session
                finally:
                    session.close()
            finally:
                outer.rollback()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work outside a request (CLI commands, jobs): commit once at the end."""
        with self.session_factory() as session, session.begin():
            yield session


def checkpoint_sqlite_wal(engine: Engine) -> None:
    """SQLite: fold the write-ahead log into the file and empty it (no-op elsewhere).

    Erased values must not linger in old page images in the -wal file.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def get_database(app: Flask | None = None) -> Database:
    target = app or current_app
    database: Database = target.extensions["legalaid.db"]
    return database


def db_session() -> Session:
    """The current request's (or app context's) session, created on first use."""
    return get_database().session()


def write_at_commit(session: Session, write: Callable[[Session], object]) -> None:
    """Keep a small write of this transaction (the session's last-seen time) for its
    commit, so that a GET does not write, and take the SQLite write lock, before it has
    rendered. Dropped if the transaction rolls back; run before the audit entries."""
    session.info.setdefault(_AT_COMMIT, []).append(write)


@event.listens_for(Session, "before_commit")
def _write_kept_writes(session: Session) -> None:
    for write in session.info.pop(_AT_COMMIT, []):
        write(session)


@event.listens_for(Session, "after_transaction_end")
def _drop_kept_writes(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_AT_COMMIT, None)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the request has committed (e.g. enqueue a job that must see
    what the request saved); dropped if the request rolls back instead."""
    db_session().info.setdefault(_AFTER_COMMIT, []).append(callback)


def commit_request() -> None:
    """The one commit of a request; called by the factory's ``after_request`` hook."""
    session = get_database().current_session()
    if session is None:
        return
    # Taken before the commit: a commit that fails drops them, as a rollback does (a
    # second commit of what outlived it must not run them for writes that are gone).
    callbacks: list[Callable[[], None]] = session.info.pop(_AFTER_COMMIT, [])
    if session.in_transaction():
        session.commit()
    for callback in callbacks:
        callback()


def rollback_request() -> None:
    """Drop the request's changes (a domain error, a failed form) but keep the session.

    What must survive the rollback (the audit entry of a refused action) is the session's
    own business: the audit writer carries it to the session's next transaction (see
    ``legalaid.audit.service``). That transaction is begun here, so the request's commit
    writes it even when the view reads nothing more.
    """
    session = get_database().current_session()
    if session is not None:
        session.info.pop(_AFTER_COMMIT, None)
        session.rollback()
        session.begin()

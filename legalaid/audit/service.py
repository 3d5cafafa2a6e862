"""Writing audit entries, in the same transaction as the change they record."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import Table, event, insert, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import TableClause, visitors
from sqlalchemy.sql.elements import TextClause

from legalaid.audit.chain import GENESIS_MAC, compute_mac
from legalaid.audit.models import OUTCOMES, AuditEntry
from legalaid.database import begin_writing, utcnow
from legalaid.viewer import Viewer

# Any constant will do: it names the lock that serialises appends on PostgreSQL.
_PG_AUDIT_LOCK = 724_001


@dataclass(frozen=True)
class Actor:
    id: int | None
    role: str | None

    @classmethod
    def of(cls, user: Viewer | None) -> Actor:
        """The actor for an account, or nobody (an unknown email at sign-in)."""
        return cls(user.id, user.role) if user is not None else cls(None, None)


def _checked(name: str, value: str | None, limit: int) -> str | None:
    """Refuse what the column cannot hold or what would blur the chain's canonical form.

    ``canonical`` joins fields with a control character; no field may contain one, or
    an edit could move text from one field to the next and keep the MAC valid.
    PostgreSQL would refuse an over-long value anyway; SQLite would keep it silently.
    The message names the field only: the value may be something a user typed.
    """
    if value is None:
        return None
    if len(value) > limit or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError(f"audit {name} must be at most {limit} printable characters")
    return value


def _audit_key() -> bytes:
    key: bytes = current_app.extensions["legalaid.settings"].audit_key
    return key


@dataclass(frozen=True)
class AuditContext:
    """Who acts, from which address, in which request: supplied by the edge.

    The writer does not know where these come from. A request's are given by the web
    layer's adapter (``access.audit_context``, registered by the factory), read when an
    entry is recorded, so an entry recorded after sign-in names the user who just signed
    in and one after sign-out names nobody. A CLI command or a job outside a request
    records nobody unless it passes an ``actor``.
    """

    actor: Actor
    client_address: str | None = None
    request_id: str | None = None


NOBODY = AuditContext(Actor(None, None))
#: ``app.extensions`` key of the edge's ``() -> AuditContext | None``.
CONTEXT_PROVIDER = "legalaid.audit.context"


def _edge_context() -> AuditContext:
    if not has_app_context():
        return NOBODY
    provider = current_app.extensions.get(CONTEXT_PROVIDER)
    context: AuditContext | None = provider() if provider is not None else None
    return context or NOBODY


_PENDING = "legalaid.audit.pending"
# Built once: every request appends, and a statement object reused keeps its cache key.
_TAKE_PG_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_LAST_ENTRY = select(AuditEntry.seq, AuditEntry.mac).order_by(AuditEntry.seq.desc()).limit(1)
_AUDIT_TABLE = cast(Table, AuditEntry.__table__)
_COLUMNS = tuple(column.key for column in _AUDIT_TABLE.columns if column.key != "id")
_INSERT_ENTRY = insert(_AUDIT_TABLE)
#: Refusals already written by this transaction but not yet committed.
_WRITTEN = "legalaid.audit.written_refusals"
#: Refusals of a transaction that just ended without committing, for the next one.
_SURVIVORS = "legalaid.audit.survivors"

_Pending = list[tuple[AuditEntry, SessionTransaction | None]]


def _pending(session: Session) -> _Pending:
    pending: _Pending = session.info.setdefault(_PENDING, [])
    return pending


def _refused(entry: AuditEntry) -> bool:
    return entry.outcome != "success"


def write_pending(session: Session) -> None:
    """Chain and insert the entries this transaction recorded, all at once.

    Called just before the commit (and before anything in the same transaction reads the
    audit log). On PostgreSQL the append lock is taken here, so it is held from the
    chaining to the commit — a few milliseconds — and not while a page renders. The chain
    is unchanged: each entry's MAC covers its sequence number, time and the MAC before it,
    and seq still follows the order of commits because nobody else can append between the
    read of the last entry and the commit.
    """
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        # Entries must chain one after another even when requests commit concurrently.
        session.execute(_TAKE_PG_LOCK, {"key": _PG_AUDIT_LOCK})
    else:
        # A GET read without SQLite's write lock: take it before reading the last entry,
        # so the entry chains on the last committed one and nobody appends in between.
        begin_writing(session)
    last = session.execute(_LAST_ENTRY).first()
    seq, mac = (last.seq, last.mac) if last else (0, GENESIS_MAC)
    key = _audit_key()
    now = utcnow()
    for entry, _transaction in pending:
        seq += 1
        entry.seq = seq
        # The time of chaining: seq and time rise together, as before.
        entry.occurred_at = max(entry.occurred_at, now)
        entry.mac = mac = compute_mac(key, mac, entry)
    # One executemany for all (no RETURNING: nothing reads an entry's id back), so a
    # retention batch of 100 erasures writes its 100 entries in one statement.
    # A Core insert of the table: the ORM's bulk path costs more than the entries here.
    session.execute(
        _INSERT_ENTRY,
        [{name: getattr(entry, name) for name in _COLUMNS} for entry, _transaction in pending],
    )
    # Written is not kept: should this transaction roll back after all (its commit fails,
    # a savepoint around them rolls back), its refusals must still be recorded.
    written: _Pending = session.info.setdefault(_WRITTEN, [])
    written.extend(item for item in pending if _refused(item[0]))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending(session)


# --- what survives a rollback ---------------------------------------------------------
#
# A refusal (any outcome but "success") is usually followed by the rollback of what the
# request had done; the record of the refusal must outlive it, or a refused attempt would
# leave no trace. This is the session's business, not the request's: every rollback of a
# unit of work that recorded refusals keeps them —
# - a savepoint rolled back: its refusals move to the enclosing transaction (its other
#   entries are dropped with it);
# - the whole transaction rolled back (a domain error, a failed commit): its refusals are
#   recorded again on a fresh transaction of the same session, which the caller's next
#   commit writes (a request's after_request commit does). A session closed instead of
#   rolled back keeps nothing: nobody would commit them.
# An entry is chained, and timed, when it is finally written (see write_pending).


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    left = [*session.info.pop(_WRITTEN, []), *session.info.pop(_PENDING, [])]
    refusals = [entry for entry, _transaction in left if _refused(entry)]
    if refusals:
        session.info[_SURVIVORS] = refusals


@event.listens_for(Session, "after_transaction_create")
def _after_create(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # Left by a transaction that was closed, not rolled back: not for this one.
        session.info.pop(_SURVIVORS, None)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    enclosing = previous.parent
    if enclosing is None:
        survivors = session.info.pop(_SURVIVORS, [])
        if survivors:
            fresh = session.begin()
            _pending(session).extend((entry, fresh) for entry in survivors)
        return
    # What a rolled-back savepoint recorded is dropped with it, but for its refusals.
    kept: _Pending = []
    for key in (_PENDING, _WRITTEN):
        items: _Pending = session.info.get(key) or []
        inside = [item for item in items if _within(item[1], previous)]
        if inside:
            items[:] = [item for item in items if not _within(item[1], previous)]
            kept.extend((entry, enclosing) for entry, _t in inside if _refused(entry))
    if kept:
        _pending(session).extend(kept)


#: Statement objects already looked at (they are immutable): a statement built once and run
#: on every request (the bell's, the session's) is walked once per process, not per run.
_READS_LOG: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _reads_audit_log(statement: Any) -> bool:
    try:
        known = _READS_LOG.get(statement)
    except TypeError:  # an object that cannot be weakly referenced: walk it each time
        return _names_audit_log(statement)
    if known is None:
        known = _READS_LOG[statement] = _names_audit_log(statement)
    return known


def _names_audit_log(statement: Any) -> bool:
    if isinstance(statement, TextClause):
        return AuditEntry.__tablename__ in statement.text
    return any(
        isinstance(element, TableClause) and element.name == AuditEntry.__tablename__
        for element in visitors.iterate(statement)
    )


@event.listens_for(Session, "do_orm_execute")
def _before_audit_read(state: ORMExecuteState) -> None:
    # Whoever reads the log inside the transaction (the hourly check limit, a test)
    # sees the entries recorded so far, as if they had been written at once.
    if state.session.info.get(_PENDING) and _reads_audit_log(state.statement):
        write_pending(state.session)


def record_event(
    session: Session,
    action: str,
    *,
    object_type: str | None = None,
    object_id: int | str | None = None,
    outcome: str = "success",
    actor: Actor | None = None,
    context: AuditContext | None = None,
) -> AuditEntry:
    """Record one entry; it is chained and written with the commit of the unit of work.

    ``context`` (actor, address, request id) defaults to what the edge supplies for the
    current request (nobody, for anonymous requests and CLI commands that do not say);
    ``actor`` overrides its actor (a sign-in names the account before it is signed in).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    where = context or _edge_context()
    who = actor or where.actor
    _checked("actor role", who.role, 16)
    _checked("action", action, 64)
    _checked("object type", object_type, 32)
    object_text = _checked("object id", None if object_id is None else str(object_id), 64)
    entry = AuditEntry(
        occurred_at=utcnow(),
        actor_id=who.id,
        actor_role=who.role,
        action=action,
        object_type=object_type,
        object_id=object_text,
        outcome=outcome,
        request_id=where.request_id,
        client_address=where.client_address,
    )
    # Chained late (see write_pending): the append lock is held only around the commit.
    # An entry is a write: it opens the session's transaction if nothing has yet, so that
    # "commit if in a transaction" (jobs, requests) commits it.
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    _pending(session).append((entry, transaction))
    return entry

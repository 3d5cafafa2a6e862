"""Writing audit entries, in the same transaction as the change they record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from legalaid.audit.chain import GENESIS_MAC, compute_mac
from legalaid.audit.models import OUTCOMES, AuditEntry
from legalaid.database import utcnow

# Any constant will do: it names the lock that serialises appends on PostgreSQL.
_PG_AUDIT_LOCK = 724_001


@dataclass(frozen=True)
class Actor:
    id: int | None
    role: str | None

    @classmethod
    def of(cls, user: Any) -> Actor:
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


def _request_actor() -> Actor:
    from flask_login import current_user

    if has_request_context() and current_user and current_user.is_authenticated:
        return Actor(current_user.id, current_user.role)
    return Actor(None, None)


def record_event(
    session: Session,
    action: str,
    *,
    object_type: str | None = None,
    object_id: int | str | None = None,
    outcome: str = "success",
    actor: Actor | None = None,
) -> AuditEntry:
    """Append one entry; commit happens with the rest of the unit of work.

    ``actor`` defaults to the signed-in user of the current request (or nobody, for
    anonymous requests and CLI commands that do not say).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    who = actor or _request_actor()
    _checked("actor role", who.role, 16)
    _checked("action", action, 64)
    _checked("object type", object_type, 32)
    object_text = _checked("object id", None if object_id is None else str(object_id), 64)
    if session.get_bind().dialect.name == "postgresql":
        # Entries must chain one after another even when requests commit concurrently.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.mac).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        occurred_at=utcnow(),
        actor_id=who.id,
        actor_role=who.role,
        action=action,
        object_type=object_type,
        object_id=object_text,
        outcome=outcome,
        request_id=g.get("request_id") if has_request_context() else None,
        client_address=(request.remote_addr or "")[:64] if has_request_context() else None,
    )
    entry.mac = compute_mac(_audit_key(), last.mac if last else GENESIS_MAC, entry)
    session.add(entry)
    session.flush()
    if outcome != "success" and has_request_context():
        # A refusal is usually followed by the rollback of the request's changes; the
        # record of the refusal itself must outlive it (see database.rollback_request).
        g.setdefault("after_rollback", []).append(
            lambda clean: record_event(
                clean,
                action,
                object_type=object_type,
                object_id=object_id,
                outcome=outcome,
                actor=who,
            )
        )
    return entry

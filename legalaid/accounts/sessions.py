"""Server-side sessions: a random token in the signed cookie, its SHA-256 in the database.

Ending a row ends the session at once, whatever cookie a browser (or an attacker) holds.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from legalaid.accounts.models import User, UserSession
from legalaid.database import utcnow
from legalaid.policy.security import SessionPolicy

TOKEN_BYTES = 32  # 256 bits
#: Ends that were no one's decision: a form posted after one of them is held for her.
TIMEOUTS = frozenset({"idle_timeout", "absolute_timeout"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    row: UserSession
    token: str


def start_session(
    session: Session,
    user: User,
    *,
    stage: str,
    policy: SessionPolicy,
    client_address: str,
    user_agent: str,
) -> StartedSession:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    row = UserSession(
        token_hash=token_hash(token),
        user_id=user.id,
        stage=stage,
        role_at_start=user.role,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=policy.absolute_hours),
        client_address=client_address[:64],
        user_agent=user_agent[:200],
    )
    session.add(row)
    session.flush()
    return StartedSession(row, token)


#: Built once: every request runs it (a reused statement keeps SQLAlchemy's cache key).
_OPEN_SESSION = (
    select(UserSession)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))
    .options(joinedload(UserSession.user))
)


def find_open_session(session: Session, token: str) -> UserSession | None:
    """The open session of this token with its account, in one statement."""
    row: UserSession | None = session.scalar(_OPEN_SESSION, {"token_hash": token_hash(token)})
    return row


def find_timed_out_session(session: Session, token: str) -> UserSession | None:
    """A fully signed-in session of this token that ended by a timeout, not by anyone's
    action (an earlier request, a keepalive or another tab, may have ended it)."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    if row is None or row.stage != "full" or row.ended_reason not in TIMEOUTS:
        return None
    return row


def why_invalid(row: UserSession, policy: SessionPolicy, now: datetime) -> str | None:
    """The reason this session may no longer be used, or None if it may."""
    user = row.user
    if not user.active:
        return "account_disabled"
    if user.role != row.role_at_start:
        return "role_changed"
    if now >= row.expires_at:
        return "absolute_timeout"
    if now - row.last_seen_at > timedelta(minutes=policy.idle_minutes):
        return "idle_timeout"
    return None


def end_session(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at = utcnow()
        row.ended_reason = reason


def end_user_sessions(
    session: Session, user_id: int, reason: str, *, except_id: int | None = None
) -> int:
    """End every open session of a user (all but ``except_id``); returns how many."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    if except_id is not None:
        statement = statement.where(UserSession.id != except_id)
    result = session.execute(statement.execution_options(synchronize_session="fetch"))
    return int(getattr(result, "rowcount", 0) or 0)


def end_waiting_sessions(session: Session, user_id: int, reason: str) -> int:
    """End every session of a user that waits at the code step (a lock ends them all)."""
    result = session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
            UserSession.stage == "password",
        )
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def make_room_for_waiting_session(session: Session, user_id: int, limit: int) -> None:
    """End the oldest waiting sessions so that, with the one about to start, at most
    ``limit`` wait at the code step: a known password opens no army of code guessers."""
    waiting = list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.ended_at.is_(None),
                UserSession.stage == "password",
            )
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        )
    )
    for row in waiting[max(limit - 1, 0) :]:
        end_session(row, "too_many_waiting")


def open_sessions_of(session: Session, user_id: int) -> list[UserSession]:
    return list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.ended_at.is_(None),
                UserSession.stage == "full",
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )

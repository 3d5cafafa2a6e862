"""Who is asking: the request's signed-in user and server-side session, loaded once."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from legalaid.accounts.models import User, UserSession
from legalaid.accounts.sessions import (
    TIMEOUTS,
    end_session,
    find_open_session,
    find_timed_out_session,
    why_invalid,
)
from legalaid.audit.service import Actor, record_event
from legalaid.database import begin_writing, db_session, utcnow, write_at_commit
from legalaid.policy.security import SecurityPolicy

SESSION_TOKEN_KEY = "sid"  # noqa: S105 - a dictionary key, not a secret
#: How stale ``last_seen_at`` may be before a request writes it again.
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)


def _policy() -> SecurityPolicy:
    policy: SecurityPolicy = current_app.extensions["legalaid.policies"].security
    return policy


def load_current_session() -> None:
    """Set ``g.user_session`` (any stage) and ``g.user`` (only when fully signed in)."""
    g.user = None
    g.user_session = None
    token = session.get(SESSION_TOKEN_KEY)
    if not isinstance(token, str):
        return
    db = db_session()
    row = find_open_session(db, token)
    if row is None:
        timed_out = find_timed_out_session(db, token)
        if timed_out is not None:
            g.expired_account = (timed_out.user_id, timed_out.user.role)
        session.pop(SESSION_TOKEN_KEY, None)
        g.session_ended = True
        return
    now = utcnow()
    reason = why_invalid(row, _policy().sessions, now)
    if reason is not None:
        # Ended under the write lock, as it stands now: another request may have ended or
        # revoked it since this one's snapshot (its reason and audit entry stand).
        begin_writing(db)
        db.refresh(row)
        already_ended = row.ended_at is not None
        end_session(row, reason)
        if not already_ended:
            record_event(
                db,
                "session.ended",
                object_type="session",
                object_id=row.id,
                outcome="denied",
                actor=Actor(row.user_id, row.user.role),
            )
        if reason in TIMEOUTS and row.stage == "full":
            g.expired_account = (row.user_id, row.user.role)
        session.pop(SESSION_TOKEN_KEY, None)
        g.session_ended = True
        return
    if request.endpoint != "static" and now - row.last_seen_at >= SESSION_TOUCH_INTERVAL:
        # At most one write a minute per session: the idle clock may start up to a minute
        # early (a session ends sooner, never later), and reads stay reads. Written at the
        # commit, beside the audit entry: a GET takes no write lock while it renders.
        set_committed_value(row, "last_seen_at", now)
        row_id = row.id
        write_at_commit(
            db,
            lambda s: s.execute(
                update(UserSession).where(UserSession.id == row_id).values(last_seen_at=now)
            ),
        )
    g.user_session = row
    if row.stage == "full":
        g.user = row.user
        g.user_language = row.user.preferred_language


def current_user_or_none() -> User | None:
    user: User | None = g.get("user")
    return user


def current_user_session() -> UserSession | None:
    row: UserSession | None = g.get("user_session")
    return row

"""A user's private calendar feed: a long random secret in the URL, stored as its SHA-256.

The feed is read by calendar apps that cannot sign in, so the secret is the only thing
that opens it: it is shown once when made, can be revoked, and regenerating it ends the
old one. Only a digest is stored, so a copy of the database opens no feed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.feeds.models import CalendarFeed

TOKEN_BYTES = 32
#: The shortest time between two fetches of one feed (calendar apps poll far less often).
MIN_FETCH_INTERVAL = timedelta(seconds=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def has_feed(session: Session, user: User) -> bool:
    return (
        session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id)) is not None
    )


def regenerate_feed(session: Session, user: User) -> str:
    """A new secret for the user's feed (the old one stops working); shown once."""
    session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(CalendarFeed(user_id=user.id, token_hash=_digest(token)))
    session.flush()
    record_event(session, "calendar_feed.regenerated", object_type="user", object_id=user.id)
    return token


def revoke_feed(session: Session, user: User) -> None:
    session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    record_event(session, "calendar_feed.revoked", object_type="user", object_id=user.id)


@dataclass(frozen=True)
class Fetch:
    user: User
    too_soon: bool


def open_feed(session: Session, token: str, now: datetime) -> Fetch | None:
    """The active user whose feed this secret opens (None: 404), and whether this fetch
    comes too soon after the last one (429); an accepted fetch is remembered."""
    if not token or len(token) > 128:
        return None
    row = session.execute(
        select(User, CalendarFeed)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == _digest(token), User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, feed = row
    last = feed.last_fetched_at
    if last is not None and now - last < MIN_FETCH_INTERVAL:
        return Fetch(user, too_soon=True)
    feed.last_fetched_at = now
    session.flush()
    return Fetch(user, too_soon=False)

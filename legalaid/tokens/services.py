"""Personal access tokens: make, list, revoke, and check one presented to the API.

A token is ``lat_`` and 32 random bytes (URL-safe base64). It is shown once, when it is
made; only its SHA-256 is stored. Only task-force members hold tokens, and a token
works only while its owner is still an active task-force member.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.service import Actor, record_event
from legalaid.database import UTCDateTime
from legalaid.errors import DomainError, NotFoundError
from legalaid.tokens.models import ApiToken

TOKEN_PREFIX = "lat_"  # noqa: S105 - the visible start of every token, not a secret
#: Characters of a token kept (and shown) so its owner can tell tokens apart.
SHOWN_PREFIX = 12
EXPIRY_DAYS = (30, 90, 365)
DEFAULT_EXPIRY_DAYS = 90
NAME_MAX = 80
#: Tokens a member may hold at once (neither revoked nor expired).
MAX_ACTIVE = 10
#: The role whose members may hold tokens (the API serves national releases).
HOLDER_ROLE = "task_force"
#: Rate limit: requests per token per fixed window.
RATE_LIMIT = 60
RATE_WINDOW = timedelta(minutes=1)
#: Longest Authorization value looked at (a real token is 47 characters).
TOKEN_MAX_LENGTH = 200

OBJECT_TYPE = "api_token"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def may_hold_tokens(user: User) -> bool:
    return user.active and user.role == HOLDER_ROLE


def _active(now: datetime) -> ColumnElement[bool]:
    return and_(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)


def create_token(
    session: Session, user: User, *, name: str, days: int, now: datetime
) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the token itself (to show once)."""
    if not may_hold_tokens(user):
        raise NotFoundError(_("This page does not exist."))
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the token a name."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(
            _("Keep the name under %(limit)d characters.", limit=NAME_MAX), field="name"
        )
    if days not in EXPIRY_DAYS:
        raise DomainError(_("Choose one of the periods offered."), field="expires_in")
    active = session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id, _active(now))
    )
    if (active or 0) >= MAX_ACTIVE:
        raise DomainError(
            _(
                "You already have %(limit)d tokens in use. Revoke one you no longer need first.",
                limit=MAX_ACTIVE,
            ),
            field="name",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[:SHOWN_PREFIX],
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
        window_requests=0,
        credentials_epoch=user.credentials_epoch,
    )
    session.add(row)
    session.flush()
    record_event(session, "token.created", object_type=OBJECT_TYPE, object_id=row.id)
    return row, token


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's own tokens, newest first (revoked and expired ones included)."""
    rows = list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
    record_event(session, "token.listed", object_type=OBJECT_TYPE)
    return rows


def token_of(session: Session, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's answers like a missing one (audited)."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if row is None:
        record_event(
            session, "token.revoked", object_type=OBJECT_TYPE, object_id=token_id, outcome="denied"
        )
        raise NotFoundError(_("This token does not exist."))
    return row


def revoke_token(session: Session, user: User, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens; anyone else's answers like a missing one."""
    row = token_of(session, user, token_id)
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    record_event(session, "token.revoked", object_type=OBJECT_TYPE, object_id=row.id)
    return row


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not header or len(header) > TOKEN_MAX_LENGTH:
        return None
    scheme, _space, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


@dataclass(frozen=True)
class Authenticated:
    token: ApiToken
    owner: User


def authenticate(session: Session, presented: str, *, now: datetime) -> Authenticated | None:
    """The token and its owner, if the token is known, in date, not revoked, made under its
    owner's current credentials, and its owner is still an active task-force member;
    otherwise None (audited when a token matched)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(presented)))
    if row is None:
        return None
    owner = row.user
    # A token made before its owner's password, role, clinic or active state last changed
    # is over for good: re-enabling the account or restoring the role brings none back.
    superseded = row.credentials_epoch != owner.credentials_epoch
    if (
        row.revoked_at is not None
        or row.expires_at <= now
        or superseded
        or not may_hold_tokens(owner)
    ):
        # Counted like accepted requests, and audited only within the same limit: a
        # forgotten job polling with a revoked token must not fill the audit log.
        _started, requests = _count_in_window(session, row, now=now, used=False)
        if requests <= RATE_LIMIT:
            record_event(
                session,
                "api.token_refused",
                object_type=OBJECT_TYPE,
                object_id=row.id,
                outcome="denied",
                actor=Actor.of(owner),
            )
        return None
    return Authenticated(row, owner)


def _count_in_window(
    session: Session, token: ApiToken, *, now: datetime, used: bool
) -> tuple[datetime, int]:
    """Count one request in the token's fixed window, in one atomic UPDATE."""
    fresh = or_(
        ApiToken.window_started_at.is_(None), ApiToken.window_started_at <= now - RATE_WINDOW
    )
    values: dict[str, Any] = {
        "window_started_at": case(
            (fresh, literal(now, UTCDateTime())), else_=ApiToken.window_started_at
        ),
        "window_requests": case((fresh, 1), else_=ApiToken.window_requests + 1),
    }
    if used:
        values["last_used_at"] = now
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(**values)
        .returning(ApiToken.window_started_at, ApiToken.window_requests)
        .execution_options(synchronize_session=False)
    ).one()
    session.expire(token)
    return result.window_started_at, result.window_requests


def count_request(session: Session, caller: Authenticated, *, now: datetime) -> int | None:
    """Count one request against the token's fixed window, in one atomic UPDATE.

    None if the request is within the limit; otherwise the seconds until the window
    ends (for ``Retry-After``). The count lives on the token's row, so every worker
    process sees the same one; the row lock orders concurrent requests.
    """
    token_id = caller.token.id
    started, requests = _count_in_window(session, caller.token, now=now, used=True)
    if requests <= RATE_LIMIT:
        return None
    if requests == RATE_LIMIT + 1:
        # The first refusal of the window is audited; the rest of the burst is not, so
        # a runaway client cannot fill the audit log.
        record_event(
            session,
            "api.rate_limited",
            object_type=OBJECT_TYPE,
            object_id=token_id,
            outcome="denied",
            actor=Actor.of(caller.owner),
        )
    return max(1, math.ceil((started + RATE_WINDOW - now).total_seconds()))

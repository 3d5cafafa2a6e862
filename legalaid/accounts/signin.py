"""Sign-in: password, lockout and throttling, then the second factor.

Every failure looks the same from outside (one generic message, one password hash of
work), so that nobody can learn which emails have accounts or which are locked.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from legalaid.accounts import totp
from legalaid.accounts.codes import code_hash
from legalaid.accounts.models import LoginAttempt, RecoveryCode, User
from legalaid.accounts.passwords import current_hasher, needs_rehash, verify_password
from legalaid.audit.service import Actor, record_event
from legalaid.database import utcnow
from legalaid.policy.security import SecurityPolicy


@dataclass(frozen=True)
class PasswordResult:
    user: User | None

    @property
    def ok(self) -> bool:
        return self.user is not None


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def _failures_since(session: Session, since: datetime, matches: ColumnElement[bool]) -> int:
    """Failed attempts after ``since`` that match (one account, or one client address)."""
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(matches, LoginAttempt.succeeded.is_(False), LoginAttempt.occurred_at > since)
    )
    return int(count or 0)


def _last_success(session: Session, user_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(LoginAttempt.occurred_at)).where(
            LoginAttempt.user_id == user_id, LoginAttempt.succeeded.is_(True)
        )
    )


def record_failure(
    session: Session, user: User | None, client_address: str, policy: SecurityPolicy, *, step: str
) -> None:
    """Count a failed attempt; lock the account when it reaches the policy's limit."""
    now = utcnow()
    session.add(
        LoginAttempt(
            user_id=user.id if user else None,
            client_address=client_address,
            succeeded=False,
            occurred_at=now,
        )
    )
    session.flush()
    actor = Actor.of(user)
    record_event(
        session,
        f"auth.{step}.failure",
        object_type="user",
        object_id=user.id if user else None,
        outcome="failure",
        actor=actor,
    )
    if user is None:
        return
    window_start = now - timedelta(minutes=policy.lockout.window_minutes)
    last_success = _last_success(session, user.id)
    since = max(window_start, last_success) if last_success else window_start
    failures = _failures_since(session, since, LoginAttempt.user_id == user.id)
    if failures >= policy.lockout.max_failures:
        already_locked = user.locked_until is not None and user.locked_until > now
        user.locked_until = now + timedelta(minutes=policy.lockout.lock_minutes)
        if not already_locked:
            record_event(
                session,
                "auth.lockout",
                object_type="user",
                object_id=user.id,
                outcome="denied",
                actor=actor,
            )


def address_is_throttled(session: Session, client_address: str, policy: SecurityPolicy) -> bool:
    since = utcnow() - timedelta(minutes=policy.lockout.window_minutes)
    failures = _failures_since(session, since, LoginAttempt.client_address == client_address)
    return failures >= policy.lockout.max_failures_per_address


def check_password(
    session: Session, email: str, password: str, client_address: str, policy: SecurityPolicy
) -> PasswordResult:
    user = find_user_by_email(session, email)
    # Always one hash of work, whatever fails first.
    password_ok = verify_password(user.password_hash if user else None, password, policy.passwords)
    now = utcnow()
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    throttled = address_is_throttled(session, client_address, policy)
    if user is None or not user.active or locked or throttled or not password_ok:
        record_failure(session, user, client_address, policy, step="login")
        return PasswordResult(None)
    assert user.password_hash is not None  # noqa: S101 - verify_password returned True
    if needs_rehash(user.password_hash):
        user.password_hash = current_hasher().hash(password)
    return PasswordResult(user)


def record_success(session: Session, user: User, client_address: str) -> None:
    session.add(LoginAttempt(user_id=user.id, client_address=client_address, succeeded=True))
    user.locked_until = None
    record_event(
        session,
        "auth.login.success",
        object_type="user",
        object_id=user.id,
        actor=Actor.of(user),
    )


def check_second_factor(session: Session, user: User, code: str) -> bool:
    """A TOTP code not used before, or an unused recovery code (which is then spent)."""
    if user.totp_secret and user.totp_enrolled_at:
        step = totp.matching_step(user.totp_secret, code)
        if step is not None:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    normalized = totp.normalize_code(code)
    if len(normalized) != 10:
        return False
    wanted = code_hash(normalized, "recovery_code")
    for recovery in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if hmac.compare_digest(recovery.code_hash, wanted):
            recovery.used_at = utcnow()
            record_event(
                session,
                "auth.recovery_code.used",
                object_type="user",
                object_id=user.id,
                actor=Actor.of(user),
            )
            return True
    return False


def second_factor_required(user: User, policy: SecurityPolicy, *, demo_mode: bool) -> bool:
    return not demo_mode and user.role in policy.two_factor.required_for_roles

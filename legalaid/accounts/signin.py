"""Sign-in: password, lockout and throttling, then the second factor.

Every failure looks the same from outside (one generic message, one password hash of
work), so that nobody can learn which emails have accounts or which are locked.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from legalaid.accounts import totp
from legalaid.accounts.codes import code_hash
from legalaid.accounts.models import LoginAttempt, RecoveryCode, SignInLock, User
from legalaid.accounts.passwords import current_hasher, needs_rehash, verify_password
from legalaid.accounts.sessions import end_waiting_sessions
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


def _pair_lock_end(session: Session, user_id: int, client_address: str) -> datetime | None:
    """The end of the latest lock of this account for this address (past or future)."""
    return session.scalar(
        select(func.max(SignInLock.ends_at)).where(
            SignInLock.user_id == user_id, SignInLock.client_address == client_address
        )
    )


def _is_future(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment > now


@dataclass(frozen=True)
class Gate:
    """Whether an attempt (password or code) may be checked at all, and its wait first."""

    refused: bool
    delay_seconds: float


def gate(session: Session, user: User | None, client_address: str, policy: SecurityPolicy) -> Gate:
    """The one check both sign-in steps make before they look at what was typed.

    Refused while the account is locked everywhere or for this address; slowed (never
    refused) when this address alone has failed often, since a clinic shares one address.
    """
    now = utcnow()
    refused = user is not None and (
        _is_future(user.locked_until, now)
        or _is_future(_pair_lock_end(session, user.id, client_address), now)
    )
    delay = (
        policy.lockout.address_delay_seconds
        if address_is_throttled(session, client_address, policy)
        else 0.0
    )
    return Gate(refused=refused, delay_seconds=delay)


def _counting_since(*moments: datetime | None) -> datetime:
    """Failures count from the latest of: window start, last success, last lock's end.

    Counting from a lock's end means failures made while locked never start a new lock,
    so a lock cannot be kept going by one request per lock period.
    """
    return max(moment for moment in moments if moment is not None)


def record_failure(
    session: Session, user: User | None, client_address: str, policy: SecurityPolicy, *, step: str
) -> bool:
    """Count a failed attempt; lock when a limit is reached. True if the account is locked
    (for this address or everywhere) after this failure.

    Every lock also ends every session of the account waiting at the code step, so no
    session opened before the lock goes on guessing codes.
    """
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
        return False
    pair_end = _pair_lock_end(session, user.id, client_address)
    if _is_future(user.locked_until, now) or _is_future(pair_end, now):
        return True  # already locked: counted for the audit, never extending the lock
    lockout = policy.lockout
    window_start = now - timedelta(minutes=lockout.window_minutes)
    last_success = _last_success(session, user.id)
    pair_failures = _failures_since(
        session,
        _counting_since(window_start, last_success, pair_end),
        and_(LoginAttempt.user_id == user.id, LoginAttempt.client_address == client_address),
    )
    account_failures = _failures_since(
        session,
        _counting_since(window_start, last_success, user.locked_until),
        LoginAttempt.user_id == user.id,
    )
    ends_at = now + timedelta(minutes=lockout.lock_minutes)
    if account_failures >= lockout.max_failures_per_account:
        user.locked_until = ends_at
        action = "auth.lockout.account"
    elif pair_failures >= lockout.max_failures:
        session.add(
            SignInLock(
                user_id=user.id, client_address=client_address, started_at=now, ends_at=ends_at
            )
        )
        action = "auth.lockout"
    else:
        return False
    session.flush()
    end_waiting_sessions(session, user.id, "locked")
    record_event(
        session, action, object_type="user", object_id=user.id, outcome="denied", actor=actor
    )
    return True


def address_is_throttled(session: Session, client_address: str, policy: SecurityPolicy) -> bool:
    since = utcnow() - timedelta(minutes=policy.lockout.window_minutes)
    failures = _failures_since(session, since, LoginAttempt.client_address == client_address)
    return failures >= policy.lockout.max_failures_per_address


def check_password(
    session: Session, email: str, password: str, client_address: str, policy: SecurityPolicy
) -> PasswordResult:
    """The password step. Call ``gate`` first and wait its delay (the view does)."""
    user = find_user_by_email(session, email)
    # Always one hash of work, whatever fails first.
    password_ok = verify_password(user.password_hash if user else None, password, policy.passwords)
    refused = gate(session, user, client_address, policy).refused
    if user is None or not user.active or refused or not password_ok:
        record_failure(session, user, client_address, policy, step="login")
        return PasswordResult(None)
    assert user.password_hash is not None  # noqa: S101 - verify_password returned True
    if needs_rehash(user.password_hash):
        user.password_hash = current_hasher().hash(password)
    return PasswordResult(user)


def record_success(session: Session, user: User, client_address: str) -> None:
    # No lock is cleared here: both steps refuse while one lasts, so none is running.
    session.add(LoginAttempt(user_id=user.id, client_address=client_address, succeeded=True))
    record_event(
        session,
        "auth.login.success",
        object_type="user",
        object_id=user.id,
        actor=Actor.of(user),
    )


def check_code(
    session: Session, user: User, code: str, client_address: str, policy: SecurityPolicy
) -> bool:
    """The code step: refused while locked like the password step; a wrong code (TOTP or
    recovery) counts against the account, whichever of its waiting sessions sent it."""
    if gate(session, user, client_address, policy).refused:
        record_failure(session, user, client_address, policy, step="2fa")
        return False
    if check_second_factor(session, user, code):
        return True
    record_failure(session, user, client_address, policy, step="2fa")
    return False


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


def reauthenticate(
    session: Session, user: User, password: str, client_address: str, policy: SecurityPolicy
) -> bool:
    """The password again inside a session: a wrong one counts like a sign-in failure,
    so a stolen session cannot guess it any faster than the sign-in page allows."""
    password_ok = verify_password(user.password_hash, password, policy.passwords)
    if gate(session, user, client_address, policy).refused or not password_ok:
        record_failure(session, user, client_address, policy, step="reauth")
        return False
    return True

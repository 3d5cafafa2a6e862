"""Account operations: plain functions that validate, change state, audit and flush."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from legalaid.accounts import totp
from legalaid.accounts.codes import code_hash, new_setup_code, normalize_setup_code
from legalaid.accounts.models import RecoveryCode, User, UserSession
from legalaid.accounts.passwords import check_new_password, hash_password, verify_password
from legalaid.accounts.sessions import end_session, end_user_sessions
from legalaid.audit.service import Actor, record_event
from legalaid.clinics.models import Clinic
from legalaid.database import utcnow
from legalaid.errors import DomainError, NotFoundError
from legalaid.i18n import LANGUAGES
from legalaid.policy.security import SecurityPolicy
from legalaid.vocabulary.roles import CLINIC_ROLES, ROLES

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$")


def security_policy() -> SecurityPolicy:
    policy: SecurityPolicy = current_app.extensions["legalaid.policies"].security
    return policy


@dataclass(frozen=True)
class IssuedCode:
    user: User
    code: str


def _validate_role_and_clinic(session: Session, role: str, clinic_id: int | None) -> None:
    if role not in ROLES:
        raise DomainError(_("Unknown role."), field="role")
    if role in CLINIC_ROLES:
        clinic = session.get(Clinic, clinic_id) if clinic_id else None
        if clinic is None:
            raise DomainError(
                _("Lawyers and clinic managers must belong to a clinic."), field="clinic_id"
            )
        if clinic.status == "closed":
            raise DomainError(_("This clinic is closed; choose an open one."), field="clinic_id")
    elif clinic_id is not None:
        raise DomainError(
            _("Task force members and administrators do not belong to a clinic."), field="clinic_id"
        )


def credentials_changed(user: User) -> None:
    """What the account's credentials stand for has changed: API tokens made before end.

    Called by every operation that changes the password, the active state, the role or
    the clinic, so that no token outlives the account it was issued to.
    """
    user.credentials_epoch = (user.credentials_epoch or 1) + 1


def _issue_setup_code(user: User) -> str:
    code = new_setup_code()
    user.setup_code_hash = code_hash(normalize_setup_code(code), "setup_code")
    hours = security_policy().passwords.setup_code_hours
    user.setup_code_expires_at = utcnow() + timedelta(hours=hours)
    return code


def create_account(
    session: Session,
    *,
    email: str,
    full_name: str,
    role: str,
    clinic_id: int | None,
    preferred_language: str = "en",
) -> IssuedCode:
    """A new account without a password: the user sets her own with the returned code."""
    email = email.strip().lower()
    full_name = full_name.strip()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise DomainError(_("Enter a valid email address."), field="email")
    if not full_name or len(full_name) > 200:
        raise DomainError(_("The name must have 1 to 200 characters."), field="full_name")
    if preferred_language not in LANGUAGES:
        raise DomainError(_("Unknown language."))
    _validate_role_and_clinic(session, role, clinic_id)
    taken = session.scalar(select(func.count()).select_from(User).where(User.email == email))
    if taken:
        raise DomainError(_("An account with this email already exists."), field="email")
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        clinic_id=clinic_id if role in CLINIC_ROLES else None,
        preferred_language=preferred_language,
        active=True,
    )
    code = _issue_setup_code(user)
    session.add(user)
    session.flush()
    record_event(session, "account.created", object_type="user", object_id=user.id)
    return IssuedCode(user, code)


def set_initial_password(session: Session, user: User, password: str) -> None:
    """For the command line: an operator types the password for a new account."""
    policy = security_policy()
    check_new_password(password, policy.passwords, email=user.email)
    user.password_hash = hash_password(password, policy.passwords)
    user.password_changed_at = utcnow()
    user.setup_code_hash = None
    user.setup_code_expires_at = None
    credentials_changed(user)
    session.flush()


def reset_account(session: Session, user: User) -> IssuedCode:
    """Forget password and second factor, end every session, and issue a new setup code."""
    user.password_hash = None
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    user.locked_until = None
    credentials_changed(user)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_user_sessions(session, user.id, "account_reset")
    code = _issue_setup_code(user)
    session.flush()
    record_event(session, "account.reset", object_type="user", object_id=user.id)
    return IssuedCode(user, code)


def issue_setup_code_for_staff(session: Session, manager: User, user_id: int) -> IssuedCode:
    """A manager gives one of her own staff (waiting for set-up) a fresh set-up code.

    Only accounts of her clinic that have no password (new, or reset by an administrator)
    and are active; anyone else answers like a missing account.
    """
    user = session.get(User, user_id)
    if (
        user is None
        or manager.role != "manager"
        or user.clinic_id != manager.clinic_id
        or user.role not in CLINIC_ROLES
        or user.id == manager.id
        or not user.active
        or user.password_hash is not None
    ):
        raise NotFoundError()
    code = _issue_setup_code(user)
    session.flush()
    record_event(session, "account.setup_code_issued", object_type="user", object_id=user.id)
    return IssuedCode(user, code)


def issue_setup_code_on_server(session: Session, user: User) -> IssuedCode:
    """For the command line: a fresh code for an account that has no password yet."""
    if user.password_hash is not None:
        raise DomainError(_("This account has a password; reset it first."))
    code = _issue_setup_code(user)
    session.flush()
    record_event(session, "account.setup_code_issued", object_type="user", object_id=user.id)
    return IssuedCode(user, code)


def set_password_with_code(session: Session, email: str, code: str, password: str) -> User:
    """The user chooses her own password with the single-use code from an administrator."""
    policy = security_policy()
    generic = DomainError(_("This email and code do not match an open invitation or reset."))
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    wanted = code_hash(normalize_setup_code(code), "setup_code")
    if (
        user is None
        or not user.active
        or user.setup_code_hash is None
        or user.setup_code_expires_at is None
        or user.setup_code_expires_at < utcnow()
        or not hmac.compare_digest(user.setup_code_hash, wanted)
    ):
        record_event(
            session,
            "account.password_set",
            object_type="user",
            object_id=user.id if user else None,
            outcome="failure",
            actor=Actor.of(user),
        )
        raise generic
    check_new_password(password, policy.passwords, email=user.email)
    user.password_hash = hash_password(password, policy.passwords)
    user.password_changed_at = utcnow()
    user.setup_code_hash = None
    user.setup_code_expires_at = None
    credentials_changed(user)
    end_user_sessions(session, user.id, "password_set")
    session.flush()
    record_event(
        session,
        "account.password_set",
        object_type="user",
        object_id=user.id,
        actor=Actor.of(user),
    )
    return user


def change_password(
    session: Session, user: User, current: str, new: str, *, keep_session_id: int | None
) -> int:
    """Change one's own password; every other session of the user ends. Returns how many."""
    policy = security_policy()
    if not verify_password(user.password_hash, current, policy.passwords):
        record_event(
            session,
            "account.password_changed",
            object_type="user",
            object_id=user.id,
            outcome="failure",
        )
        raise DomainError(_("The current password is not right."), field="current")
    if current == new:
        raise DomainError(_("The new password must differ from the current one."), field="password")
    check_new_password(new, policy.passwords, email=user.email)
    user.password_hash = hash_password(new, policy.passwords)
    user.password_changed_at = utcnow()
    credentials_changed(user)
    ended = end_user_sessions(session, user.id, "password_changed", except_id=keep_session_id)
    session.flush()
    record_event(session, "account.password_changed", object_type="user", object_id=user.id)
    return ended


def set_active(session: Session, user: User, active: bool, *, by: User) -> None:
    if user.id == by.id and not active:
        raise DomainError(_("You cannot disable your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        credentials_changed(user)
        end_user_sessions(session, user.id, "account_disabled")
    session.flush()
    action = "account.enabled" if active else "account.disabled"
    record_event(session, action, object_type="user", object_id=user.id)


def change_role_and_clinic(
    session: Session, user: User, *, role: str, clinic_id: int | None, full_name: str, by: User
) -> None:
    """Change what an account may do; a change of role or clinic ends its sessions."""
    full_name = full_name.strip()
    if not full_name or len(full_name) > 200:
        raise DomainError(_("The name must have 1 to 200 characters."), field="full_name")
    _validate_role_and_clinic(session, role, clinic_id)
    if user.id == by.id and role != user.role:
        raise DomainError(_("You cannot change your own role."), field="role")
    clinic_id = clinic_id if role in CLINIC_ROLES else None
    role_changed = role != user.role
    clinic_changed = clinic_id != user.clinic_id
    user.full_name = full_name
    user.role = role
    user.clinic_id = clinic_id
    if role_changed or clinic_changed:
        credentials_changed(user)
        end_user_sessions(session, user.id, "role_changed")
    session.flush()
    if role_changed:
        record_event(session, "account.role_changed", object_type="user", object_id=user.id)
    if clinic_changed:
        record_event(session, "account.clinic_changed", object_type="user", object_id=user.id)
    if not (role_changed or clinic_changed):
        record_event(session, "account.updated", object_type="user", object_id=user.id)


def set_language(session: Session, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise DomainError(_("Unknown language."))
    user.preferred_language = language
    session.flush()


def begin_totp_enrolment(session: Session, user: User) -> str:
    """A fresh secret, stored encrypted but not active until a code confirms it."""
    if user.totp_secret is None or user.totp_enrolled_at is not None:
        user.totp_secret = totp.new_secret()
        user.totp_enrolled_at = None
        session.flush()
    assert user.totp_secret is not None  # noqa: S101 - set just above
    return user.totp_secret


def confirm_totp_enrolment(session: Session, user: User, code: str) -> list[str]:
    """Activate the authenticator once it shows a right code; returns new recovery codes."""
    if user.totp_secret is None:
        raise DomainError(_("Start the set-up again: no authenticator is being enrolled."))
    step = totp.matching_step(user.totp_secret, code)
    if step is None:
        raise DomainError(
            _("This code is not right. Check the time on your phone and try again."), field="code"
        )
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    codes = replace_recovery_codes(session, user)
    record_event(
        session,
        "auth.2fa.enrolled",
        object_type="user",
        object_id=user.id,
        actor=Actor.of(user),
    )
    return codes


def replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    for code in codes:
        session.add(
            RecoveryCode(
                user_id=user.id, code_hash=code_hash(totp.normalize_code(code), "recovery_code")
            )
        )
    session.flush()
    return codes


def regenerate_recovery_codes(session: Session, user: User) -> list[str]:
    codes = replace_recovery_codes(session, user)
    record_event(session, "auth.recovery_codes.replaced", object_type="user", object_id=user.id)
    return codes


def sign_out(session: Session, row: UserSession) -> None:
    end_session(row, "signed_out")
    record_event(
        session, "auth.logout", object_type="session", object_id=row.id, actor=Actor.of(row.user)
    )


def end_own_session(session: Session, user: User, session_id: int) -> UserSession:
    """End one of the user's own open sessions; anyone else's answers like a missing one."""
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        raise NotFoundError()
    end_session(row, "ended_by_user")
    record_event(session, "session.ended", object_type="session", object_id=row.id)
    return row


def end_other_sessions(session: Session, user: User, *, keep_session_id: int | None) -> int:
    ended = end_user_sessions(session, user.id, "ended_by_user", except_id=keep_session_id)
    record_event(session, "session.ended_others", object_type="user", object_id=user.id)
    return ended


def account_for_admin(session: Session, user_id: int) -> User:
    """An account as an administrator opens it; the opening is audited."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError()
    record_event(session, "account.viewed", object_type="user", object_id=user.id)
    return user

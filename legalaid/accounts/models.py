from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.clinics.models import Clinic
from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.i18n import LANGUAGES
from legalaid.vocabulary.roles import ROLES


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(ROLES.sql_check("role"), name="role"),
        CheckConstraint(LANGUAGES.sql_check("preferred_language"), name="preferred_language"),
        CheckConstraint(
            "(role IN ('lawyer', 'manager')) = (clinic_id IS NOT NULL)", name="clinic_for_role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Sign-in. No password until the user sets her own with a setup code.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The whole account is locked (too many failures from all addresses together); set
    # once when the lock starts, never moved by failures while it lasts.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Goes up whenever what the account's credentials stand for changes (password set or
    # reset, disabled, role or clinic changed): API tokens of an older epoch stop working.
    credentials_epoch: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A single-use, expiring code (hashed) that lets the user set her password: given
    # out by an administrator at account creation and at reset.
    setup_code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    setup_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor: the TOTP secret is encrypted; the last accepted time step stops reuse.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText("user_account.totp_secret"))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Reminders of hearings and deadlines by e-mail: only when she asks for them.
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    clinic: Mapped[Clinic | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class RecoveryCode(Base):
    """One of ten single-use codes that replace a TOTP code; stored as a keyed hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """Failed and successful sign-ins, counted in a window for lockout and throttling."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_user_time", "user_id", "occurred_at"),
        Index("ix_login_attempt_address_time", "client_address", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    client_address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInLock(Base):
    """One account locked for one client address, from ``started_at`` to ``ends_at``.

    Locks are per (account, address) so that a stranger's failures lock the stranger
    out, not the account's owner at her office; the end is fixed when the lock starts.
    """

    __tablename__ = "sign_in_lock"
    __table_args__ = (
        Index("ix_sign_in_lock_user_address_end", "user_id", "client_address", "ends_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_address: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserSession(Base):
    """A server-side session; the cookie carries only a signed random token.

    Only a SHA-256 of the token is stored, so a copy of the database opens no session.
    """

    __tablename__ = "user_session"
    __table_args__ = (
        CheckConstraint("stage IN ('password', 'full')", name="stage"),
        Index("ix_user_session_user_open", "user_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # "password": the password was right but the second factor is still due.
    stage: Mapped[str] = mapped_column(String(16))
    role_at_start: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(32))
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # Search terms typed into list pages (JSON, by list), encrypted: kept here, not in URLs.
    search_terms: Mapped[str | None] = mapped_column(EncryptedText("user_session.search_terms"))

    user: Mapped[User] = relationship()

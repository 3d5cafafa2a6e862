"""``policies/security.toml``: passwords, lockout, sessions, two-factor sign-in."""

from __future__ import annotations

from pydantic import Field, model_validator

from legalaid.policy.loader import PolicyModel
from legalaid.vocabulary.roles import ROLES


class PasswordPolicy(PolicyModel):
    min_length: int = Field(12, ge=8, le=64)
    max_length: int = Field(128, ge=64, le=1024)
    # How long the code for setting one's own password (new account, reset) stays valid.
    setup_code_hours: int = Field(72, ge=1, le=24 * 14)
    # The lowest zxcvbn score (0-4) a new password may have.
    min_strength: int = Field(3, ge=0, le=4)


class LockoutPolicy(PolicyModel):
    # Failures of one account from one address (password and code steps together) that
    # lock that account for that address.
    max_failures: int = Field(5, ge=1, le=100)
    window_minutes: int = Field(15, ge=1, le=24 * 60)
    lock_minutes: int = Field(15, ge=1, le=24 * 60)
    # Failures of one account from all addresses together that lock it everywhere: the
    # bound on guessing from many addresses.
    max_failures_per_account: int = Field(20, ge=1, le=1000)
    # Failures from one address (all accounts) after which each attempt from it waits.
    max_failures_per_address: int = Field(30, ge=1, le=10_000)
    address_delay_seconds: float = Field(3.0, ge=0, le=10)

    @model_validator(mode="after")
    def _pair_inside_account(self) -> LockoutPolicy:
        if self.max_failures > self.max_failures_per_account:
            raise ValueError("lockout.max_failures cannot exceed max_failures_per_account")
        return self


class SessionPolicy(PolicyModel):
    idle_minutes: int = Field(15, ge=1, le=24 * 60)
    absolute_hours: int = Field(12, ge=1, le=24 * 7)
    warn_before_idle_seconds: int = Field(120, ge=10, le=3600)


class TwoFactorPolicy(PolicyModel):
    required_for_roles: tuple[str, ...] = ROLES.codes
    # Sessions of one account waiting at the code step at once; a new one ends the oldest.
    max_waiting_sessions: int = Field(3, ge=1, le=20)

    @model_validator(mode="after")
    def _known_roles(self) -> TwoFactorPolicy:
        unknown = sorted(set(self.required_for_roles) - set(ROLES.codes))
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(unknown)}")
        return self


class ConflictCheckPolicy(PolicyModel):
    # Conflict checks one person may make in an hour: the check looks across all clinics.
    max_per_hour: int = Field(60, ge=1, le=10_000)


class SecurityPolicy(PolicyModel):
    passwords: PasswordPolicy = PasswordPolicy()
    lockout: LockoutPolicy = LockoutPolicy()
    sessions: SessionPolicy = SessionPolicy()
    two_factor: TwoFactorPolicy = TwoFactorPolicy()
    conflict_checks: ConflictCheckPolicy = ConflictCheckPolicy()

    @model_validator(mode="after")
    def _idle_inside_absolute(self) -> SecurityPolicy:
        if self.sessions.idle_minutes > self.sessions.absolute_hours * 60:
            raise ValueError("sessions.idle_minutes cannot exceed sessions.absolute_hours")
        return self

"""``policies/reminders.toml``: when the reminder e-mails go out (clinic time, Asia/Baku)."""

from __future__ import annotations

from pydantic import Field, field_validator

from legalaid.policy.loader import PolicyModel

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ReminderPolicy(PolicyModel):
    hearing_days_before: tuple[int, ...]
    morning_hour: int = Field(ge=0, le=23)
    digest_weekday: str
    digest_days_ahead: int = Field(ge=1, le=31)
    # A claim older than this whose mail never went (a crashed run) may be taken again.
    stale_claim_minutes: int = Field(ge=1, le=24 * 60)

    @field_validator("hearing_days_before")
    @classmethod
    def _offsets(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not 1 <= days <= 60 for days in value):
            raise ValueError("hearing_days_before needs days from 1 to 60")
        if len(set(value)) != len(value):
            raise ValueError("hearing_days_before lists a day twice")
        return tuple(sorted(value, reverse=True))

    @field_validator("digest_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value not in WEEKDAYS:
            raise ValueError(f"digest_weekday must be one of {', '.join(WEEKDAYS)}")
        return value

    @property
    def digest_weekday_number(self) -> int:
        return WEEKDAYS.index(self.digest_weekday)

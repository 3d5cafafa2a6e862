"""``policies/feedback.toml``: how long a feedback code is valid, how many wrong tries."""

from __future__ import annotations

from pydantic import Field

from legalaid.policy.loader import PolicyModel


class FeedbackPolicy(PolicyModel):
    code_valid_days: int = Field(ge=1, le=365)
    wrong_codes_per_address_per_hour: int = Field(ge=1, le=1000)
    wrong_codes_per_hour: int = Field(ge=1, le=100_000)

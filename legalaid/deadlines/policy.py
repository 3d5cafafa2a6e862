"""``policies/deadlines.toml``: rules that turn a service or a hearing into a deadline."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from legalaid.i18n import LANGUAGES
from legalaid.policy.loader import PolicyModel
from legalaid.vocabulary.casework import HEARING_KINDS, LEGAL_SERVICES, PROTECTION_ORDER_KINDS


class DeadlineRule(PolicyModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,47}$")
    title: dict[str, str]
    # What the rule runs from: a service delivered, or a hearing once it is marked done.
    from_service: str | None = None
    from_order_kind: str | None = None
    from_hearing: str | None = None
    creates: str
    days: int = Field(ge=1, le=3660)
    working_days: bool
    roll_forward: bool = True
    legal_basis: str = Field(min_length=1)
    source: str = Field(min_length=1)
    to_confirm: bool

    @field_validator("title")
    @classmethod
    def _every_language(cls, value: dict[str, str]) -> dict[str, str]:
        missing = sorted(set(LANGUAGES.codes) - {k for k, v in value.items() if v.strip()})
        if missing:
            raise ValueError(f"title needs every language, missing: {', '.join(missing)}")
        unknown = sorted(set(value) - set(LANGUAGES.codes))
        if unknown:
            raise ValueError(f"title has unknown language: {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _points_somewhere(self) -> DeadlineRule:
        if (self.from_service is None) == (self.from_hearing is None):
            raise ValueError(f"rule {self.code}: give exactly one of from_service, from_hearing")
        if self.from_service is not None and self.from_service not in LEGAL_SERVICES:
            raise ValueError(f"rule {self.code}: unknown service {self.from_service!r}")
        if self.from_hearing is not None and self.from_hearing not in HEARING_KINDS:
            raise ValueError(f"rule {self.code}: unknown hearing kind {self.from_hearing!r}")
        if self.from_order_kind is not None and (
            self.from_service != "protection_order"
            or self.from_order_kind not in PROTECTION_ORDER_KINDS
        ):
            raise ValueError(
                f"rule {self.code}: from_order_kind needs from_service = 'protection_order' "
                "and a known order kind"
            )
        if self.creates not in HEARING_KINDS:
            raise ValueError(f"rule {self.code}: creates unknown kind {self.creates!r}")
        return self

    def label(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]


class DeadlinePolicy(PolicyModel):
    rules: tuple[DeadlineRule, ...]

    @field_validator("rules")
    @classmethod
    def _unique_codes(cls, value: tuple[DeadlineRule, ...]) -> tuple[DeadlineRule, ...]:
        codes = [rule.code for rule in value]
        doubled = sorted({code for code in codes if codes.count(code) > 1})
        if doubled:
            raise ValueError(f"rule code used twice: {', '.join(doubled)}")
        return value

    def rule(self, code: str) -> DeadlineRule | None:
        return next((rule for rule in self.rules if rule.code == code), None)

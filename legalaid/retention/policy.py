"""``policies/retention.toml``: how long after closure personal data is kept, what goes."""

from __future__ import annotations

from pydantic import field_validator

from legalaid.policy.loader import PolicyModel
from legalaid.vocabulary.casework import CASE_CATEGORIES

#: What erasure knows how to overwrite (legalaid/retention/erasure.py).
ERASABLE = (
    "client.full_name",
    "client.other_names",
    "client.name_to_use",
    "client.language_needs",
    "client.date_of_birth",
    "client.birth_year_key",
    "client.phone",
    "client.address",
    "client.contact_hours",
    "client.contact_notes",
    "client.name_keys",
    "respondent.name",
    "respondent.name_keys",
    "legal_case.summary",
    "case_note.body",
    "hearing.place",
    "case_task.description",
    "case_status_change.reason",
    "case_assignment.reason",
    "conflict_check.reason",
    "case_document.content",
)
#: What erasure keeps: the coded record the indicators count.
KEEPABLE = (
    "client.number",
    "client.age_band",
    "client.gender_identity",
    "client.key_populations",
    "client.economic_region",
    "client.settlement",
    "client.disability",
    "client.consents",
    "legal_case.coded_attributes",
    "legal_case.dates",
    "legal_case.status",
    "legal_case.outcome",
    "respondent.relation",
    "service_delivery",
    "hearing.kind_and_dates",
    "referral",
)


class RetentionPolicy(PolicyModel):
    keep_years: dict[str, int]
    erased: tuple[str, ...] = ERASABLE
    kept: tuple[str, ...] = KEEPABLE

    @field_validator("keep_years")
    @classmethod
    def _categories(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(CASE_CATEGORIES.codes))
        if unknown:
            raise ValueError(f"unknown case category: {', '.join(unknown)}")
        missing = sorted(set(CASE_CATEGORIES.codes) - set(value))
        if missing:
            raise ValueError(f"no keep_years for case category: {', '.join(missing)}")
        for category, years in value.items():
            if not 1 <= years <= 100:
                raise ValueError(f"keep_years.{category} must be from 1 to 100")
        return value

    @field_validator("erased")
    @classmethod
    def _erased(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(ERASABLE))
        if unknown:
            raise ValueError(f"erasure cannot erase: {', '.join(unknown)}")
        # Personal data is never kept back: every erasable field must be listed.
        missing = sorted(set(ERASABLE) - set(value))
        if missing:
            raise ValueError(f"erased must list: {', '.join(missing)}")
        return value

    @field_validator("kept")
    @classmethod
    def _kept(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(KEEPABLE))
        if unknown:
            raise ValueError(f"unknown kept field: {', '.join(unknown)}")
        return value

    @property
    def longest(self) -> int:
        return max(self.keep_years.values())

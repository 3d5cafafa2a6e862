"""The disaggregations an indicator may be broken down by, with their categories.

Categories are the stable codes of the vocabularies, in the vocabularies' order, so a
table always lists the same rows in the same order. The clinic dimension is the only one
whose categories come from the database (the clinics' codes).

A dimension is *additive* when every counted unit falls into exactly one category, so the
categories add up to the total. Key populations are not: a client can belong to several
groups (and "none" to none of them), so the total is at most the sum of the groups. The
disclosure audit uses that difference: it must know which totals are sums.
"""

from __future__ import annotations

from dataclasses import dataclass

from legalaid.vocabulary.casework import (
    AGE_BANDS,
    CASE_CATEGORIES,
    CASE_OUTCOMES,
    DISABILITY,
    DISCRIMINATION_DOMAINS,
    GBV_TYPES,
    GENDER_IDENTITIES,
    KEY_POPULATIONS,
    PROTECTION_ORDER_KINDS,
    REFERRAL_SERVICES,
    SETTLEMENTS,
)
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.vocabulary.trainings import LAW_ENFORCEMENT_AGENCIES, OFFICER_SEXES

CLINIC = "clinic"
#: The key-population category of a client in none of the groups.
NO_KEY_POPULATION = "none"


@dataclass(frozen=True)
class Dimension:
    name: str
    categories: tuple[str, ...]
    additive: bool = True


_STATIC = (
    Dimension("gender_identity", GENDER_IDENTITIES.codes),
    Dimension("age_band", AGE_BANDS.codes),
    Dimension("key_population", (*KEY_POPULATIONS.codes, NO_KEY_POPULATION), additive=False),
    Dimension("region", ECONOMIC_REGIONS.codes),
    Dimension("settlement", SETTLEMENTS.codes),
    Dimension("disability", DISABILITY.codes),
    Dimension("category", CASE_CATEGORIES.codes),
    Dimension("gbv_type", GBV_TYPES.codes),
    Dimension("discrimination_domain", DISCRIMINATION_DOMAINS.codes),
    Dimension("outcome", CASE_OUTCOMES.codes),
    Dimension("order_kind", PROTECTION_ORDER_KINDS.codes),
    Dimension("service_type", REFERRAL_SERVICES.codes),
    Dimension("agency", LAW_ENFORCEMENT_AGENCIES.codes),
    Dimension("sex", OFFICER_SEXES.codes),
)

#: Dimensions whose categories are fixed by the vocabularies.
STATIC_DIMENSIONS: dict[str, Dimension] = {dimension.name: dimension for dimension in _STATIC}
#: Every dimension name, the clinic included.
DIMENSION_NAMES: frozenset[str] = frozenset({*STATIC_DIMENSIONS, CLINIC})


def clinic_dimension(codes: tuple[str, ...] | list[str]) -> Dimension:
    return Dimension(CLINIC, tuple(sorted(codes)))

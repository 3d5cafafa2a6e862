"""The DHIS2 metadata the releases' payloads are sent against, generated from the catalogue.

One import (``POST /api/metadata``) creates everything an administrator needs before the
first ``dataValueSets`` import: the category options, categories and category combos of
the indicators' breakdowns, the data elements, and two data sets, one per period type
(``docs/dhis2.md``):

- the **quarterly** data set holds every indicator's data element. Counts of events
  (cases opened, sessions held) add up over quarters and over organisation units, so
  their ``aggregationType`` is ``SUM`` and DHIS2 makes the year itself: years are never
  sent for them;
- counts of **distinct people** (clients served, officers trained) do not add up: the
  same client is in several quarters. Their quarterly elements have ``aggregationType``
  ``NONE`` (analytics never sums them), and their years go under a separate ``…_YEAR``
  element in the **yearly** data set.

Every element is ``zeroIsSignificant``: a published 0 is a real "no case"; a suppressed
value is absent, never 0. Objects are referred to by ``id``; the ids are derived from the
codes (the same code always gives the same id), so importing again updates instead of
duplicating, and the payloads' codes (``idScheme=CODE``) match.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale

from legalaid.indicators.catalogue import MEASURES, TOTAL_COMBO, IndicatorCatalogue
from legalaid.releases.presentation import DIMENSIONS

#: DHIS2's default category combo (totals only), which every instance has.
DEFAULT_COMBO_CODE = "default"
YEARLY_SUFFIX = "_YEAR"
_UID_FIRST = string.ascii_letters
_UID_REST = string.ascii_letters + string.digits


def uid(code: str) -> str:
    """A DHIS2 id (11 characters, a letter first) that a code always maps to."""
    digest = int.from_bytes(hashlib.sha256(f"legalaid:{code}".encode()).digest(), "big")
    first, digest = _UID_FIRST[digest % len(_UID_FIRST)], digest // len(_UID_FIRST)
    rest = []
    for _ in range(10):
        rest.append(_UID_REST[digest % len(_UID_REST)])
        digest //= len(_UID_REST)
    return first + "".join(rest)


def yearly_element(code: str) -> str:
    """The data element of a distinct-people count's years (``docs/dhis2.md``)."""
    return f"{code}{YEARLY_SUFFIX}"


def time_additive(measure: str) -> bool:
    return MEASURES[measure].time_additive


@dataclass(frozen=True)
class ElementSpec:
    code: str
    name: str
    measure: str
    #: The breakdown sent as the element's category (None: totals only).
    category: str | None
    period_type: str  # "Quarterly" or "Yearly"


def element_specs(catalogue: IndicatorCatalogue) -> list[ElementSpec]:
    """Every data element the payloads use, each once, in the catalogue's order.

    An element named by two indicators (a share's denominator is another indicator's
    count) takes its category from the indicator it belongs to."""
    found: dict[str, ElementSpec] = {}
    for owner_first in (True, False):
        for indicator in catalogue.indicator:
            codes = indicator.dhis2
            pairs = [(codes.data_element, indicator.measure, codes.category, True)]
            if codes.denominator_data_element and indicator.denominator:
                pairs.append((codes.denominator_data_element, indicator.denominator, None, False))
            for code, measure, category, owner in pairs:
                if owner != owner_first or code in found:
                    continue
                name = f"{indicator.code} {indicator.title.en}"
                if not owner:
                    name = f"{indicator.code} denominator ({measure})"
                found[code] = ElementSpec(code, name, measure, category, "Quarterly")
                if not time_additive(measure):
                    yearly = yearly_element(code)
                    found[yearly] = ElementSpec(
                        yearly, f"{name}, year", measure, category, "Yearly"
                    )
    return list(found.values())


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def export_metadata(catalogue: IndicatorCatalogue) -> dict[str, Any]:
    """One DHIS2 metadata import: options, categories, combos, elements, data sets."""
    with force_locale("en"):
        return _metadata(catalogue)


def _metadata(catalogue: IndicatorCatalogue) -> dict[str, Any]:
    options: dict[str, dict[str, Any]] = {}
    categories: dict[str, dict[str, Any]] = {}
    combos: dict[str, dict[str, Any]] = {}
    option_combos: dict[str, dict[str, Any]] = {}
    combo_of: dict[str, str] = {}  # data element code -> category combo code
    for indicator in catalogue.indicator:
        codes = indicator.dhis2
        if codes.category is None:
            continue
        title, vocabulary = DIMENSIONS[codes.category]
        category_code = f"AZLA_CAT_{codes.category.upper()}"
        combo_code = f"AZLA_CC_{codes.category.upper()}"
        category_options = []
        for category, coc_code in codes.category_option_combos.items():
            if category == TOTAL_COMBO:
                continue
            label = vocabulary.label(category) if vocabulary is not None else category
            option_name = f"{title}: {label}"
            options.setdefault(
                coc_code,
                {
                    "id": uid(f"option:{coc_code}"),
                    "code": coc_code,
                    "name": option_name,
                    "shortName": _short(option_name),
                },
            )
            category_options.append({"id": uid(f"option:{coc_code}")})
            option_combos.setdefault(
                coc_code,
                {
                    "id": uid(coc_code),
                    "code": coc_code,
                    "name": label,
                    "categoryCombo": {"id": uid(combo_code)},
                    "categoryOptions": [{"id": uid(f"option:{coc_code}")}],
                },
            )
        categories.setdefault(
            category_code,
            {
                "id": uid(category_code),
                "code": category_code,
                "name": str(title),
                "shortName": _short(str(title)),
                "dataDimensionType": "DISAGGREGATION",
                "dataDimension": True,
                "categoryOptions": category_options,
            },
        )
        combos.setdefault(
            combo_code,
            {
                "id": uid(combo_code),
                "code": combo_code,
                "name": str(title),
                "dataDimensionType": "DISAGGREGATION",
                "categories": [{"id": uid(category_code)}],
            },
        )
        combo_of[codes.data_element] = combo_code

    elements = []
    data_sets: dict[str, list[dict[str, Any]]] = {"Quarterly": [], "Yearly": []}
    for spec in element_specs(catalogue):
        base = spec.code.removesuffix(YEARLY_SUFFIX)
        combo = combo_of.get(base) if spec.category is not None else None
        element: dict[str, Any] = {
            "id": uid(spec.code),
            "code": spec.code,
            "name": spec.name,
            "shortName": _short(spec.name),
            "domainType": "AGGREGATE",
            "valueType": "INTEGER_ZERO_OR_POSITIVE",
            "aggregationType": "SUM" if time_additive(spec.measure) else "NONE",
            "zeroIsSignificant": True,
        }
        if combo is not None:
            element["categoryCombo"] = {"id": uid(combo)}
        elements.append(element)
        data_set = {"id": uid(_set_code(catalogue, spec.period_type))}
        data_sets[spec.period_type].append(
            {"dataElement": {"id": uid(spec.code)}, "dataSet": data_set}
        )
    return {
        "categoryOptions": list(options.values()),
        "categories": list(categories.values()),
        "categoryCombos": list(combos.values()),
        "categoryOptionCombos": list(option_combos.values()),
        "dataElements": elements,
        "dataSets": [
            {
                "id": uid(_set_code(catalogue, period_type)),
                "code": _set_code(catalogue, period_type),
                "name": f"Legal aid indicators ({period_type.lower()})",
                "shortName": f"Legal aid indicators ({period_type.lower()})",
                "periodType": period_type,
                "dataSetElements": members,
            }
            for period_type, members in data_sets.items()
            if members
        ],
    }


def _set_code(catalogue: IndicatorCatalogue, period_type: str) -> str:
    quarterly = catalogue.dhis2.data_set or "AZLA_INDICATORS"
    return quarterly if period_type == "Quarterly" else yearly_element(quarterly)

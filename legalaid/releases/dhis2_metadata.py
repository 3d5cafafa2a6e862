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

An element with a breakdown carries only its breakdown; its total goes under its own
``…_TOTAL`` element (totals only), so no element ever mixes a total with its breakdown, in
any period. A clinic's release goes to the clinic's org unit under the ``…_CLINIC``
elements of two clinic data sets, all with ``aggregationType`` ``NONE``: analytics never
adds the clinics' published (partly suppressed, partly the same clients) numbers to the
nation's own, which the national release sends to the national org unit.

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
TOTAL_SUFFIX = "_TOTAL"
CLINIC_SUFFIX = "_CLINIC"
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


def element_code(
    code: str, *, total: bool = False, clinic: bool = False, yearly: bool = False
) -> str:
    """The data element one value goes under: the catalogue's code, ``_TOTAL`` for the total
    of an element with a breakdown, ``_CLINIC`` in a clinic's release, ``_YEAR`` for the
    year of a count of distinct people (``docs/dhis2.md``)."""
    name = code + (TOTAL_SUFFIX if total else "") + (CLINIC_SUFFIX if clinic else "")
    return yearly_element(name) if yearly else name


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
    clinic: bool = False

    @property
    def aggregation(self) -> str:
        # Clinics' numbers never roll up into the nation's; distinct people never add up.
        return "SUM" if time_additive(self.measure) and not self.clinic else "NONE"


def base_elements(catalogue: IndicatorCatalogue) -> dict[str, tuple[str, str, str | None]]:
    """The catalogue's data elements, each once: code -> (name, measure, category).

    An element named by two indicators (a share's denominator is another indicator's
    count) takes its category from the indicator it belongs to."""
    found: dict[str, tuple[str, str, str | None]] = {}
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
                found[code] = (name, measure, category)
    return found


def element_specs(catalogue: IndicatorCatalogue) -> list[ElementSpec]:
    """Every data element the payloads use, each once, in the catalogue's order."""
    specs: list[ElementSpec] = []
    for clinic in (False, True):
        for code, (name, measure, category) in base_elements(catalogue).items():
            variants = [(False, category)]
            if category is not None:
                variants.append((True, None))
            for total, variant_category in variants:
                base = element_code(code, total=total, clinic=clinic)
                label = name + (", total" if total else "") + (", clinic" if clinic else "")
                specs.append(
                    ElementSpec(base, label, measure, variant_category, "Quarterly", clinic)
                )
                if not time_additive(measure):
                    specs.append(
                        ElementSpec(
                            yearly_element(base),
                            f"{label}, year",
                            measure,
                            variant_category,
                            "Yearly",
                            clinic,
                        )
                    )
    return specs


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
    data_sets: dict[tuple[str, bool], list[dict[str, Any]]] = {
        (period_type, clinic): [] for clinic in (False, True) for period_type in PERIOD_TYPES
    }
    for spec in element_specs(catalogue):
        base = spec.code.removesuffix(YEARLY_SUFFIX).removesuffix(CLINIC_SUFFIX)
        combo = combo_of.get(base) if spec.category is not None else None
        element: dict[str, Any] = {
            "id": uid(spec.code),
            "code": spec.code,
            "name": spec.name,
            "shortName": _short(spec.name),
            "domainType": "AGGREGATE",
            "valueType": "INTEGER_ZERO_OR_POSITIVE",
            "aggregationType": spec.aggregation,
            "zeroIsSignificant": True,
        }
        if combo is not None:
            element["categoryCombo"] = {"id": uid(combo)}
        elements.append(element)
        data_set = {"id": uid(_set_code(catalogue, spec.period_type, spec.clinic))}
        data_sets[(spec.period_type, spec.clinic)].append(
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
                "id": uid(_set_code(catalogue, period_type, clinic)),
                "code": _set_code(catalogue, period_type, clinic),
                "name": _set_name(period_type, clinic),
                "shortName": _set_name(period_type, clinic),
                "periodType": period_type,
                "dataSetElements": members,
            }
            for (period_type, clinic), members in data_sets.items()
            if members
        ],
    }


PERIOD_TYPES = ("Quarterly", "Yearly")


def _set_name(period_type: str, clinic: bool) -> str:
    kind = "clinic " if clinic else ""
    return f"Legal aid {kind}indicators ({period_type.lower()})"


def data_set_code(catalogue: IndicatorCatalogue, *, clinic: bool) -> str:
    """The quarterly data set a national or a clinic's release is sent in."""
    return _set_code(catalogue, "Quarterly", clinic)


def _set_code(catalogue: IndicatorCatalogue, period_type: str, clinic: bool) -> str:
    return element_code(
        catalogue.dhis2.data_set or "AZLA_INDICATORS",
        clinic=clinic,
        yearly=period_type == "Yearly",
    )

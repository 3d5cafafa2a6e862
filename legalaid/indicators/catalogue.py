"""``policies/indicators.toml``: the plan's indicator catalogue, validated at start-up.

The catalogue is policy: which indicators exist, their titles and definitions in the
three languages, what each one counts (a measure, by name), how it may be broken down,
its yearly targets and its DHIS2 codes. The formulas are code
(:mod:`legalaid.indicators.measures`): a catalogue entry can only name one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from legalaid.errors import StartupError
from legalaid.indicators.dimensions import CLINIC, STATIC_DIMENSIONS
from legalaid.indicators.measures import CASE_MEASURES, CASE_TABLES, Measure
from legalaid.indicators.measures_feedback import FEEDBACK_MEASURES, FEEDBACK_TABLES
from legalaid.indicators.measures_trainings import TRAINING_MEASURES, TRAINING_TABLES
from legalaid.indicators.periods import PLAN_FIRST_YEAR, PLAN_LAST_YEAR
from legalaid.policy.loader import PolicyModel, Translated


def check_relations(measures: dict[str, Measure]) -> None:
    """Every measure of a unit is related, directly or through others, to one broader
    measure of that unit; relations name real measures, dimensions and categories.

    Run at start-up (import): a new measure counting cases opened, say, cannot be added
    without stating how it relates to ``cases_opened``, so disclosure control sees the
    identity between the two indicators.
    """
    roots: dict[str, set[str]] = {}
    for measure in measures.values():
        if not measure.unit:
            raise StartupError(f"measure {measure.name}: no unit")
        current, seen = measure, {measure.name}
        while current.within is not None:
            broader = measures.get(current.within.measure)
            if broader is None or broader.unit != current.unit:
                raise StartupError(
                    f"measure {current.name}: within '{current.within.measure}', "
                    "which is not a measure of the same unit"
                )
            if current.within.category is not None:
                dimension, category = current.within.category
                if dimension not in broader.dimensions or (
                    category not in STATIC_DIMENSIONS[dimension].categories
                ):
                    raise StartupError(
                        f"measure {current.name}: {broader.name} has no {dimension}={category}"
                    )
            if broader.name in seen:
                raise StartupError(f"measure {current.name}: relations form a cycle")
            seen.add(broader.name)
            current = broader
        roots.setdefault(measure.unit, set()).add(current.name)
    for unit, found in roots.items():
        if len(found) > 1:
            raise StartupError(
                f"measures of unit '{unit}' ({', '.join(sorted(found))}) are not related: "
                "declare which is within which (Measure.within)"
            )


#: Every formula the catalogue may name.
MEASURES: dict[str, Measure] = {
    measure.name: measure for measure in (*CASE_MEASURES, *TRAINING_MEASURES, *FEEDBACK_MEASURES)
}
check_relations(MEASURES)

#: Every table they read (a release keeps them from changing while it counts).
COUNTED_MODELS = tuple(dict.fromkeys((*CASE_TABLES, *TRAINING_TABLES, *FEEDBACK_TABLES)))

PLAN_YEARS = tuple(range(PLAN_FIRST_YEAR, PLAN_LAST_YEAR + 1))
TOTAL_COMBO = "total"

Dhis2Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,50}$")]


class Targets(PolicyModel):
    #: Required, so that nobody mistakes example values for agreed targets.
    example: bool
    by_year: dict[int, float]

    @model_validator(mode="after")
    def _plan_years(self) -> Targets:
        if tuple(sorted(self.by_year)) != PLAN_YEARS:
            years = ", ".join(str(year) for year in PLAN_YEARS)
            raise ValueError(f"targets.by_year needs exactly the years {years}")
        if any(value < 0 for value in self.by_year.values()):
            raise ValueError("a target cannot be negative")
        return self


class Dhis2Codes(PolicyModel):
    data_element: Dhis2Code
    #: For a share: the data element of its denominator.
    denominator_data_element: Dhis2Code | None = None
    #: The disaggregation sent to DHIS2 as its category (none: totals only).
    category: str | None = None
    #: Category option combo of each category, and of the total ("total").
    category_option_combos: dict[str, Dhis2Code]


class Basis(PolicyModel):
    """What an indicator's numbers are read from, so that nobody has to guess (and a
    re-release of a past period can be explained): whose region a breakdown by region
    is, and at which date statuses and consent are read."""

    region: Literal["client_residence", "incident_else_client_residence", "training_venue", "none"]
    #: "release_date": the status the record has when the release is made (a referral
    #: completed since counts as completed, so re-releasing an old quarter can change
    #: it); "not_applicable": the indicator reads no status, only dates.
    #: "within_90_days_of_sending": a referral's status counts when it was reached
    #: within 90 days of sending (LA08), so an old quarter stops changing.
    #: "status_history": from the dated status history (LA03), as it stood then.
    statuses_as_of: Literal[
        "release_date", "status_history", "within_90_days_of_sending", "not_applicable"
    ]
    #: Statistics consent as it stands on the release date ("not_applicable": no
    #: client is counted).
    consent_as_of: Literal["release_date", "not_applicable"]


class FeedbackCounted(PolicyModel):
    """For the satisfaction indicator: the feedback question it counts and the answers
    that count as satisfied, as ``policies/feedback.toml``'s ``[indicator]`` says (start-up
    refuses the two files when they differ; its definition must quote the question)."""

    question: str
    satisfied: tuple[str, ...] = Field(min_length=1)


#: The measures of the satisfaction indicator: the numerator counts policy's answers.
FEEDBACK_NUMERATOR = "feedback_satisfied"
FEEDBACK_DENOMINATOR = "feedback_answers"


class Indicator(PolicyModel):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9]{2}$")]
    objective: Literal["2.2", "2.3"]
    title: Translated
    definition: Translated
    unit: Literal["count", "share"]
    measure: str
    #: A share's denominator measure (the numerator is ``measure``).
    denominator: str | None = None
    disaggregations: tuple[str, ...] = ()
    crossings: tuple[tuple[str, str], ...] = ()
    targets: Targets
    dhis2: Dhis2Codes
    basis: Basis
    #: What a feedback indicator counts (required with the measure feedback_satisfied).
    feedback: FeedbackCounted | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.measure not in MEASURES:
            raise ValueError(f"{self.code}: unknown measure '{self.measure}'")
        if (self.measure == FEEDBACK_NUMERATOR) != (self.feedback is not None):
            raise ValueError(
                f"{self.code}: 'feedback' (question and satisfied answers) goes with the "
                f"measure {FEEDBACK_NUMERATOR}, and it needs one"
            )
        if self.feedback is not None and self.denominator != FEEDBACK_DENOMINATOR:
            raise ValueError(
                f"{self.code}: the share of satisfied answers is of all answers "
                f"(denominator {FEEDBACK_DENOMINATOR})"
            )
        if (self.unit == "share") != (self.denominator is not None):
            raise ValueError(f"{self.code}: a share needs a denominator, a count has none")
        measures = [MEASURES[self.measure]]
        if self.denominator is not None:
            if self.denominator not in MEASURES:
                raise ValueError(f"{self.code}: unknown measure '{self.denominator}'")
            measures.append(MEASURES[self.denominator])
        self._check_disaggregations(measures)
        self._check_basis(measures)
        self._check_targets()
        self._check_dhis2()
        return self

    def _check_disaggregations(self, measures: list[Measure]) -> None:
        if len(set(self.disaggregations)) != len(self.disaggregations):
            raise ValueError(f"{self.code}: a disaggregation is listed twice")
        for name in self.disaggregations:
            for measure in measures:
                if name not in measure.dimensions:
                    raise ValueError(
                        f"{self.code}: measure '{measure.name}' cannot be broken down by '{name}'"
                    )
        seen: set[frozenset[str]] = set()
        for pair in self.crossings:
            if len(set(pair)) != 2 or not set(pair) <= set(self.disaggregations):
                raise ValueError(
                    f"{self.code}: crossing {pair[0]} x {pair[1]} needs two different "
                    "dimensions from its disaggregations"
                )
            if frozenset(pair) in seen:
                raise ValueError(f"{self.code}: crossing {pair[0]} x {pair[1]} listed twice")
            seen.add(frozenset(pair))

    def _check_basis(self, measures: list[Measure]) -> None:
        has_region = all("region" in measure.dimensions for measure in measures)
        if has_region == (self.basis.region == "none"):
            raise ValueError(f"{self.code}: basis.region must say whose region it counts")
        uses_clients = any(measure.uses_clients for measure in measures)
        if uses_clients == (self.basis.consent_as_of == "not_applicable"):
            raise ValueError(f"{self.code}: basis.consent_as_of does not match its measure")

    def _check_targets(self) -> None:
        if self.unit == "share" and any(value > 100 for value in self.targets.by_year.values()):
            raise ValueError(f"{self.code}: a share's target is a percentage (0-100)")

    def _check_dhis2(self) -> None:
        dhis2 = self.dhis2
        if (self.unit == "share") != (dhis2.denominator_data_element is not None):
            raise ValueError(
                f"{self.code}: dhis2.denominator_data_element is for shares, and shares need it"
            )
        expected = {TOTAL_COMBO}
        if dhis2.category is not None:
            if dhis2.category == CLINIC or dhis2.category not in self.disaggregations:
                raise ValueError(
                    f"{self.code}: dhis2.category must be one of its disaggregations "
                    "(not the clinic)"
                )
            expected |= set(STATIC_DIMENSIONS[dhis2.category].categories)
        if set(dhis2.category_option_combos) != expected:
            missing = sorted(expected - set(dhis2.category_option_combos))
            extra = sorted(set(dhis2.category_option_combos) - expected)
            raise ValueError(
                f"{self.code}: dhis2.category_option_combos: missing {missing}, unknown {extra}"
            )

    def layouts(self, *, clinic_scope: bool) -> tuple[tuple[str, ...], ...]:
        """The tables the catalogue allows: the total, each breakdown, each crossing.

        A clinic's own table by a dimension is the crossing of that dimension with the
        clinic, so it is allowed only where the catalogue lists that crossing.
        """
        if not clinic_scope:
            return ((), *((name,) for name in self.disaggregations), *self.crossings)
        if CLINIC not in self.disaggregations:
            return ()
        within_clinic = tuple(
            tuple(name for name in pair if name != CLINIC)
            for pair in self.crossings
            if CLINIC in pair
        )
        return ((), *within_clinic)

    @property
    def measures(self) -> tuple[str, ...]:
        return (self.measure,) if self.denominator is None else (self.measure, self.denominator)


class Dhis2Settings(PolicyModel):
    """Where the values of a release go in DHIS2 (codes, for ``idScheme=CODE``)."""

    #: The organisation unit of a national release (a clinic's release uses its code).
    national_org_unit: Dhis2Code = "AZ"
    #: The data set the values belong to; DHIS2 accepts values without one.
    data_set: Dhis2Code | None = None


class IndicatorCatalogue(PolicyModel):
    dhis2: Dhis2Settings = Dhis2Settings()
    indicator: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> IndicatorCatalogue:
        codes = [entry.code for entry in self.indicator]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"indicator code(s) listed twice: {', '.join(duplicates)}")
        # A DHIS2 data element is one count: two indicators may share it (a share's
        # denominator is often another indicator) only if they count the same measure.
        measure_of: dict[str, str] = {}
        for entry in self.indicator:
            pairs = [(entry.dhis2.data_element, entry.measure)]
            if entry.dhis2.denominator_data_element and entry.denominator:
                pairs.append((entry.dhis2.denominator_data_element, entry.denominator))
            for element, measure in pairs:
                if measure_of.setdefault(element, measure) != measure:
                    raise ValueError(
                        f"{entry.code}: DHIS2 data element {element} already counts "
                        f"'{measure_of[element]}', not '{measure}'"
                    )
        return self

    def get(self, code: str) -> Indicator | None:
        for entry in self.indicator:
            if entry.code == code:
                return entry
        return None

    def check_feedback(self, question: str, satisfied: tuple[str, ...]) -> None:
        """Each feedback indicator counts what the feedback policy's [indicator] says."""
        for entry in self.indicator:
            declared = entry.feedback
            if declared is None:
                continue
            if declared.question != question or set(declared.satisfied) != set(satisfied):
                raise ValueError(
                    f"{entry.code} counts question {declared.question!r} answered "
                    f"{sorted(declared.satisfied)}, but feedback.toml's [indicator] says "
                    f"question {question!r} answered {sorted(satisfied)}: change both "
                    "files together (and the definition's wording)"
                )

    def check_crossings(self, may_cross: Callable[[str, str], bool]) -> None:
        """Every crossing of the catalogue must be one the disclosure policy allows
        (``DisclosurePolicy.may_cross``; checked when the policies are loaded)."""
        for entry in self.indicator:
            for first, second in entry.crossings:
                if not may_cross(first, second):
                    raise ValueError(
                        f"{entry.code}: crossing {first} x {second} is not in "
                        "disclosure.toml's crossable list"
                    )

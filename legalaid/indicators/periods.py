"""Reporting periods of the Action Plan: quarters, years and the plan to date.

The task force never chooses dates: it chooses one of these periods, and only once the
period is over and the data-entry lag of ``policies/disclosure.toml`` has passed. Fixed
periods are what lets the disclosure control know how published tables add up (quarters
to the year, quarters and years to the plan to date); an arbitrary date range would let
anyone difference two overlapping ranges down to a single day.

Codes: ``2026Q1`` (a quarter), ``2026`` (a year), ``2025-2027`` (the plan to date, from
1 January 2025 to the end of the last completed quarter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask_babel import gettext as _

from legalaid.calendar import quarter_code
from legalaid.errors import DomainError

PLAN_FIRST_YEAR = 2025
PLAN_LAST_YEAR = 2027
PLAN_CODE = f"{PLAN_FIRST_YEAR}-{PLAN_LAST_YEAR}"

QUARTER = "quarter"
YEAR = "year"
PLAN = "plan"

_QUARTER_CODE = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR_CODE = re.compile(r"^(\d{4})$")


class PeriodNotAvailableError(DomainError):
    """A period that is unknown, outside the plan, or not yet complete (same answer)."""

    status_code = 404


# order=True: periods sort by start, then end, so every listing is deterministic.
@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str
    code: str

    def __hash__(self) -> int:
        # Disclosure control hashes statistics (and so their periods) millions of times.
        try:
            return self.__dict__["_hash"]  # type: ignore[no-any-return]
        except KeyError:
            found = hash((self.start, self.end, self.kind, self.code))
            object.__setattr__(self, "_hash", found)
            return found

    def __getstate__(self) -> dict[str, object]:
        # A string's hash differs from one process to the next: never pickle one.
        return {key: value for key, value in self.__dict__.items() if key != "_hash"}

    @property
    def quarters(self) -> tuple[Period, ...]:
        """The quarters this period is made of, in order."""
        found = []
        year, q = self.start.year, (self.start.month - 1) // 3 + 1
        while True:
            current = quarter(year, q)
            if current.start > self.end:
                break
            found.append(current)
            year, q = (year + 1, 1) if q == 4 else (year, q + 1)
        return tuple(found)

    @property
    def partitions(self) -> tuple[tuple[Period, ...], ...]:
        """Ways of cutting the period into smaller released periods (all of them known).

        A year is its four quarters; the plan to date is its quarters, and also its whole
        years followed by the quarters of the year under way.
        """
        if self.kind == QUARTER:
            return ()
        by_quarter = self.quarters
        if self.kind == YEAR:
            return (by_quarter,)
        whole_years = tuple(
            year_period(y)
            for y in range(self.start.year, self.end.year + 1)
            if year_period(y).end <= self.end
        )
        if not whole_years:
            return (by_quarter,)
        rest = tuple(q for q in by_quarter if q.start > whole_years[-1].end)
        return (by_quarter, whole_years + rest)

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end and self != other

    def is_complete(self, today: date, lag_days: int) -> bool:
        """Released only after the period ends and the data-entry lag has passed."""
        return today > self.end + timedelta(days=lag_days)


# Cached: one object per period, so that comparing statistics compares periods by
# identity first (disclosure control does it millions of times).
@cache
def quarter(year: int, q: int) -> Period:
    if not 1 <= q <= 4:
        raise ValueError(f"no quarter {q}")
    start = date(year, 3 * q - 2, 1)
    end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return Period(start, end, QUARTER, quarter_code(year, q))


@cache
def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), YEAR, str(year))


@cache
def plan_to_date(through: Period) -> Period:
    """The plan from its first day to the end of ``through`` (a quarter of the plan)."""
    if through.kind != QUARTER or not PLAN_FIRST_YEAR <= through.start.year <= PLAN_LAST_YEAR:
        raise ValueError("the plan to date runs through one of the plan's quarters")
    return Period(date(PLAN_FIRST_YEAR, 1, 1), through.end, PLAN, PLAN_CODE)


def completed_periods(today: date, lag_days: int) -> tuple[Period, ...]:
    """Every period that may be released on ``today``: quarters, years, plan to date.

    In order: each year's completed quarters, then the year once it is complete; the plan
    to date (through the last completed quarter) comes last.
    """
    found: list[Period] = []
    last_quarter: Period | None = None
    for y in range(PLAN_FIRST_YEAR, PLAN_LAST_YEAR + 1):
        for q in (1, 2, 3, 4):
            current = quarter(y, q)
            if current.is_complete(today, lag_days):
                found.append(current)
                last_quarter = current
        if year_period(y).is_complete(today, lag_days):
            found.append(year_period(y))
    if last_quarter is not None:
        found.append(plan_to_date(last_quarter))
    return tuple(found)


def parse_period(code: str, today: date, lag_days: int) -> Period:
    """The released period named ``code``; refused when unknown or not yet complete."""
    for candidate in completed_periods(today, lag_days):
        if candidate.code == code:
            return candidate
    raise PeriodNotAvailableError(_("This period is not available for release."))


def period_of_code(code: str) -> Period:
    """A quarter or a year by its code, complete or not (for building fixed data sets).

    The plan to date is left out on purpose: its end depends on the release date, see
    :func:`completed_periods`.
    """
    if match := _QUARTER_CODE.match(code):
        return quarter(int(match.group(1)), int(match.group(2)))
    if match := _YEAR_CODE.match(code):
        return year_period(int(match.group(1)))
    raise ValueError(f"not a quarter or year code: {code!r}")

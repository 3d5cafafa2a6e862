"""Date arithmetic for deadlines: calendar or working days, with Azerbaijan's holidays.

Working days are Monday to Friday that are not public holidays of Azerbaijan as the
``holidays`` library knows them (including the days off moved when a holiday falls on a
weekend, and the estimated dates of the religious holidays).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("AZ", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
    day, counted = start, 0
    while counted < count:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def deadline_date(start: date, days: int, *, working_days: bool, roll_forward: bool) -> date:
    """``days`` after ``start``; a last day on a day off moves to the next working day
    when ``roll_forward`` says so (the usual rule of procedure codes)."""
    end = add_working_days(start, days) if working_days else start + timedelta(days=days)
    return next_working_day(end) if roll_forward else end

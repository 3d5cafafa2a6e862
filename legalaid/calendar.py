"""The clinics' calendar: "today" is the date in Baku, whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CLINIC_ZONE = ZoneInfo("Asia/Baku")


def today() -> date:
    return datetime.now(CLINIC_ZONE).date()


def quarter_code(year: int, q: int) -> str:
    """A quarter's code, ``2026Q1``: the reporting periods (``indicators.periods``) and the
    quarter a feedback answer is stored under both name quarters so."""
    return f"{year}Q{q}"


def quarter_of(day: date) -> str:
    """The code of the quarter ``day`` falls in."""
    return quarter_code(day.year, (day.month - 1) // 3 + 1)

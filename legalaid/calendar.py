"""The clinics' calendar: "today" is the date in Baku, whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CLINIC_ZONE = ZoneInfo("Asia/Baku")


def today() -> date:
    return datetime.now(CLINIC_ZONE).date()

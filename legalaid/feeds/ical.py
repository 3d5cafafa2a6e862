"""The feed's iCalendar (RFC 5545) text: case numbers, kinds, times and courts, never names.

Events are built from the user's scope at each fetch, so a reassigned or closed case drops
out at the next refresh. Times are clinic time (Asia/Baku) with the zone named; a hearing
without a time, or a deadline, is an all-day event. LOCATION is the name of the hearing's
court or venue code (policies/venues.toml) in the reader's language, the way calendar apps
show a place and look it up on a map; the hearing's free-text place, which may name a
person or an address, is never read here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import force_locale
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.calendar import CLINIC_ZONE
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.casework.models import Hearing
from legalaid.vocabulary import Vocabulary
from legalaid.vocabulary.casework import HEARING_KINDS

#: How far back the feed goes: calendar apps keep what they once fetched anyway.
PAST_DAYS = 30
DEFAULT_MINUTES = 60


def feed_events(session: Session, user: User, today: date) -> list[Any]:
    return list(
        session.execute(
            # Never the free-text place: it is not even decrypted. The venue is a code.
            select(
                Hearing.id,
                Hearing.case_id,
                Hearing.kind,
                Hearing.due_on,
                Hearing.starts_at,
                Hearing.duration_minutes,
                Hearing.venue,
                Case.number,
            )
            .select_from(Hearing)
            .join(Case, Case.id == Hearing.case_id)
            .where(
                case_condition(user),
                Case.status != "closed",
                Hearing.due_on >= today - timedelta(days=PAST_DAYS),
            )
            .order_by(Hearing.due_on, Hearing.id)
        ).all()
    )


def build_calendar(
    rows: list[Any],
    *,
    language: str,
    host: str,
    base_url: str,
    now: datetime,
    venues: Vocabulary,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//legalaid//calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "legalaid")
    calendar.add("x-wr-timezone", str(CLINIC_ZONE))
    with force_locale(language):
        for hearing in rows:
            number = hearing.number
            event = Event()
            event.add("uid", f"hearing-{hearing.id}@{host}")
            event.add("dtstamp", now)
            event.add("summary", f"{HEARING_KINDS.label(hearing.kind)} · {number}")
            if hearing.starts_at is None:
                event.add("dtstart", hearing.due_on)
                event.add("dtend", hearing.due_on + timedelta(days=1))
            else:
                start = datetime.combine(hearing.due_on, hearing.starts_at, CLINIC_ZONE)
                minutes = hearing.duration_minutes or DEFAULT_MINUTES
                event.add("dtstart", start)
                event.add("dtend", start + timedelta(minutes=minutes))
            if hearing.venue:
                event.add("location", venues.label(hearing.venue))
            if base_url:
                event.add("url", f"{base_url.rstrip('/')}/cases/{hearing.case_id}")
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())

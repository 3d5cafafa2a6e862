"""The private calendar feed: parses as iCalendar, names no person or place, follows the
user's scope at each fetch, and a revoked or replaced secret answers 404."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.cases.services import assign_case
from legalaid.casework.models import Hearing
from legalaid.feeds import service as feeds
from tests.case_factories import make_case
from tests.factories import create_user, signed_in_client
from tests.helpers import post_form

CLIENT_NAME = "Nigar Gizlinova"
RESPONDENT_NAME = "Elvin Sirrov"
PLACE = "Yasamal District Court"
FEED = re.compile(r'value="(http://localhost/calendar/[^"]+\.ics)"')


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests fetch a feed several times in a second; one test below restores the limit.
    monkeypatch.setattr(feeds, "MIN_FETCH_INTERVAL", timedelta(0))


def _case(session: Session, lawyer: User) -> Case:
    case_ = make_case(
        session,
        lawyer,
        full_name=CLIENT_NAME,
        respondents=((RESPONDENT_NAME, "intimate_partner"),),
    )
    session.add(
        Hearing(
            case_id=case_.id,
            kind="hearing",
            due_on=today() + timedelta(days=4),
            starts_at=time(10, 0),
            duration_minutes=45,
            place=PLACE,
        )
    )
    session.add(Hearing(case_id=case_.id, kind="deadline", due_on=today() + timedelta(days=9)))
    session.commit()
    return case_


def _new_link(client: FlaskClient) -> str:
    response = post_form(client, "/account/calendar-feed", {}, page="/account")
    assert response.status_code == 200
    match = FEED.search(response.get_data(as_text=True))
    assert match, "the new link is shown once"
    return match.group(1).removeprefix("http://localhost")


def test_the_feed_parses_and_carries_case_numbers_and_kinds_only(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    case_ = _case(session, lawyer)
    path = _new_link(signed_in_client(app, session, lawyer))
    response = app.test_client().get(path)  # a calendar app: no session
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    raw = response.get_data(as_text=True)
    for secret in (CLIENT_NAME, RESPONDENT_NAME, PLACE, "Gizlinova", "Sirrov", lawyer.full_name):
        assert secret not in raw
    calendar = Calendar.from_ical(response.get_data())
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    summaries = sorted(str(event["SUMMARY"]) for event in events)
    assert summaries == sorted(
        [f"Court hearing · {case_.number}", f"Filing deadline · {case_.number}"]
    )
    timed = next(event for event in events if "Court hearing" in str(event["SUMMARY"]))
    start, end = timed.decoded("DTSTART"), timed.decoded("DTEND")
    assert str(start.tzinfo) == "Asia/Baku"
    assert start.hour == 10
    assert end - start == timedelta(minutes=45)
    assert calendar.walk("VTIMEZONE"), "the zone is defined for the calendar apps"
    # A second, independent parser reads the same events (strictly: errors are raised).
    second = vobject.readOne(raw, validate=True, ignoreUnreadable=False)
    assert second.name == "VCALENDAR"
    assert second.version.value == "2.0"
    read = sorted((str(event.summary.value), event.dtstart.value) for event in second.vevent_list)
    assert [summary for summary, _ in read] == summaries
    assert next(value for summary, value in read if "Court hearing" in summary) == start
    session.expire_all()
    assert "calendar_feed.fetched" in session.scalars(select(AuditEntry.action)).all()


def test_the_secret_is_stored_only_as_a_digest(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    path = _new_link(signed_in_client(app, session, lawyer))
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    stored = session.execute(text("SELECT token_hash FROM calendar_feed")).scalars().all()
    assert stored
    assert token not in stored


def test_a_revoked_or_replaced_link_answers_404(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    _case(session, lawyer)
    client = signed_in_client(app, session, lawyer)
    first = _new_link(client)
    second = _new_link(client)
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    response = post_form(client, "/account/calendar-feed/revoke", {}, page="/account")
    assert response.status_code == 302
    assert app.test_client().get(second).status_code == 404
    assert app.test_client().get("/calendar/not-a-real-secret.ics").status_code == 404


def test_a_reassigned_case_drops_out_of_the_feed(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    case_ = _case(session, lawyer)
    colleague = create_user(session, "lawyer", clinic=lawyer.clinic)
    path = _new_link(signed_in_client(app, session, lawyer))
    assert case_.number in app.test_client().get(path).get_data(as_text=True)
    with app.extensions["tests.twin"].test_request_context():
        assign_case(session, case_, lawyer_id=colleague.id, reason="Caseload", by=None)
    session.commit()
    assert case_.number not in app.test_client().get(path).get_data(as_text=True)


def test_reminders_are_turned_on_from_the_account_page(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = signed_in_client(app, session, lawyer)
    assert "Send me reminders" in client.get("/account").get_data(as_text=True)
    response = post_form(client, "/account/reminders", {"enabled": "y"}, page="/account")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, lawyer.id).reminders_enabled is True  # type: ignore[union-attr]
    post_form(client, "/account/reminders", {}, page="/account")
    session.expire_all()
    assert session.get(User, lawyer.id).reminders_enabled is False  # type: ignore[union-attr]


def test_fetching_again_within_seconds_answers_429_and_is_audited(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds, "MIN_FETCH_INTERVAL", timedelta(seconds=30))
    lawyer = create_user(session, "lawyer")
    path = _new_link(signed_in_client(app, session, lawyer))
    assert app.test_client().get(path).status_code == 200
    again = app.test_client().get(path)
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "30"
    session.expire_all()
    outcomes = session.scalars(
        select(AuditEntry.outcome).where(AuditEntry.action == "calendar_feed.fetched")
    ).all()
    assert sorted(outcomes) == ["denied", "success"]


#: A free-text place as lawyers type it: a room, and sometimes a person's name.
PLACE_DETAILS = "Otaq 7, hakim Kamala Gizlinova"


@pytest.mark.parametrize(
    ("language", "location"),
    [
        ("az", "Bakı şəhəri Yasamal Rayon Məhkəməsi"),
        ("ru", "Ясамальский районный суд города Баку"),
        ("en", "Yasamal District Court, Baku"),
    ],
)
def test_the_location_is_the_court_of_its_code_never_the_free_text_place(
    app: Flask, session: Session, language: str, location: str
) -> None:
    lawyer = create_user(session, "lawyer")
    lawyer.preferred_language = language
    case_ = make_case(session, lawyer, full_name=CLIENT_NAME)
    day = today() + timedelta(days=4)
    session.add_all(
        [
            Hearing(
                case_id=case_.id,
                kind="hearing",
                due_on=day,
                starts_at=time(10, 0),
                venue="baku_yasamal",
                place=PLACE_DETAILS,
            ),
            # No court recorded: no LOCATION at all, and still not the free text.
            Hearing(case_id=case_.id, kind="meeting", due_on=day, place=PLACE_DETAILS),
        ]
    )
    session.commit()
    path = _new_link(signed_in_client(app, session, lawyer))
    response = app.test_client().get(path)
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    for secret in (PLACE_DETAILS, "Otaq 7", "Kamala", "Gizlinova", CLIENT_NAME):
        assert secret not in raw
    events = Calendar.from_ical(response.get_data()).walk("VEVENT")
    by_kind = {str(event["SUMMARY"]).split(" · ")[0]: event for event in events}
    assert len(by_kind) == 2
    located = [event for event in events if "LOCATION" in event]
    assert [str(event["LOCATION"]) for event in located] == [location]
    assert case_.number in str(located[0]["SUMMARY"])
    second = vobject.readOne(raw, validate=True, ignoreUnreadable=False)
    assert [event.location.value for event in second.vevent_list if hasattr(event, "location")] == [
        location
    ]


def test_a_closed_case_drops_out_of_the_feed(app: Flask, session: Session) -> None:
    from legalaid.cases.services import close_case

    lawyer = create_user(session, "lawyer")
    case_ = _case(session, lawyer)
    path = _new_link(signed_in_client(app, session, lawyer))
    assert case_.number in app.test_client().get(path).get_data(as_text=True)
    with app.extensions["tests.twin"].test_request_context():
        close_case(
            session,
            case_,
            expected_version=case_.version,
            outcome="resolved_favour",
            closed_on=today(),
            by=lawyer.id,
            today=today(),
            agenda_loss_confirmed=True,
        )
    session.commit()
    body = app.test_client().get(path).get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in body
    assert case_.number not in body

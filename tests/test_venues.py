"""The court or venue of a hearing: a list of policy the network extends, an optional
select on the hearing form, refused with a translated message when unknown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.calendar import today
from legalaid.casework.models import Hearing
from legalaid.errors import StartupError
from legalaid.policy.loader import SHIPPED_POLICY_DIR, load_policy
from legalaid.policy.venues import VenueList
from tests.case_factories import lawyer_with_case, post_hearing

BAKU_DISTRICTS = (
    "binagadi",
    "garadagh",
    "khatai",
    "khazar",
    "narimanov",
    "nasimi",
    "nizami",
    "pirallahi",
    "sabail",
    "sabunchu",
    "surakhani",
    "yasamal",
)


def test_the_shipped_list_has_the_main_courts_with_names_in_every_language() -> None:
    venues = load_policy(None, "venues.toml", VenueList)
    codes = set(venues.vocabulary.codes)
    expected = {f"baku_{district}" for district in BAKU_DISTRICTS} | {
        "baku_appeal",
        "supreme",
        "sumgait_city",
        "sumgait_appeal",
        "ganja_appeal",
        "other",
    }
    assert expected <= codes
    assert {"ganja_kapaz", "ganja_nizami"} <= codes
    for venue in venues.venue:
        names = (venue.name.en, venue.name.az, venue.name.ru)
        assert len(set(names)) == 3, f"{venue.code} is named the same in two languages"


def test_names_follow_the_language_being_shown(app: Flask) -> None:
    vocabulary = app.extensions["legalaid.policies"].venues.vocabulary
    with app.test_request_context():
        with force_locale("az"):
            assert vocabulary.label("baku_appeal") == "Bakı Apellyasiya Məhkəməsi"
        with force_locale("ru"):
            assert vocabulary.label("baku_appeal") == "Бакинский апелляционный суд"
        with force_locale("en"):
            assert vocabulary.label("baku_appeal") == "Baku Court of Appeal"


def _folder(tmp_path: Path, text: str) -> Path:
    (tmp_path / "venues.toml").write_text(text, encoding="utf-8")
    return tmp_path


NAME = '{ en = "A", az = "B", ru = "C" }'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f'[[venue]]\ncode = "x1"\nname = {NAME}\n', "'other'"),
        (
            f'[[venue]]\ncode = "other"\nname = {NAME}\n[[venue]]\ncode = "other"\nname = {NAME}\n',
            "listed twice",
        ),
        ('[[venue]]\ncode = "other"\nname = { en = "A", az = "B" }\n', "name.ru"),
        (f'[[venue]]\ncode = "Bad Code"\nname = {NAME}\n', "code"),
    ],
)
def test_a_bad_list_stops_start_up_with_one_clear_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    with pytest.raises(StartupError, match=problem):
        load_policy(_folder(tmp_path, text), "venues.toml", VenueList)


def test_the_network_extends_the_list_with_its_own_file(tmp_path: Path) -> None:
    shipped = (SHIPPED_POLICY_DIR / "venues.toml").read_text(encoding="utf-8")
    extra = '\n[[venue]]\ncode = "shaki_city"\nname = { en = "Shaki City Court", '
    extra += 'az = "Şəki Şəhər Məhkəməsi", ru = "Шекинский городской суд" }\n'
    venues = load_policy(_folder(tmp_path, shipped + extra), "venues.toml", VenueList)
    assert "shaki_city" in venues.vocabulary
    assert "baku_yasamal" in venues.vocabulary


def test_a_hearing_keeps_its_court_and_shows_its_name(app: Flask, session: Session) -> None:
    client, case_id, _ = lawyer_with_case(app, session, language="ru")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert '<option value="baku_yasamal">Ясамальский районный суд города Баку</option>' in page
    response = post_hearing(
        client,
        case_id,
        {
            "kind": "hearing",
            "due_on": (today() + timedelta(days=5)).isoformat(),
            "venue": "baku_yasamal",
            "place": "Room 12",
        },
    )
    assert response.status_code == 302
    hearing = session.scalars(select(Hearing).where(Hearing.case_id == case_id)).one()
    assert (hearing.venue, hearing.place) == ("baku_yasamal", "Room 12")
    for url in (f"/cases/{case_id}", "/agenda"):
        html = client.get(url).get_data(as_text=True)
        assert "Ясамальский районный суд города Баку" in html
        assert "Room 12" in html


def test_no_court_is_fine(app: Flask, session: Session) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    response = post_hearing(
        client,
        case_id,
        {"kind": "deadline", "due_on": (today() + timedelta(days=5)).isoformat(), "venue": ""},
    )
    assert response.status_code == 302
    assert session.scalars(select(Hearing.venue).where(Hearing.case_id == case_id)).one() is None


def test_an_unknown_court_is_refused_in_her_language_with_what_she_typed_kept(
    app: Flask, session: Session
) -> None:
    client, case_id, _ = lawyer_with_case(app, session, language="az")
    day = (today() + timedelta(days=5)).isoformat()
    response = post_hearing(
        client,
        case_id,
        {
            "kind": "hearing",
            "due_on": day,
            "starts_at": "11:15",
            "venue": "mars_high_court",
            "place": "Otaq 7",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="venue-error"' in html
    assert "Siyahıdakı dəyərlərdən birini seçin." in html
    assert "Choose one of the listed values." not in html
    assert 'value="Otaq 7"' in html
    assert f'value="{day}"' in html
    assert 'value="11:15"' in html
    assert session.scalars(select(Hearing).where(Hearing.case_id == case_id)).first() is None

"""Training sessions through HTTP: who may do what, validation, audit, the summary figures."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.trainings.models import (
    TrainingParticipant,
    TrainingSession,
    TrainingSessionModule,
)
from tests.factories import create_clinic, create_user, signed_in_client
from tests.helpers import csrf_token, post_form
from tests.training_factories import HAND_ROWS, csv_sheet, days_ago, make_training

_VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _events(session: Session, object_id: int | None = None) -> list[tuple[str, str]]:
    session.expire_all()
    query = select(AuditEntry.action, AuditEntry.outcome).where(
        AuditEntry.object_type == "training_session"
    )
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return [(row[0], row[1]) for row in session.execute(query.order_by(AuditEntry.seq))]


def _form(**changes: object) -> dict[str, object]:
    start = days_ago(20)
    data: dict[str, object] = {
        "title": "Survivor-centred interviewing for Nasimi police",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=1)).isoformat(),
        "hours": "12",
        "economic_region": "baku",
        "venue": "Synthetic police academy, hall 2",
        "delivered_by": "clinic",
        "partner_name": "",
        "agency": "police",
        "unit": "Nasimi district police department",
        "modules": ["gbv_response", "referral_pathways"],
        "external_trainers": "Synthetic Trainer Əliyeva",
        "participation_mode": "rows",
        "notes": "Synthetic note: the chief asked for a follow-up session.",
    }
    data.update(changes)
    return data


def _upload(
    client: FlaskClient, training_id: int, data: bytes, filename: str, version: int | None = None
):
    url = f"/trainings/{training_id}/import"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    current = _VERSION.search(page)
    assert token
    assert current
    return client.post(
        url,
        data={
            "csrf_token": token.group(1),
            "version": str(version if version is not None else current.group(1)),
            "sheet": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


# --- who may do what -----------------------------------------------------------------------

READ_ROUTES = ("/trainings/", "/trainings/{id}")
MANAGE_GETS = (
    "/trainings/new",
    "/trainings/{id}/edit",
    "/trainings/{id}/import",
    "/trainings/sheet-template.csv",
    "/trainings/sheet-template.xlsx",
)
MANAGE_POSTS = (
    "/trainings/new",
    "/trainings/{id}/edit",
    "/trainings/{id}/import",
    "/trainings/{id}/participants/clear",
)


def _statuses(client: FlaskClient, training_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for route in READ_ROUTES + MANAGE_GETS:
        url = route.format(id=training_id)
        out[f"GET {url}"] = client.get(url).status_code
    token = csrf_token(client, "/accounts/settings")
    for route in MANAGE_POSTS:
        url = route.format(id=training_id)
        out[f"POST {url}"] = client.post(url, data={"csrf_token": token}).status_code
    return out


def test_each_role_reaches_what_the_policy_and_the_clinic_allow(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    manager = create_user(session, "manager", clinic=clinic)
    training = make_training(session, manager)
    tid = training.id

    manager_statuses = _statuses(signed_in_client(app, session, manager), tid)
    assert all(status in (200, 302, 400) for status in manager_statuses.values()), manager_statuses

    lawyer = create_user(session, "lawyer", clinic=clinic)
    lawyer_statuses = _statuses(signed_in_client(app, session, lawyer), tid)
    for key, status in lawyer_statuses.items():
        reads = key in ("GET /trainings/", f"GET /trainings/{tid}")
        assert status == (200 if reads else 403), (key, status)

    for role in ("task_force", "admin"):
        outsider_statuses = _statuses(
            signed_in_client(app, session, create_user(session, role)), tid
        )
        assert set(outsider_statuses.values()) == {403}, (role, outsider_statuses)

    session.expire_all()
    assert session.get(TrainingSession, tid).version == training.version  # type: ignore[union-attr]


@pytest.mark.parametrize("role", ["manager", "lawyer"])
def test_another_clinics_session_answers_404_like_a_missing_one(
    app: Flask, session: Session, role: str
) -> None:
    owner = create_user(session, "manager")
    training = make_training(session, owner)
    outsider = create_user(session, role)  # of a clinic of her own
    client = signed_in_client(app, session, outsider)
    assert client.get(f"/trainings/{training.id}").status_code == 404
    assert client.get(f"/trainings/{training.id + 100_000}").status_code == 404
    if role == "manager":
        for route in ("/trainings/{id}/edit", "/trainings/{id}/import"):
            assert client.get(route.format(id=training.id)).status_code == 404
        token = csrf_token(client, "/trainings/new")
        for route in MANAGE_POSTS[1:]:
            response = client.post(
                route.format(id=training.id), data={"csrf_token": token, "version": "1"}
            )
            assert response.status_code == 404
    listing = client.get("/trainings/").get_data(as_text=True)
    assert training.title not in listing
    assert ("training.viewed", "denied") in _events(session, training.id)
    session.expire_all()
    assert session.get(TrainingSession, training.id).version == 1  # type: ignore[union-attr]


def test_the_nav_shows_trainings_to_clinic_staff_only(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    assert 'href="/trainings/"' in signed_in_client(app, session, manager).get("/").get_data(
        as_text=True
    )
    task_force = create_user(session, "task_force")
    page = signed_in_client(app, session, task_force).get("/").get_data(as_text=True)
    assert 'href="/trainings/"' not in page


# --- recording and editing -----------------------------------------------------------------


def test_a_manager_records_a_session_and_it_is_audited(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    manager = create_user(session, "manager", clinic=clinic)
    colleague = create_user(session, "lawyer", clinic=clinic)
    client = signed_in_client(app, session, manager)
    response = post_form(
        client,
        "/trainings/new",
        {**_form(trainer_ids=[str(colleague.id)]), "clinic_id": "999", "created_by_id": "1"},
    )
    assert response.status_code == 302
    assert re.search(r"/trainings/\d+/import$", response.headers["Location"])
    training = session.scalars(select(TrainingSession).order_by(TrainingSession.id.desc())).first()
    assert training is not None
    assert training.clinic_id == clinic.id  # posted clinic_id ignored
    assert training.created_by_id == manager.id
    assert training.duration_minutes == 12 * 60
    assert training.module_codes == ["gbv_response", "referral_pathways"]
    assert sorted(t.display_name for t in training.trainers) == sorted(
        [colleague.full_name, "Synthetic Trainer Əliyeva"]
    )
    assert (training.participation_mode, training.officers_total) == ("rows", 0)
    assert training.notes == "Synthetic note: the chief asked for a follow-up session."
    assert ("training.created", "success") in _events(session, training.id)
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Nasimi district police department" in page
    assert "12 hours" in page
    assert "No officers' rows yet" in page
    assert ("training.viewed", "success") in _events(session, training.id)
    # Audit entries carry ids, never what was typed.
    session.expire_all()
    for entry in session.scalars(select(AuditEntry)):
        values = f"{entry.action} {entry.object_type} {entry.object_id}"
        assert "Nasimi" not in values
        assert "Synthetic" not in values


def test_notes_are_encrypted_at_rest(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    training = make_training(session, manager, notes="Synthetic secret remark 4711")
    raw = session.execute(
        text("SELECT notes FROM training_session WHERE id = :id"), {"id": training.id}
    ).scalar_one()
    assert "4711" not in raw
    session.expire_all()
    assert session.get(TrainingSession, training.id).notes == "Synthetic secret remark 4711"  # type: ignore[union-attr]


BAD_INPUT = [
    (
        {"ends_on": days_ago(30).isoformat()},
        "The end date cannot be before the start date.",
        "ends_on",
    ),
    (
        {"starts_on": (today() + timedelta(days=3)).isoformat(), "ends_on": ""},
        "the start date cannot be in the future",
        "starts_on",
    ),
    (
        {
            "participation_mode": "counts",
            "officers_total": "20",
            "officers_female": "8",
            "officers_male": "10",
        },
        "The counts do not add up: 8 women and 10 men make 18, not 20.",
        "officers_total",
    ),
    (
        {
            "participation_mode": "counts",
            "officers_total": "",
            "officers_female": "8",
            "officers_male": "10",
        },
        "This field is required.",
        "officers_total",
    ),
    (
        {
            "participation_mode": "counts",
            "officers_total": "18",
            "officers_female": "8",
            "officers_male": "10",
            "officers_full_attendance": "19",
        },
        "At most the number of officers trained (18).",
        "officers_full_attendance",
    ),
    ({"agency": "army"}, "Choose one of the listed values.", "agency"),
    ({"economic_region": "atlantis"}, "Choose one of the listed values.", "economic_region"),
    ({"modules": ["gbv_response", "astrology"]}, "Choose one of the listed values.", "modules"),
    ({"modules": []}, "Choose at least one module.", "modules"),
    ({"delivered_by": "ministry"}, "Choose one of the listed values.", "delivered_by"),
    ({"participation_mode": "guess"}, "Choose one of the listed values.", "participation_mode"),
    ({"delivered_by": "partner", "partner_name": ""}, "This field is required.", "partner_name"),
    ({"hours": "0"}, "Hours: a number above 0", "hours"),
    ({"hours": "6.25"}, "with at most one decimal", "hours"),
    ({"external_trainers": ""}, "Name at least one trainer", "trainer_ids"),
    ({"starts_on": "2019-05-01", "ends_on": ""}, "start in 2025; check the year", "starts_on"),
]


@pytest.mark.parametrize(("changes", "message", "field"), BAD_INPUT)
def test_bad_input_is_refused_beside_its_field_and_the_form_is_kept(
    app: Flask, session: Session, changes: dict[str, object], message: str, field: str
) -> None:
    manager = create_user(session, "manager")
    client = signed_in_client(app, session, manager)
    before = _count(session, TrainingSession), _count(session, TrainingSessionModule)
    response = post_form(client, "/trainings/new", _form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in unescape(html)
    assert f'id="{field}-error"' in html
    # What she typed is still there.
    assert 'value="Survivor-centred interviewing for Nasimi police"' in html
    assert "Synthetic note: the chief asked for a follow-up session." in html
    assert (_count(session, TrainingSession), _count(session, TrainingSessionModule)) == before


def test_a_trainer_must_be_staff_of_the_clinic(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    stranger = create_user(session, "lawyer")  # another clinic
    client = signed_in_client(app, session, manager)
    before = _count(session, TrainingSession)
    html = post_form(
        client, "/trainings/new", _form(trainer_ids=[str(stranger.id)], external_trainers="")
    ).get_data(as_text=True)
    assert "Choose trainers from the clinic's staff." in unescape(html)
    assert _count(session, TrainingSession) == before


def test_counts_only_session_and_its_summary(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    client = signed_in_client(app, session, manager)
    response = post_form(
        client,
        "/trainings/new",
        _form(
            participation_mode="counts",
            officers_total="25",
            officers_female="7",
            officers_male="18",
            officers_full_attendance="20",
        ),
    )
    assert response.status_code == 302
    training = session.scalars(select(TrainingSession).order_by(TrainingSession.id.desc())).first()
    assert training is not None
    assert (training.officers_total, training.officers_female, training.officers_male) == (
        25,
        7,
        18,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only totals were recorded" in page
    assert "7 women, 18 men" in page
    assert "80%" in page  # 20 of 25 attended in full
    assert "<svg" not in page[page.index("<main") :]  # no chart (the navigation has an icon)


def test_concurrent_edits_give_409_and_keep_what_was_typed(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    first_manager = create_user(session, "manager", clinic=clinic)
    second_manager = create_user(session, "manager", clinic=clinic)
    training = make_training(session, first_manager)
    first = signed_in_client(app, session, first_manager)
    second = signed_in_client(app, session, second_manager)
    url = f"/trainings/{training.id}/edit"
    edit = _form(external_trainers="", trainer_ids=[str(first_manager.id)])
    assert post_form(first, url, {**edit, "title": "First title", "version": "1"}).status_code == (
        302
    )
    response = post_form(second, url, {**edit, "title": "Second typed this", "version": "1"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this session after you opened it." in html
    assert 'value="Second typed this"' in html
    assert "First title" in html
    session.expire_all()
    assert session.get(TrainingSession, training.id).title == "First title"  # type: ignore[union-attr]
    version = _VERSION.search(html)
    assert version
    assert version.group(1) == "2"
    again = post_form(second, url, {**edit, "title": "Second typed this", "version": "2"})
    assert again.status_code == 302
    session.expire_all()
    assert session.get(TrainingSession, training.id).title == "Second typed this"  # type: ignore[union-attr]
    assert [e for e in _events(session, training.id) if e[0] == "training.updated"] == [
        ("training.updated", "success"),
        ("training.updated", "success"),
    ]


def test_switching_to_totals_needs_the_rows_cleared_first(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    training = make_training(session, manager)
    client = signed_in_client(app, session, manager)
    assert _upload(client, training.id, csv_sheet(*HAND_ROWS), "s.csv").status_code == 302
    session.expire_all()
    version = session.get(TrainingSession, training.id).version  # type: ignore[union-attr]
    counts = {
        "participation_mode": "counts",
        "officers_total": "6",
        "officers_female": "3",
        "officers_male": "3",
        "version": str(version),
    }
    url = f"/trainings/{training.id}/edit"
    html = post_form(client, url, _form(**counts)).get_data(as_text=True)
    assert "This session has 6 officers' rows from the test sheet." in unescape(html)
    assert _count(session, TrainingParticipant) == 6
    # Clear the rows, then the totals are accepted.
    response = post_form(
        client,
        f"/trainings/{training.id}/participants/clear",
        {"version": str(version)},
        page=f"/trainings/{training.id}",
    )
    assert response.status_code == 302
    assert _count(session, TrainingParticipant) == 0
    response = post_form(client, url, _form(**{**counts, "version": str(version + 1)}))
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(TrainingSession, training.id)
    assert saved is not None
    assert (saved.participation_mode, saved.officers_total) == ("counts", 6)
    actions = [action for action, _ in _events(session, training.id)]
    assert {"training.imported", "training.participants_cleared", "training.updated"} <= set(
        actions
    )


# --- the list ------------------------------------------------------------------------------


def test_the_list_is_scoped_filtered_and_paginated(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    manager = create_user(session, "manager", clinic=clinic)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    for n in range(52):
        make_training(
            session,
            manager,
            title=f"Police session {n:02d}",
            economic_region="baku" if n % 2 else "shaki_zagatala",
            agency="police" if n % 3 else "prosecutors",
            modules=["hiv_stigma"] if n == 7 else ["gbv_response"],
            starts_on=days_ago(20 + n),
            ends_on=days_ago(20 + n),
        )
    other = make_training(session, create_user(session, "manager"), title="Other clinic session")
    client = signed_in_client(app, session, lawyer)
    page = client.get("/trainings/").get_data(as_text=True)
    assert "52 sessions" in page
    assert "Page 1 of 2" in page
    assert other.title not in page
    assert "Police session 00" in page  # newest first
    page2 = client.get("/trainings/?page=2").get_data(as_text=True)
    assert "Police session 51" in page2
    filtered = client.get("/trainings/?region=shaki_zagatala&agency=prosecutors").get_data(
        as_text=True
    )
    # n even and n % 3 == 0: 0, 6, 12, ..., 48 -> 9 sessions
    assert "9 sessions" in filtered
    by_module = client.get("/trainings/?module=hiv_stigma").get_data(as_text=True)
    assert "1 session" in by_module
    assert "Police session 07" in by_module
    year = days_ago(20).year
    assert "sessions" in client.get(f"/trainings/?year={year}").get_data(as_text=True)
    assert "0 sessions" in client.get("/trainings/?year=2031").get_data(as_text=True)
    # Nonsense filters are ignored, not refused.
    assert client.get("/trainings/?region=x&agency=y&module=z&year=abc").status_code == 200


# --- the summary, by hand ------------------------------------------------------------------


def test_summary_figures_match_a_hand_count(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    training = make_training(session, manager)
    client = signed_in_client(app, session, manager)
    assert _upload(client, training.id, csv_sheet(*HAND_ROWS), "scores.csv").status_code == 302
    session.expire_all()
    saved = session.get(TrainingSession, training.id)
    assert saved is not None
    # The session's counts follow the rows (what the indicators sum).
    assert (saved.officers_total, saved.officers_female, saved.officers_male) == (6, 3, 3)
    assert saved.officers_full_attendance == 4

    from legalaid.trainings.queries import session_summary

    summary = session_summary(session, saved)
    assert (summary.officers, summary.female, summary.male, summary.full_attendance) == (
        6,
        3,
        3,
        4,
    )
    assert (summary.pre_tested, summary.post_tested, summary.both_tested) == (5, 5, 4)
    assert summary.average_pre == pytest.approx(50.0)  # (40+50+70+30+60) / 5
    assert summary.average_post == pytest.approx(61.0)  # (60+55+65+80+45) / 5
    assert summary.improved == 3
    assert summary.improved_share == pytest.approx(0.75)
    assert summary.improved_by_points == 2
    assert summary.improved_by_points_share == 0.5
    assert summary.full_attendance_share == pytest.approx(4 / 6)

    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "3 women, 3 men" in page
    assert "67%" in page  # 4 of 6 in full
    assert "50.0" in page
    assert "61.0" in page
    assert "75% of the 4 officers with both scores" in page
    assert "50%" in page
    # The chart: one dot per (pre, post) pair with both scores, no inline style.
    main = page[page.index("<main") :]
    svg = main[main.index("<svg") : main.index("</svg>")]
    assert svg.count("<circle") == 4
    assert "style=" not in svg
    assert "<script" not in svg
    assert svg.count("chart-point-up") == 2  # +20 and +15
    assert "chart-point-some" in svg
    assert "chart-point-down" in svg


def test_officers_trained_and_improvement_are_computable_in_sql(
    app: Flask, session: Session
) -> None:
    """What the indicators will run: both ways of recording participants add up in SQL."""
    manager = create_user(session, "manager")
    rows_session = make_training(session, manager)
    make_training(
        session,
        manager,
        agency="prosecutors",
        participation_mode="counts",
        officers_total=10,
        officers_female=4,
        officers_male=6,
    )
    client = signed_in_client(app, session, manager)
    assert _upload(client, rows_session.id, csv_sheet(*HAND_ROWS), "s.csv").status_code == 302
    session.expire_all()
    by_sex = session.execute(
        text(
            "SELECT agency, SUM(officers_female), SUM(officers_male), SUM(officers_total) "
            "FROM training_session WHERE clinic_id = :clinic GROUP BY agency ORDER BY agency"
        ),
        {"clinic": manager.clinic_id},
    ).all()
    assert [tuple(row) for row in by_sex] == [("police", 3, 3, 6), ("prosecutors", 4, 6, 10)]
    improved = session.execute(
        text(
            "SELECT COUNT(*) FROM training_participant p "
            "JOIN training_session s ON s.id = p.session_id "
            "WHERE s.clinic_id = :clinic AND p.pre_score IS NOT NULL "
            "AND p.post_score IS NOT NULL AND p.post_score - p.pre_score >= 10"
        ),
        {"clinic": manager.clinic_id},
    ).scalar_one()
    assert improved == 2

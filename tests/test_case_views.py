"""Case and client pages through HTTP: intake, scoping (404), reassignment, 409, mass assignment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.casework.services import add_hearing, add_note, add_service, add_task
from legalaid.clients.models import Client
from legalaid.conflicts.models import ConflictCheck
from legalaid.providers.services import create_provider
from legalaid.referrals.services import refer
from tests.case_factories import make_case
from tests.document_factories import add_document
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token, post_form

_CHECKED = re.compile(r'name="checked" type="hidden" value="([^"]*)"')


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


INTAKE = {
    "full_name": "Aynur Məmmədova",
    "other_names": "",
    "birth_year": "1994",
    "respondents-0-name": "Rəşad Əliyev",
    "respondents-0-relation": "intimate_partner",
    "respondents-1-name": "",
    "respondents-1-relation": "",
    "phone": "+994 50 123 45 67",
    "may_call": "y",
    "contact_channel": "sms",
    "contact_hours": "weekdays 10-12",
    "gender_identity": "woman",
    "key_populations": ["hiv"],
    "age_band": "30_39",
    "economic_region": "baku",
    "settlement": "urban",
    "disability": "no",
    "consent_services": "y",
    "consent_statistics": "y",
    "consent_sharing": "y",
    "category": "gbv",
    "gbv_type": "physical_assault",
    "intimate_partner_violence": "y",
    "risk_level": "high",
    "summary": "Synthetic summary: threats after separation.",
    "decision": "proceed",
}


def _intake(client: FlaskClient, data: Mapping[str, object], action: str, checked: str = "") -> str:
    token = csrf_token(client, "/cases/intake")
    response = client.post(
        "/cases/intake", data={**data, "action": action, "checked": checked, "csrf_token": token}
    )
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        return response.headers["Location"]
    return response.get_data(as_text=True)


def _fingerprint(html: str) -> str:
    match = _CHECKED.search(html)
    assert match
    return match.group(1)


def test_intake_with_conflict_check_then_save(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    cases_before = _count(session, Case)
    html = _intake(client, INTAKE, "check")
    assert "No match among the clients and respondents of any clinic." in html
    assert _count(session, Case) == cases_before  # the check saves nothing
    location = _intake(client, INTAKE, "save", _fingerprint(html))
    assert re.search(r"/cases/\d+$", location)
    page = client.get(location).get_data(as_text=True)
    case_ = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case_ is not None
    assert case_.number in page
    assert case_.status == "intake"
    assert case_.risk_level == "high"
    assert case_.client.full_name == "Aynur Məmmədova"
    assert case_.client.population_codes == ["hiv"]
    assert [r.name for r in case_.respondents] == ["Rəşad Əliyev"]
    assert "High risk" in page
    actions = _actions(session)
    assert {"conflict.checked", "client.created", "case.created", "conflict.recorded"} <= set(
        actions
    )
    assert actions[-1] == "case.viewed"


def test_save_without_a_check_shows_the_check_first(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    before = _count(session, Case)
    html = _intake(client, INTAKE, "save", "")
    assert "The conflict check comes first." in html
    assert _count(session, Case) == before
    # What she typed is still there.
    assert "Synthetic summary: threats after separation." in html
    assert 'value="Aynur Məmmədova"' in html


def test_changing_names_after_the_check_needs_a_new_check(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    html = _intake(client, INTAKE, "check")
    changed = {**INTAKE, "respondents-1-name": "Someone Else", "respondents-1-relation": "stranger"}
    before = _count(session, Case)
    html = _intake(client, changed, "save", _fingerprint(html))
    assert "The names changed after the conflict check." in html
    assert _count(session, Case) == before


def test_intake_bad_input_is_shown_beside_the_field_and_nothing_is_saved(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    html = _intake(client, INTAKE, "check")
    future = (today() + timedelta(days=5)).isoformat()
    bad = {**INTAKE, "incident_date": future, "summary": "Kept text 123"}
    before = (_count(session, Case), _count(session, Client))
    html = _intake(client, bad, "save", _fingerprint(html))
    assert "The incident date cannot be in the future." in html
    assert 'id="incident_date-error"' in html
    assert "Kept text 123" in html
    assert f'value="{future}"' in html
    assert (_count(session, Case), _count(session, Client)) == before
    for field, value, message in (
        ("gender_identity", "martian", "Choose one of the listed values."),
        ("summary", "x" * 5001, "Field cannot be longer than 5000 characters."),
        ("gbv_type", "", "Choose the type of violence."),
        ("respondents-0-relation", "", "Choose one of the listed values."),
    ):
        html = _intake(client, {**INTAKE, field: value}, "save", _fingerprint(html))
        assert message in html, field
        assert _count(session, Case) == before[0]


def test_conflict_elsewhere_names_only_the_clinic(app: Flask, session: Session) -> None:
    other_clinic = create_clinic(session)
    other_lawyer = create_user(session, "lawyer", clinic=other_clinic)
    make_case(session, other_lawyer, full_name="Aynur Məmmədova", phone="+994 55 000 11 22")
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    html = _intake(client, {**INTAKE, "full_name": "Айнур Мамедова"}, "check")
    assert f"possible conflict at clinic {other_clinic.code} — ask its manager." in html
    assert "Məmmədova" not in html
    assert "000 11 22" not in html
    assert "-C-" not in html  # no client number of the other clinic


def test_conflict_in_scope_shows_the_record_and_offers_the_existing_client(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    existing = make_case(session, lawyer, full_name="Nigar Aliyeva", birth_year=1990)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    data = {**INTAKE, "full_name": "Нигяр Алиева", "birth_year": "1990"}
    html = _intake(client, data, "check")
    assert existing.client.number in html
    assert f'value="{existing.client_id}"' in html  # she can be chosen as the client
    location = _intake(
        client,
        {**data, "existing_client": str(existing.client_id)},
        "save",
        _fingerprint(
            _intake(client, {**data, "existing_client": str(existing.client_id)}, "check")
        ),
    )
    new_case = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert new_case is not None
    assert location.endswith(f"/cases/{new_case.id}")
    assert new_case.client_id == existing.client_id


def test_declining_records_a_closed_case_with_the_reason(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    html = _intake(client, INTAKE, "check")
    declined = {**INTAKE, "decision": "decline", "decline_reason": ""}
    html = _intake(client, declined, "save", _fingerprint(html))
    assert "Give the reason for declining." in html
    declined["decline_reason"] = "We represent the husband."
    _intake(client, declined, "save", _fingerprint(html))
    case_ = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case_ is not None
    assert (case_.status, case_.outcome) == ("closed", "conflict_declined")


# --- scoping: every case and client route -------------------------------------------------


def _scoped_routes(app: Flask) -> list[tuple[str, set[str], set[str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        args = set(rule.arguments)
        if args & {"case_id", "client_id"}:
            routes.append((rule.endpoint, args, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return sorted(routes, key=lambda route: route[0])


def _case_with_everything(session: Session, lawyer) -> dict[str, int]:
    case_ = make_case(session, lawyer, respondents=(("Elçin Quliyev", "law_enforcement"),))
    day = today()
    service = add_service(
        session,
        case_,
        service_type="protection_order",
        delivered_on=day,
        order_kind="short_term",
        by=lawyer.id,
        today=day,
    )
    note = add_note(session, case_, body="Synthetic note text", by=lawyer.id)
    hearing = add_hearing(
        session,
        case_,
        kind="hearing",
        due_on=day + timedelta(days=3),
        place="Court 1",
        by=lawyer.id,
        today=day,
    )
    provider = create_provider(
        session,
        name="Shelter A",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=None,
    )
    referral = refer(
        session,
        case_,
        provider_id=provider.id,
        service_type=None,
        sent_on=day,
        by=lawyer.id,
        today=day,
    )
    task = add_task(
        session,
        case_,
        description="Call back",
        due_on=day,
        assignee_id=lawyer.id,
        allowed_assignees={lawyer.id},
        by=lawyer.id,
        today=day,
    )
    session.commit()
    document = add_document(session, case_, lawyer.id)
    client_ = session.get(Client, case_.client_id)
    assert client_ is not None
    identity = add_document(session, client_, lawyer.id, kind="identity_document")
    return {
        "document_id": document.id,
        # The client's own documents answer under her page (client_documents.*).
        "client_document_id": identity.id,
        "case_id": case_.id,
        "client_id": case_.client_id,
        "service_id": service.id,
        "note_id": note.id,
        "hearing_id": hearing.id,
        "referral_id": referral.id,
        "task_id": task.id,
    }


def _hit(
    client: FlaskClient,
    app: Flask,
    endpoint: str,
    ids: dict[str, int],
    args: set[str],
    methods: set[str],
) -> list[int]:
    own = {"document_id": "client_document_id"} if endpoint.startswith("client_documents.") else {}
    with app.test_request_context():
        values: dict[str, Any] = {name: ids[own.get(name, name)] for name in args}
        url = url_for(endpoint, **values)
    statuses = []
    if "GET" in methods:
        statuses.append(client.get(url).status_code)
    if "POST" in methods:
        token = csrf_token(client, "/accounts/settings")
        statuses.append(client.post(url, data={"csrf_token": token}).status_code)
    return statuses


#: Case and client routes the access policy gives managers only (a lawyer gets 403).
MANAGER_ONLY = {
    "cases.assign",
    "documents.delete",
    "client_documents.delete",
    "clients.own_file_page",
    "clients.own_file_pdf_download",
    "retention.erase",
    "retention.legal_hold",
}


@pytest.mark.parametrize("who", ["other_lawyer", "other_manager", "task_force", "admin"])
def test_outsiders_get_404_or_403_on_every_case_and_client_route(
    app: Flask, session: Session, who: str
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    ids = _case_with_everything(session, lawyer)
    outsider = {
        "other_lawyer": lambda: create_user(session, "lawyer", clinic=clinic),
        "other_manager": lambda: create_user(session, "manager"),
        "task_force": lambda: create_user(session, "task_force"),
        "admin": lambda: create_user(session, "admin"),
    }[who]()
    client = app.test_client()
    sign_in(client, app, outsider, session=session)
    routes = _scoped_routes(app)
    assert len(routes) >= 15
    expected = {404} if who.startswith("other") else {403}

    def expected_for(endpoint: str) -> set[int]:
        if who == "other_lawyer":
            return {403} if endpoint in MANAGER_ONLY else {404}
        return expected

    for endpoint, args, methods in routes:
        statuses = _hit(client, app, endpoint, ids, args, methods)
        assert set(statuses) <= expected_for(endpoint), (endpoint, statuses)
    # A missing id answers exactly the same.
    missing = {key: value + 100_000 for key, value in ids.items()}
    if who.startswith("other"):
        assert _hit(client, app, "cases.view", missing, {"case_id"}, {"GET"}) == [404]
    # Nothing changed for the case.
    session.expire_all()
    assert session.get(Case, ids["case_id"]).status == "open"  # type: ignore[union-attr]


def test_the_assigned_lawyer_and_her_manager_reach_every_route(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    manager = create_user(session, "manager", clinic=clinic)
    ids = _case_with_everything(session, lawyer)
    for user in (lawyer, manager):
        client = app.test_client()
        sign_in(client, app, user, session=session)
        for endpoint, args, methods in _scoped_routes(app):
            statuses = _hit(client, app, endpoint, ids, args, methods)
            allowed = {403} if (user is lawyer and endpoint in MANAGER_ONLY) else set()
            assert not (set(statuses) & ({404} | ({403} - allowed))), (
                user.role,
                endpoint,
                statuses,
            )


def test_sub_records_of_another_case_are_404(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    first = _case_with_everything(session, lawyer)
    second = _case_with_everything(session, lawyer)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    # The note of the first case through the second case's URL.
    assert client.get(f"/cases/{second['case_id']}/notes/{first['note_id']}").status_code == 404
    token = csrf_token(client, "/accounts/settings")
    response = client.post(
        f"/cases/{second['case_id']}/hearings/{first['hearing_id']}/done",
        data={"csrf_token": token},
    )
    assert response.status_code == 404


def test_reassignment_removes_access_on_the_next_request(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    first = create_user(session, "lawyer", clinic=clinic)
    second = create_user(session, "lawyer", clinic=clinic)
    manager = create_user(session, "manager", clinic=clinic)
    case_ = make_case(session, first)
    first_client, second_client, manager_client = (app.test_client() for _ in range(3))
    sign_in(first_client, app, first, session=session)
    sign_in(second_client, app, second, session=session)
    sign_in(manager_client, app, manager, session=session)
    assert first_client.get(f"/cases/{case_.id}").status_code == 200
    assert second_client.get(f"/cases/{case_.id}").status_code == 404
    page = manager_client.get(f"/cases/{case_.id}/assign").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert version
    response = post_form(
        manager_client,
        f"/cases/{case_.id}/assign",
        {"lawyer_id": str(second.id), "reason": "Balancing caseloads", "version": version.group(1)},
    )
    assert response.status_code == 302
    assert first_client.get(f"/cases/{case_.id}").status_code == 404
    assert first_client.get(f"/clients/{case_.client_id}").status_code == 404
    assert second_client.get(f"/cases/{case_.id}").status_code == 200
    assert "case.reassigned" in _actions(session)


def test_reassignment_shows_each_lawyers_caseload_and_preselects_nobody(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    current = create_user(session, "lawyer", clinic=clinic)
    busy = create_user(session, "lawyer", clinic=clinic)
    free = create_user(session, "lawyer", clinic=clinic)
    manager = create_user(session, "manager", clinic=clinic)
    case_ = make_case(session, current)
    make_case(session, busy)
    make_case(session, busy)
    closed = make_case(session, free)
    closed.status, closed.outcome = "closed", "resolved_favour"
    session.flush()
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    html = client.get(f"/cases/{case_.id}/assign").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="lawyer_id".*?</select>', html, re.S)
    assert select_html
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select_html.group(0))
    labels = [label for _attrs, label in options]
    assert labels[0] == "Choose a lawyer"
    assert f"{busy.full_name} (2 active cases)" in labels
    assert f"{free.full_name} (0 active cases)" in labels
    assert not any(current.full_name in label for label in labels)
    assert not any("selected" in attrs for attrs, _label in options)


def test_closing_a_case_with_hearings_to_come_asks_first(app: Flask, session: Session) -> None:
    from legalaid.calendar import today
    from legalaid.casework.models import Hearing

    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    case_ = make_case(session, lawyer)
    case_.status, case_.opened_on = "open", today() - timedelta(days=10)
    session.add(Hearing(case_id=case_.id, kind="hearing", due_on=today() + timedelta(days=3)))
    session.add(Hearing(case_id=case_.id, kind="hearing", due_on=today() - timedelta(days=3)))
    session.flush()
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    url = f"/cases/{case_.id}/close"
    data = {"outcome": "withdrawn", "version": str(case_.version)}
    first = post_form(client, url, data, page=f"/cases/{case_.id}")
    assert first.status_code == 400
    html = first.get_data(as_text=True)
    assert "This case has 1 hearing or deadline still to come" in html
    assert 'name="agenda_loss_confirmed"' in html, "the confirmation works without JavaScript"
    session.expire_all()
    assert session.get(Case, case_.id).status == "open"  # type: ignore[union-attr]
    confirmed = post_form(
        client, url, {**data, "agenda_loss_confirmed": "y"}, page=f"/cases/{case_.id}"
    )
    assert confirmed.status_code == 302
    session.expire_all()
    assert session.get(Case, case_.id).status == "closed"  # type: ignore[union-attr]


def test_reassignment_needs_a_reason_and_a_lawyer_of_the_clinic(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    stranger = create_user(session, "lawyer")
    manager = create_user(session, "manager", clinic=clinic)
    case_ = make_case(session, lawyer)
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    url = f"/cases/{case_.id}/assign"
    html = post_form(
        client, url, {"lawyer_id": str(stranger.id), "reason": "x", "version": str(case_.version)}
    ).get_data(as_text=True)
    assert "Choose a lawyer of this clinic." in html
    session.expire_all()
    assert session.get(Case, case_.id).assigned_lawyer_id == lawyer.id  # type: ignore[union-attr]


# --- concurrency and mass assignment -------------------------------------------------------


def _edit_data(case_: Case, version: int, **changes: str) -> dict[str, str]:
    data = {
        "category": case_.category,
        "risk_level": case_.risk_level,
        "gbv_type": case_.gbv_type or "",
        "summary": case_.summary or "",
        "version": str(version),
    }
    data.update(changes)
    return data


def test_concurrent_case_edits_give_409_and_keep_what_was_typed(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    manager = create_user(session, "manager", clinic=clinic)
    case_ = make_case(session, lawyer)
    first, second = app.test_client(), app.test_client()
    sign_in(first, app, lawyer, session=session)
    sign_in(second, app, manager, session=session)
    url = f"/cases/{case_.id}/edit"
    version = case_.version
    token_first, token_second = csrf_token(first, url), csrf_token(second, url)
    response = first.post(
        url,
        data={
            **_edit_data(case_, version, risk_level="high", summary="First says"),
            "csrf_token": token_first,
        },
    )
    assert response.status_code == 302
    response = second.post(
        url,
        data={
            **_edit_data(case_, version, summary="Second typed this"),
            "csrf_token": token_second,
        },
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this case after you opened it." in html
    assert "Second typed this" in html  # her text is kept
    assert "First says" in html  # and she sees what changed
    session.expire_all()
    saved = session.get(Case, case_.id)
    assert saved is not None
    assert saved.summary == "First says"
    assert saved.risk_level == "high"
    # Saving again from the 409 page (it carries the new version) applies her text.
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    assert new_version
    response = second.post(
        url,
        data={
            **_edit_data(saved, int(new_version.group(1)), summary="Second typed this"),
            "csrf_token": token_second,
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Case, case_.id).summary == "Second typed this"  # type: ignore[union-attr]


def test_extra_posted_fields_change_nothing_they_should_not(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    other_clinic = create_clinic(session)
    other_lawyer = create_user(session, "lawyer", clinic=other_clinic)
    case_ = make_case(session, lawyer)
    before = (
        case_.clinic_id,
        case_.assigned_lawyer_id,
        case_.created_by_id,
        case_.number,
        case_.status,
        case_.client_id,
    )
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    response = post_form(
        client,
        f"/cases/{case_.id}/edit",
        {
            **_edit_data(case_, case_.version, summary="Edited"),
            "clinic_id": str(other_clinic.id),
            "assigned_lawyer_id": str(other_lawyer.id),
            "created_by_id": str(other_lawyer.id),
            "number": "XXX-2026-9999",
            "status": "closed",
            "client_id": "1",
            "outcome": "withdrawn",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Case, case_.id)
    assert saved is not None
    assert saved.summary == "Edited"
    assert (
        saved.clinic_id,
        saved.assigned_lawyer_id,
        saved.created_by_id,
        saved.number,
        saved.status,
        saved.client_id,
    ) == before


def test_client_edit_conflict_and_consent_dating(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    case_ = make_case(session, lawyer, consent_sharing=False)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    url = f"/clients/{case_.client_id}/edit"
    current = case_.client
    data = {
        "full_name": current.full_name,
        "gender_identity": current.gender_identity,
        "age_band": current.age_band,
        "economic_region": current.economic_region,
        "settlement": current.settlement,
        "disability": current.disability,
        "consent_services": "y",
        "consent_statistics": "y",
        "consent_sharing": "y",
        "version": str(current.version),
    }
    assert post_form(client, url, data).status_code == 302
    session.expire_all()
    saved = session.get(Client, case_.client_id)
    assert saved is not None
    assert saved.consent_sharing
    assert saved.consent_sharing_by_id == lawyer.id
    assert saved.consent_sharing_on == today()
    response = post_form(client, url, {**data, "phone": "+994 70 999 99 99"})  # stale version
    assert response.status_code == 409
    assert "+994 70 999 99 99" in response.get_data(as_text=True)


# --- lists ------------------------------------------------------------------------------


def test_case_list_is_scoped_filtered_and_paginated(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    colleague = create_user(session, "lawyer", clinic=clinic)
    manager = create_user(session, "manager", clinic=clinic)
    mine = [make_case(session, lawyer, risk="high" if i % 2 else "low") for i in range(4)]
    theirs = make_case(session, colleague)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    html = client.get("/cases/").get_data(as_text=True)
    assert all(case_.number in html for case_ in mine)
    assert theirs.number not in html
    html = client.get("/cases/?risk=high").get_data(as_text=True)
    assert [c.number in html for c in mine] == [False, True, False, True]
    html = client.get(f"/cases/?q={mine[0].number}", follow_redirects=True).get_data(as_text=True)
    assert mine[0].number in html
    assert mine[1].number not in html
    # Tampered filter values fall back to showing everything, not to an error.
    assert client.get("/cases/?status=bogus&sort=';drop&page=-3&lawyer=x").status_code == 200
    manager_client = app.test_client()
    sign_in(manager_client, app, manager, session=session)
    html = manager_client.get(f"/cases/?lawyer={colleague.id}").get_data(as_text=True)
    assert theirs.number in html
    assert mine[0].number not in html
    assert "case.listed" in _actions(session)


def test_a_declined_intake_reopened_is_checked_again_before_it_opens(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    html = _intake(client, INTAKE, "check")
    declined = {**INTAKE, "decision": "decline", "decline_reason": "We act for the husband."}
    location = _intake(client, declined, "save", _fingerprint(html))
    case_ = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case_ is not None
    assert case_.status == "closed"
    assert (
        post_form(
            client,
            f"/cases/{case_.id}/reopen",
            {"reason": "The other case ended", "version": str(case_.version)},
            page=location,
        ).status_code
        == 302
    )
    session.expire_all()
    assert case_.status == "intake"
    page = client.get(location).get_data(as_text=True)
    assert "Open the case" not in page
    assert "Run the conflict check again" in page
    recheck = client.get(f"/cases/{case_.id}/recheck").get_data(as_text=True)
    # Her own client record is not a conflict with herself.
    assert "No match among the clients and respondents of any clinic." in recheck
    response = post_form(
        client, f"/cases/{case_.id}/recheck", {"decision": "proceed", "version": str(case_.version)}
    )
    assert response.status_code == 302
    session.expire_all()
    response = post_form(
        client, f"/cases/{case_.id}/open", {"version": str(case_.version)}, page=location
    )
    assert response.status_code == 302
    session.expire_all()
    assert case_.status == "open"
    assert [
        check.decision
        for check in session.scalars(
            select(ConflictCheck)
            .where(ConflictCheck.case_id == case_.id)
            .order_by(ConflictCheck.id)
        )
    ] == ["decline", "proceed"]


def test_a_failed_save_lists_every_error_at_the_top(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    data = {**INTAKE, "category": "", "risk_level": ""}
    html = _intake(client, data, "check")
    html = _intake(client, data, "save", _fingerprint(html))
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "the errors are summarised above the form"
    assert summary.start() < html.index('<form method="post" novalidate>'), "above the form"
    links = re.findall(r'<a href="#([\w-]+)">', summary.group(0))
    # All errors of the form in one submit, each linking to its field.
    assert {"category", "risk_level"} <= set(links)
    for field_id in links:
        assert f'id="{field_id}"' in html

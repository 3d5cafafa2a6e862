"""A lawyer finds her own clients by name in any spelling, on the keyed index only."""

from __future__ import annotations

import html
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token


def _search(client: FlaskClient, term: str):
    token = csrf_token(client, "/clients/")
    response = client.post("/clients/", data={"q": term, "csrf_token": token})
    assert response.status_code == 303
    assert term not in response.headers["Location"]
    page = client.get(response.headers["Location"])
    return html.unescape(page.get_data(as_text=True))


def test_a_name_in_another_script_finds_her_client_and_only_hers(
    app: Flask, client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    colleague = create_user(session, "lawyer", clinic=clinic)
    mine = make_case(session, lawyer, full_name="Günay Məmmədova")
    make_case(session, lawyer, full_name="Sevinc Əliyeva")
    theirs = make_case(session, colleague, full_name="Günay Məmmədova")
    sign_in(client, app, lawyer, session=session)

    with caplog.at_level(logging.DEBUG):
        page = _search(client, "Мамедова")
    assert mine.client.number in page
    assert "Günay Məmmədova" in page
    assert theirs.client.number not in page, "another lawyer's client is out of her scope"
    assert "Sevinc" not in page
    assert "Мамедова" not in caplog.text

    # Every word must match: a given name alone with another family name finds nobody.
    assert mine.client.number not in _search(client, "Günay Əliyeva")
    assert mine.client.number in _search(client, "gunay mammadova")

    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "client.searched_by_name" in actions


def test_a_manager_finds_every_client_of_her_clinic_by_name(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    manager = create_user(session, "manager", clinic=clinic)
    outsider = create_user(session, "lawyer", clinic=create_clinic(session))
    ours = make_case(session, lawyer, full_name="Aynur Həsənova")
    elsewhere = make_case(session, outsider, full_name="Aynur Həsənova")
    sign_in(client, app, manager, session=session)
    page = _search(client, "Гасанова Айнур")
    assert ours.client.number in page
    assert elsewhere.client.number not in page


def test_a_number_still_finds_by_number(app: Flask, client: FlaskClient, session: Session) -> None:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    case = make_case(session, lawyer, full_name="Synthetic Nərmin Quliyeva")
    sign_in(client, app, lawyer, session=session)
    assert case.client.number in _search(client, case.client.number[-5:])

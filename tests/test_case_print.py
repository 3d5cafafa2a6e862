"""The printable case summary: for those who may see the case, audited, 404 otherwise."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, sign_in


def test_the_print_view_is_audited_and_scoped(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    colleague = create_user(session, "lawyer", clinic=clinic)
    case = make_case(session, lawyer, full_name="Synthetic Lalə Rzayeva")
    sign_in(client, app, colleague, session=session)
    assert client.get(f"/cases/{case.id}/print").status_code == 404
    client.post("/logout", data={})
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    response = client.get(f"/cases/{case.id}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="print-view"' in page
    assert "Synthetic Lalə Rzayeva" in page
    assert "Confidential" in page
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(case.id))
    ).all()
    assert "case.printed" in actions

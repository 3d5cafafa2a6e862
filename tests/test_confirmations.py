"""Actions that cannot be undone ask first, on a page (no JavaScript needed)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.releases.models import IndicatorRelease
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token


def _confirm_token(page: str) -> str:
    assert 'name="confirmed" value="yes"' in page
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_disabling_an_account_asks_first_then_disables(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    admin = create_user(session, "admin")
    lawyer = create_user(session, "lawyer")
    sign_in(client, app, admin, session=session)
    token = csrf_token(client, f"/admin/accounts/{lawyer.id}")
    asked = client.post(f"/admin/accounts/{lawyer.id}/disable", data={"csrf_token": token})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "signed out everywhere" in page
    session.refresh(lawyer)
    assert lawyer.active, "nothing happens before the confirmation"
    done = client.post(
        f"/admin/accounts/{lawyer.id}/disable",
        data={"csrf_token": _confirm_token(page), "confirmed": "yes"},
    )
    assert done.status_code == 302
    session.refresh(lawyer)
    assert not lawyer.active


def test_resetting_an_account_asks_first(app: Flask, client: FlaskClient, session: Session) -> None:
    admin = create_user(session, "admin")
    lawyer = create_user(session, "lawyer")
    hash_before = lawyer.password_hash
    sign_in(client, app, admin, session=session)
    token = csrf_token(client, f"/admin/accounts/{lawyer.id}")
    page = client.post(f"/admin/accounts/{lawyer.id}/reset", data={"csrf_token": token})
    assert "new setup code" in page.get_data(as_text=True)
    session.refresh(lawyer)
    assert lawyer.password_hash == hash_before


def test_a_release_is_confirmed_before_it_is_frozen(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    member = create_user(session, "task_force")
    sign_in(client, app, member, session=session)
    page = client.get("/releases/new").get_data(as_text=True)
    period = re.search(r'<option value="(\d{4}Q\d)"', page)
    assert period
    token = csrf_token(client, "/releases/new")
    asked = client.post(
        "/releases/new", data={"csrf_token": token, "period": period.group(1), "reason": ""}
    )
    text = asked.get_data(as_text=True)
    assert "never changed afterwards" in text
    assert f'name="period" value="{period.group(1)}"' in text
    assert session.scalar(select(func.count()).select_from(IndicatorRelease)) == 0

"""Headers on every response, cookies, CSRF, no caching of pages."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from legalaid.accounts.models import User
from legalaid.database import get_database
from legalaid.factory import create_app
from legalaid.settings import Settings
from tests.factories import PASSWORD, create_user, sign_in
from tests.helpers import csrf_token


def _check_common_headers(response: TestResponse) -> str:
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert re.search(r"script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}'", csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    return csp


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/no-such-page", "/static/app.css"])
def test_headers_on_every_kind_of_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    _check_common_headers(response)
    response.close()


def _nonce(response: TestResponse) -> str:
    found = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert found is not None, "no nonce in the policy"
    return found.group(1)


def test_nonce_differs_per_response_and_matches_the_script_tag(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    sign_in(client, app, create_user(session, "lawyer"), session=session)
    first, second = client.get("/home"), client.get("/home")
    nonces = [_nonce(r) for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"' in first.get_data(as_text=True)


def test_authenticated_pages_are_not_cached(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    sign_in(client, app, create_user(session, "admin"), session=session)
    for path in ("/home", "/account", "/admin/accounts"):
        response = client.get(path, follow_redirects=True)
        assert response.headers["Cache-Control"] == "no-store"


def test_cookie_flags_over_plain_http(app: Flask, session: Session, client: FlaskClient) -> None:
    user = create_user(session, "lawyer")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_https_instance_uses_host_prefixed_secure_cookie_and_hsts(
    shared_settings: Settings, tmp_path: Path
) -> None:
    # The shared database's keys (their check values are recorded there).
    app = create_app(
        dataclasses.replace(shared_settings, instance_path=tmp_path, behind_https=True)
    )
    try:
        client = app.test_client()
        response = client.get("/login", base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-legalaid=")
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "Path=/" in cookie
        assert "Domain" not in cookie
    finally:
        get_database(app).engine.dispose()


def test_post_without_csrf_token_changes_nothing(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    admin = create_user(session, "admin")
    sign_in(client, app, admin, session=session)
    before = session.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/admin/accounts/new",
        data={
            "email": "new@example.org",
            "full_name": "New",
            "role": "task_force",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User)) == before

"""Every route, every role, against policies/access.toml: deny by default."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.access.enforce import check_every_endpoint_listed
from legalaid.audit.models import AuditEntry
from legalaid.errors import StartupError
from legalaid.settings import DEFAULT_POLICY_DIR
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token

POLICY = tomllib.loads((DEFAULT_POLICY_DIR / "access.toml").read_text("utf-8"))
ENDPOINTS = sorted(POLICY["endpoints"])
ROLES = ["anonymous", "lawyer", "manager", "task_force", "admin"]


def _allowed(role: str, endpoint: str) -> bool:
    needed = POLICY["endpoints"][endpoint]
    if needed == "public":
        return True
    if role == "anonymous" or needed == "api_token":
        return False
    return needed == "signed_in" or needed in POLICY["roles"].get(role, [])


def test_every_app_endpoint_has_a_policy_entry_and_no_entry_is_stale(app: Flask) -> None:
    app_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert app_endpoints == set(ENDPOINTS)


def test_a_route_without_a_policy_entry_stops_start_up(own_app: Flask) -> None:
    app = own_app
    app.add_url_rule("/forgotten", endpoint="forgotten", view_func=lambda: "secret")
    with pytest.raises(StartupError, match="forgotten"):
        check_every_endpoint_listed(app, app.extensions["legalaid.policies"].access)


def test_an_api_token_endpoint_whose_view_checks_no_token_stops_start_up(
    own_app: Flask,
) -> None:
    app = own_app
    policy = app.extensions["legalaid.policies"].access
    app.add_url_rule("/api/v1/forgotten", endpoint="api.forgotten", view_func=lambda: "secret")
    unguarded = policy.model_copy(
        update={"endpoints": {**policy.endpoints, "api.forgotten": "api_token"}}
    )
    with pytest.raises(StartupError, match=r"api\.forgotten"):
        check_every_endpoint_listed(app, unguarded)


def _request(client: FlaskClient, app: Flask, endpoint: str):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values: dict[str, Any] = {
        arg: ("app.css" if arg == "filename" else 1) for arg in rule.arguments
    }
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    methods = rule.methods or set()
    if "GET" in methods:
        return client.get(url)
    token = csrf_token(client, "/")
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_route_answers_by_policy(app: Flask, session: Session, role: str, endpoint: str) -> None:
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, app, create_user(session, role), session=session)
    response = _request(client, app, endpoint)
    response.close()
    if POLICY["endpoints"][endpoint] == "api_token":
        # The API takes a bearer token only: a session, even the task force's, is no key.
        assert response.status_code == 401, f"{role} reached {endpoint}: {response.status_code}"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.is_json
        assert "Set-Cookie" not in response.headers
        return
    location = response.headers.get("Location", "")
    denied_anonymous = response.status_code == 401 or (
        response.status_code == 302 and "/login" in location and endpoint != "accounts.login"
    )
    if _allowed(role, endpoint):
        assert response.status_code != 403, f"{role} refused {endpoint}"
        assert not (role != "anonymous" and denied_anonymous), (
            f"{role} sent to sign in for {endpoint}"
        )
        if role == "anonymous" and POLICY["endpoints"][endpoint] == "public":
            assert response.status_code != 401
    elif role == "anonymous":
        assert denied_anonymous, f"anonymous reached {endpoint}: {response.status_code} {location}"
    else:
        assert response.status_code in (403, 404), (
            f"{role} reached {endpoint}: {response.status_code}"
        )


def test_a_refused_request_is_audited(app: Flask, session: Session, client: FlaskClient) -> None:
    sign_in(client, app, create_user(session, "lawyer"), session=session)
    before = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "access.denied")
    )
    assert client.get("/admin/accounts").status_code == 403
    session.expire_all()
    after = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "access.denied")
    )
    assert after == (before or 0) + 1

"""Personal access tokens and the API: shown once, stored hashed, expiring, revocable,
rate-limited, scoped to the owner, never a session; the OpenAPI file covers every route."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.database import utcnow
from legalaid.errors import DomainError
from legalaid.releases import exports
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.services import create_release
from legalaid.tokens import services
from legalaid.tokens.models import ApiToken
from tests.case_factories import make_case
from tests.dhis2_schema import validate_data_value_set
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token

TODAY = date(2026, 11, 22)
TOKEN = re.compile(r"lat_[A-Za-z0-9_-]{43}")
OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


@dataclass
class World:
    task_force: User
    manager: User
    national: IndicatorRelease
    clinic: IndicatorRelease


def _release(app: Flask, session: Session, user: User) -> IndicatorRelease:
    policies = app.extensions["legalaid.policies"]
    made = create_release(
        session,
        catalogue=policies.indicators,
        policy=policies.disclosure,
        user=user,
        period_code="2026Q1",
        reason=None,
        today=TODAY,
    )
    session.commit()
    return made


@pytest.fixture
def world(app: Flask, session: Session) -> World:
    manager = create_user(session, "manager")
    lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    for _ in range(6):
        make_case(session, lawyer, on=date(2026, 2, 10))
    task_force = create_user(session, "task_force")
    return World(
        task_force, manager, _release(app, session, task_force), _release(app, session, manager)
    )


def make_token(session: Session, user: User, days: int = 90) -> tuple[ApiToken, str]:
    row, token = services.create_token(session, user, name="DHIS2 import", days=days, now=utcnow())
    session.commit()
    return row, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def audits(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


# --- Tokens: made on a page, shown once, stored hashed -------------------------------------


def test_a_task_force_member_makes_a_token_shown_once_and_stored_hashed(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "task_force")
    sign_in(client, app, user, session=session)
    page = client.get("/settings/tokens")
    assert page.status_code == 200
    token = csrf_token(client, "/settings/tokens")
    response = client.post(
        "/settings/tokens", data={"name": "DHIS2 import", "expires_in": "90", "csrf_token": token}
    )
    assert response.status_code == 200
    found = TOKEN.findall(response.get_data(as_text=True))
    assert len(found) == 1
    secret = found[0]
    row = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (row.name, row.prefix, row.token_hash)
    assert row.prefix == secret[:12]
    assert timedelta(days=90) - timedelta(minutes=1) < row.expires_at - row.created_at
    assert row.expires_at - row.created_at <= timedelta(days=90)
    assert response.headers["Cache-Control"] == "no-store"
    # Never again: the list shows the prefix, not the token.
    again = client.get("/settings/tokens").get_data(as_text=True)
    assert secret not in again
    assert row.prefix in again
    assert audits(session, "token.created")[-1].object_id == str(row.id)
    listed = audits(session, "token.listed")
    assert listed
    assert listed[-1].actor_id == user.id


def test_a_refused_token_form_keeps_what_was_typed(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "task_force")
    sign_in(client, app, user, session=session)
    token = csrf_token(client, "/settings/tokens")
    response = client.post(
        "/settings/tokens", data={"name": "Kept name", "expires_in": "7", "csrf_token": token}
    )
    assert response.status_code == 400
    assert 'value="Kept name"' in response.get_data(as_text=True)
    assert TOKEN.search(response.get_data(as_text=True)) is None
    assert session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).first() is None


def test_a_token_form_without_csrf_is_refused(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "task_force")
    sign_in(client, app, user, session=session)
    response = client.post("/settings/tokens", data={"name": "x", "expires_in": "90"})
    assert response.status_code == 400
    assert session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).first() is None


@pytest.mark.parametrize("role", ["manager", "lawyer", "admin"])
def test_only_the_task_force_has_tokens(
    app: Flask, session: Session, client: FlaskClient, role: str
) -> None:
    user = create_user(session, role)
    sign_in(client, app, user, session=session)
    assert client.get("/settings/tokens").status_code == 403
    token = csrf_token(client, "/account")
    response = client.post(
        "/settings/tokens", data={"name": "x", "expires_in": "90", "csrf_token": token}
    )
    assert response.status_code == 403
    assert session.scalars(select(ApiToken)).first() is None


def test_the_settings_page_links_to_tokens_for_the_task_force_only(
    app: Flask, session: Session
) -> None:
    for role, linked in (("task_force", True), ("manager", False)):
        client = app.test_client()
        sign_in(client, app, create_user(session, role), session=session)
        assert ("/settings/tokens" in client.get("/account").get_data(as_text=True)) == linked


def test_a_member_revokes_her_token_and_not_someone_elses(
    app: Flask, session: Session, world: World, client: FlaskClient
) -> None:
    mine, secret = make_token(session, world.task_force)
    colleague = create_user(session, "task_force")
    theirs, their_secret = make_token(session, colleague)
    sign_in(client, app, world.task_force, session=session)
    token = csrf_token(client, "/settings/tokens")
    assert (
        client.post(
            f"/settings/tokens/{theirs.id}/revoke", data={"csrf_token": token, "confirmed": "yes"}
        ).status_code
        == 404
    )
    denied = audits(session, "token.revoked")[-1]
    assert (denied.object_id, denied.outcome) == (str(theirs.id), "denied")
    response = client.post(
        f"/settings/tokens/{mine.id}/revoke", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ApiToken, mine.id).revoked_at is not None  # type: ignore[union-attr]
    assert session.get(ApiToken, theirs.id).revoked_at is None  # type: ignore[union-attr]
    assert audits(session, "token.revoked")[-1].object_id == str(mine.id)
    api = app.test_client()
    revoked = api.get("/api/v1/releases", headers=bearer(secret))
    assert revoked.status_code == 401
    assert 'error="invalid_token"' in revoked.headers["WWW-Authenticate"]
    assert api.get("/api/v1/releases", headers=bearer(their_secret)).status_code == 200


def test_a_member_holds_at_most_ten_tokens_in_use(session: Session) -> None:
    user = create_user(session, "task_force")
    for _ in range(services.MAX_ACTIVE):
        make_token(session, user)
    with pytest.raises(DomainError):
        services.create_token(session, user, name="one more", days=30, now=utcnow())


# --- The API: a bearer token, and nothing else ---------------------------------------------


def test_a_token_lists_the_national_releases_only(
    app: Flask, session: Session, world: World
) -> None:
    _row, secret = make_token(session, world.task_force)
    response = app.test_client().get("/api/v1/releases", headers=bearer(secret))
    assert response.status_code == 200
    assert response.is_json
    assert "Set-Cookie" not in response.headers
    body = response.get_json()
    ids = [item["id"] for item in body["releases"]]
    assert world.national.id in ids
    assert world.clinic.id not in ids
    assert all(item["scope"] == {"kind": "national"} for item in body["releases"])
    assert body["page"] == 1
    assert body["next"] is None
    assert body["total"] == len(ids)
    item = next(item for item in body["releases"] if item["id"] == world.national.id)
    assert item["links"]["dhis2"] == f"/api/v1/releases/{world.national.id}?format=dhis2"
    entry = audits(session, "api.releases_listed")[-1]
    assert (entry.actor_id, entry.actor_role) == (world.task_force.id, "task_force")


def test_a_token_reads_a_release_as_json_or_dhis2(
    app: Flask, session: Session, world: World
) -> None:
    _row, secret = make_token(session, world.task_force)
    client = app.test_client()
    release = world.national
    frozen = FrozenRelease(release.content)
    catalogue = app.extensions["legalaid.policies"].indicators
    as_json = client.get(f"/api/v1/releases/{release.id}", headers=bearer(secret))
    assert as_json.status_code == 200
    assert as_json.get_json() == exports.export_json(release, frozen, catalogue)
    as_dhis2 = client.get(f"/api/v1/releases/{release.id}?format=dhis2", headers=bearer(secret))
    assert as_dhis2.status_code == 200
    assert as_dhis2.get_json() == exports.export_dhis2(frozen, catalogue)
    assert as_dhis2.get_json()["orgUnit"] == "AZ"
    unknown = client.get(f"/api/v1/releases/{release.id}?format=xml", headers=bearer(secret))
    assert unknown.status_code == 400
    assert unknown.is_json
    entry = audits(session, "api.release_read")[-1]
    assert (entry.object_id, entry.actor_id) == (str(release.id), world.task_force.id)


def test_a_token_reads_what_a_new_version_deletes_in_dhis2(
    app: Flask, session: Session, world: World
) -> None:
    _row, secret = make_token(session, world.task_force)
    client = app.test_client()
    catalogue = app.extensions["legalaid.policies"].indicators
    first = world.national
    url = f"/api/v1/releases/{first.id}?format=dhis2-deletions"
    nothing = client.get(url, headers=bearer(secret)).get_json()
    assert (nothing["importStrategy"], nothing["dataValues"]) == ("DELETE", [])
    sent = client.get(f"/api/v1/releases/{first.id}?format=dhis2", headers=bearer(secret))
    totals = [v for v in sent.get_json()["dataValues"] if v["dataElement"] == "AZLA02_CASES_OPENED"]
    assert [v["value"] for v in totals] == ["6"]

    # Three late cases: the national total goes 6 -> 9, a change of 3 (k-1 or less), so
    # version 2 hides it, and DHIS2 must be told to delete the 6 it holds.
    lawyer = create_user(session, "lawyer", clinic=world.manager.clinic)
    for _ in range(3):
        make_case(session, lawyer, on=date(2026, 2, 11))
    policies = app.extensions["legalaid.policies"]
    second = create_release(
        session,
        catalogue=policies.indicators,
        policy=policies.disclosure,
        user=world.task_force,
        period_code="2026Q1",
        reason="Late entries",
        today=TODAY,
    )
    session.commit()
    listed = client.get("/api/v1/releases", headers=bearer(secret)).get_json()
    item = next(item for item in listed["releases"] if item["id"] == second.id)
    assert item["links"]["dhis2_deletions"] == (
        f"/api/v1/releases/{second.id}?format=dhis2-deletions"
    )
    response = client.get(item["links"]["dhis2_deletions"], headers=bearer(secret))
    assert response.status_code == 200
    body = response.get_json()
    assert body == exports.export_dhis2_deletions(
        FrozenRelease(second.content), FrozenRelease(first.content), catalogue
    )
    assert body["importStrategy"] == "DELETE"
    validate_data_value_set(body)
    validate_data_value_set(nothing)
    assert {
        "dataElement": "AZLA02_CASES_OPENED",
        "period": "2026Q1",
        "orgUnit": "AZ",
        "categoryOptionCombo": "default",
    } in body["dataValues"]
    now = client.get(f"/api/v1/releases/{second.id}?format=dhis2", headers=bearer(secret))
    kept = {
        (v["dataElement"], v["period"], v["categoryOptionCombo"])
        for v in now.get_json()["dataValues"]
    }
    assert not [
        v
        for v in body["dataValues"]
        if (v["dataElement"], v["period"], v["categoryOptionCombo"]) in kept
    ]


def test_a_clinics_release_or_a_missing_one_answers_404_json_and_is_audited(
    app: Flask, session: Session, world: World
) -> None:
    _row, secret = make_token(session, world.task_force)
    client = app.test_client()
    outside = client.get(f"/api/v1/releases/{world.clinic.id}", headers=bearer(secret))
    missing = client.get("/api/v1/releases/999999", headers=bearer(secret))
    assert outside.status_code == missing.status_code == 404
    assert outside.get_json() == missing.get_json()
    entry = audits(session, "api.release_read")[-1]
    assert (entry.object_id, entry.outcome) == ("999999", "denied")


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer lat_unknown", "Token abc"],
)
def test_without_a_valid_token_the_api_answers_401(
    app: Flask, world: World, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = app.test_client().get("/api/v1/releases", headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="legalaid"')
    assert "Set-Cookie" not in response.headers


def test_a_session_alone_does_not_open_the_api(
    app: Flask, session: Session, world: World, client: FlaskClient
) -> None:
    sign_in(client, app, world.task_force, session=session)
    assert client.get("/account").status_code == 200  # signed in, for the pages
    assert client.get("/api/v1/releases").status_code == 401
    assert client.get(f"/api/v1/releases/{world.national.id}").status_code == 401


def test_a_token_does_not_open_any_web_page(app: Flask, session: Session, world: World) -> None:
    _row, secret = make_token(session, world.task_force)
    client = app.test_client()
    for path in (
        "/releases",
        f"/releases/{world.national.id}",
        f"/releases/{world.national.id}/export.csv",
        "/settings/tokens",
        "/account",
    ):
        response = client.get(path, headers=bearer(secret))
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_an_expired_token_is_refused(app: Flask, session: Session, world: World) -> None:
    row, secret = make_token(session, world.task_force, days=30)
    client = app.test_client()
    assert client.get("/api/v1/releases", headers=bearer(secret)).status_code == 200
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == row.id)
        .values(
            created_at=utcnow() - timedelta(days=31), expires_at=utcnow() - timedelta(seconds=1)
        )
    )
    session.commit()
    assert client.get("/api/v1/releases", headers=bearer(secret)).status_code == 401
    entry = audits(session, "api.token_refused")[-1]
    assert (entry.object_id, entry.outcome, entry.actor_id) == (
        str(row.id),
        "denied",
        world.task_force.id,
    )


def test_a_refused_token_polling_on_does_not_flood_the_audit_log(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "RATE_LIMIT", 2)
    row, secret = make_token(session, world.task_force)
    session.execute(update(ApiToken).where(ApiToken.id == row.id).values(revoked_at=utcnow()))
    session.commit()
    client = app.test_client()
    for _ in range(5):
        assert client.get("/api/v1/releases", headers=bearer(secret)).status_code == 401
    assert len(audits(session, "api.token_refused")) == 2


@pytest.mark.parametrize("change", ["disabled", "moved"])
def test_a_token_stops_when_its_owner_is_disabled_or_leaves_the_task_force(
    app: Flask, session: Session, world: World, change: str
) -> None:
    _row, secret = make_token(session, world.task_force)
    values = {"active": False} if change == "disabled" else {"role": "admin"}
    session.execute(update(User).where(User.id == world.task_force.id).values(**values))
    session.commit()
    assert app.test_client().get("/api/v1/releases", headers=bearer(secret)).status_code == 401


def test_over_the_rate_limit_the_api_answers_429_with_retry_after(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "RATE_LIMIT", 3)
    row, secret = make_token(session, world.task_force)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/releases", headers=bearer(secret)).status_code == 200
    for _ in range(2):
        refused = client.get(f"/api/v1/releases/{world.national.id}", headers=bearer(secret))
        assert refused.status_code == 429
        assert refused.is_json
        assert refused.get_json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # The first refusal of the window is audited, not every one of a burst.
    limited = audits(session, "api.rate_limited")
    assert len(limited) == 1
    assert limited[0].actor_id == world.task_force.id
    session.expire_all()
    stored = session.get(ApiToken, row.id)
    assert stored is not None
    assert stored.window_requests == 5
    # A new window opens a minute after the last one started.
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == row.id)
        .values(window_started_at=utcnow() - timedelta(seconds=61))
    )
    session.commit()
    assert client.get("/api/v1/releases", headers=bearer(secret)).status_code == 200
    session.expire_all()
    stored = session.get(ApiToken, row.id)
    assert stored is not None
    assert stored.window_requests == 1
    assert stored.last_used_at is not None


def test_each_token_has_its_own_window(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "RATE_LIMIT", 1)
    _first, first = make_token(session, world.task_force)
    _second, second = make_token(session, world.task_force)
    client = app.test_client()
    assert client.get("/api/v1/releases", headers=bearer(first)).status_code == 200
    assert client.get("/api/v1/releases", headers=bearer(first)).status_code == 429
    assert client.get("/api/v1/releases", headers=bearer(second)).status_code == 200


def test_the_api_takes_no_post(app: Flask, session: Session, world: World) -> None:
    _row, secret = make_token(session, world.task_force)
    response = app.test_client().post("/api/v1/releases", headers=bearer(secret))
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405


def test_an_unknown_api_path_answers_json(app: Flask) -> None:
    response = app.test_client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
    assert "Set-Cookie" not in response.headers


# --- OpenAPI -------------------------------------------------------------------------------


def _openapi_path(rule: Rule, prefix: str) -> str:
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
    return path.removeprefix(prefix)


def test_the_openapi_file_documents_every_api_route(app: Flask) -> None:
    spec = yaml.safe_load(OPENAPI.read_text("utf-8"))
    assert spec["openapi"].startswith("3.1")
    prefix = spec["servers"][0]["url"]
    assert prefix == "/api/v1"
    assert spec["components"]["securitySchemes"]["bearerToken"] == {
        **spec["components"]["securitySchemes"]["bearerToken"],
        "type": "http",
        "scheme": "bearer",
    }
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]
    assert rules
    for rule in rules:
        path = _openapi_path(rule, prefix)
        assert path in spec["paths"], f"{rule.rule} is not in docs/openapi.yaml"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            for status in ("200", "401", "429"):
                assert status in operation["responses"], (rule.rule, status)
    documented = set(spec["paths"])
    assert documented == {_openapi_path(rule, prefix) for rule in rules}
    # Every $ref points at something that exists.
    text = OPENAPI.read_text("utf-8")
    for ref in re.findall(r'\$ref: "#/components/(\w+)/(\w+)"', text):
        assert ref[1] in spec["components"][ref[0]], ref

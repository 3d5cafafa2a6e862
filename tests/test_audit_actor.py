"""Who an audit entry names: the writer takes actor, address and request id from the edge.

`audit.service.record_event` reads nothing of the request; the web layer's adapter
(`access.audit_context`) supplies them. These tests pin the actor around the moments where
it changes: sign-in, sign-out, a failed sign-in, and an ordinary view.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.audit.service import NOBODY, Actor, AuditContext, record_event
from legalaid.database import get_database
from tests.factories import PASSWORD, create_user, sign_in
from tests.helpers import csrf_token


def _entries(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


def _last(session: Session, action: str) -> AuditEntry:
    entries = _entries(session, action)
    assert entries, f"no {action} entry"
    return entries[-1]


def test_sign_in_names_the_account_that_signed_in(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "lawyer")
    sign_in(client, app, user, session=session)
    entry = _last(session, "auth.login.success")
    assert (entry.actor_id, entry.actor_role) == (user.id, "lawyer")
    assert entry.client_address == "127.0.0.1"
    assert entry.request_id is not None
    assert len(entry.request_id) == 36


def test_a_failed_sign_in_names_the_account_tried_or_nobody(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "manager")
    before = len(_entries(session, "auth.login.failure"))
    for email in (user.email, "nobody-here@example.org"):
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"email": email, "password": "not " + PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 200
    failures = _entries(session, "auth.login.failure")[before:]
    assert [(e.actor_id, e.actor_role, e.outcome) for e in failures] == [
        (user.id, "manager", "failure"),
        (None, None, "failure"),
    ]
    assert all(e.client_address == "127.0.0.1" and e.request_id for e in failures)
    # Two requests, two request ids.
    assert failures[0].request_id != failures[1].request_id


def test_sign_out_names_the_account_and_the_next_request_nobody(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "lawyer")
    sign_in(client, app, user, session=session)
    token = csrf_token(client, "/home")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 200
    entry = _last(session, "auth.logout")
    assert (entry.actor_id, entry.actor_role) == (user.id, "lawyer")
    # Signed out: a failed sign-in with an unknown address from the same browser is nobody's.
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": "ghost@example.org", "password": "x", "csrf_token": token})
    after = _last(session, "auth.login.failure")
    assert (after.actor_id, after.actor_role) == (None, None)


def test_an_ordinary_view_names_the_signed_in_user_and_its_request(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "lawyer")
    other = create_user(session, "lawyer")
    sign_in(client, app, user, session=session)
    for _ in range(2):
        assert client.get("/home").status_code == 200
    views = _entries(session, "home.viewed")[-2:]
    assert [(e.actor_id, e.actor_role) for e in views] == [(user.id, "lawyer")] * 2
    assert views[0].request_id != views[1].request_id
    assert all(e.client_address == "127.0.0.1" for e in views)
    assert other.id not in {e.actor_id for e in views}


def test_outside_a_request_the_writer_records_nobody_or_what_it_is_given(app: Flask) -> None:
    given = AuditContext(Actor(7, "admin"), client_address="10.0.0.9", request_id="job-1")
    with app.app_context(), get_database(app).session_factory() as session:
        plain = record_event(session, "test.no_request")
        explicit = record_event(session, "test.given", context=given)
        overridden = record_event(session, "test.actor", actor=Actor(8, "lawyer"), context=given)
        session.rollback()
    assert (plain.actor_id, plain.client_address, plain.request_id) == (None, None, None)
    assert NOBODY.actor == Actor(None, None)
    assert (explicit.actor_id, explicit.actor_role) == (7, "admin")
    assert (explicit.client_address, explicit.request_id) == ("10.0.0.9", "job-1")
    assert (overridden.actor_id, overridden.client_address) == (8, "10.0.0.9")

"""A signed-in user's own account: password, language, sessions."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User, UserSession
from tests.factories import PASSWORD, create_user, sign_in
from tests.helpers import csrf_token


def test_sign_out_of_all_other_sessions(app: Flask, session: Session) -> None:
    user = create_user(session, "lawyer")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, app, user, session=session)
    sign_in(elsewhere, app, user, session=session)
    page = here.get("/account").get_data(as_text=True)
    assert page.count("This session") == 1
    token = csrf_token(here, "/account")
    # Without the password again, nothing ends; with it, the others end.
    refused = here.post("/account/sessions/end-others", data={"csrf_token": token})
    assert refused.status_code == 200
    assert elsewhere.get("/home").status_code == 200
    form = {"csrf_token": token, "others_password": PASSWORD}
    assert here.post("/account/sessions/end-others", data=form).status_code == 302
    assert elsewhere.get("/home").status_code == 302
    assert here.get("/home").status_code == 200


def test_end_one_session_and_not_someone_elses(app: Flask, session: Session) -> None:
    user, other = create_user(session, "lawyer"), create_user(session, "lawyer")
    here, elsewhere, theirs = app.test_client(), app.test_client(), app.test_client()
    sign_in(here, app, user, session=session)
    sign_in(elsewhere, app, user, session=session)
    sign_in(theirs, app, other, session=session)
    their_row = session.scalars(
        select(UserSession).where(UserSession.user_id == other.id, UserSession.ended_at.is_(None))
    ).one()
    token = csrf_token(here, "/account")
    assert (
        here.post(f"/account/sessions/{their_row.id}/end", data={"csrf_token": token}).status_code
        == 404
    )
    assert theirs.get("/home").status_code == 200
    page = here.get("/account").get_data(as_text=True)
    ids = re.findall(r"/account/sessions/(\d+)/end", page)
    assert len(ids) == 1
    here.post(f"/account/sessions/{ids[0]}/end", data={"csrf_token": token})
    assert elsewhere.get("/home").status_code == 302


def test_change_password_needs_the_current_one_and_ends_other_sessions(
    app: Flask, session: Session
) -> None:
    user = create_user(session, "manager")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, app, user, session=session)
    sign_in(elsewhere, app, user, session=session)
    token = csrf_token(here, "/account")
    wrong = here.post(
        "/account/password",
        data={
            "current": "not it at all",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": token,
        },
    )
    assert "current password is not right" in wrong.get_data(as_text=True)
    mismatch = here.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "something else",
            "csrf_token": token,
        },
    )
    assert "The two passwords differ" in mismatch.get_data(as_text=True)
    ok = here.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    assert elsewhere.get("/home").status_code == 302
    assert here.get("/home").status_code == 200


def test_language_preference_follows_the_user(app: Flask, session: Session) -> None:
    user = create_user(session, "task_force")
    client = app.test_client()
    sign_in(client, app, user, session=session)
    token = csrf_token(client, "/account")
    client.post("/account/language", data={"language": "ru", "csrf_token": token})
    session.refresh(user)
    assert user.preferred_language == "ru"
    assert 'lang="ru"' in client.get("/home").get_data(as_text=True)
    stored = session.get(User, user.id)
    assert stored is not None
    assert stored.preferred_language == "ru"

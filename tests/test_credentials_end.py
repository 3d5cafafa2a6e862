"""Credentials end when they should (issue 12, point 5): API tokens end when the password
is changed or reset, the account is disabled (and stay ended after re-enabling), or the
role changes (even back again); new recovery codes and signing out other sessions need
the password again, not just a session."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts import services as accounts
from legalaid.accounts.models import LoginAttempt, RecoveryCode, User
from legalaid.database import utcnow
from legalaid.tokens import services as tokens
from tests.factories import PASSWORD, create_user, sign_in
from tests.helpers import csrf_token

NEW_PASSWORD = "another quite long passphrase 42"


def _password_changed(session: Session, user: User, admin: User) -> None:
    accounts.change_password(session, user, PASSWORD, NEW_PASSWORD, keep_session_id=None)


def _reset(session: Session, user: User, admin: User) -> None:
    accounts.reset_account(session, user)


def _disabled_then_enabled(session: Session, user: User, admin: User) -> None:
    accounts.set_active(session, user, False, by=admin)
    accounts.set_active(session, user, True, by=admin)


def _role_changed_and_back(session: Session, user: User, admin: User) -> None:
    for role in ("admin", "task_force"):
        accounts.change_role_and_clinic(
            session, user, role=role, clinic_id=None, full_name=user.full_name, by=admin
        )


@pytest.mark.parametrize(
    "change", [_password_changed, _reset, _disabled_then_enabled, _role_changed_and_back]
)
def test_an_api_token_ends_when_its_owners_credentials_change(
    app: Flask, session: Session, change: Callable[[Session, User, User], None]
) -> None:
    member = create_user(session, "task_force")
    admin = create_user(session, "admin")
    with app.test_request_context():
        _row, secret = tokens.create_token(session, member, name="DHIS2", days=90, now=utcnow())
        session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    assert client.get("/api/v1/releases", headers=headers).status_code == 200
    with app.test_request_context():
        change(session, member, admin)
        session.commit()
    session.refresh(member)
    assert member.active
    assert member.role == "task_force"
    assert client.get("/api/v1/releases", headers=headers).status_code == 401


def test_a_token_made_after_the_change_works(app: Flask, session: Session) -> None:
    member = create_user(session, "task_force")
    with app.test_request_context():
        accounts.change_password(session, member, PASSWORD, NEW_PASSWORD, keep_session_id=None)
        _row, secret = tokens.create_token(session, member, name="new", days=90, now=utcnow())
        session.commit()
    response = app.test_client().get(
        "/api/v1/releases", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200


def _codes(session: Session, user: User) -> int:
    session.expire_all()
    return int(
        session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
        )
        or 0
    )


def test_new_recovery_codes_need_the_password_again(app: Flask, session: Session) -> None:
    user = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, user, session=session)
    token = csrf_token(client, "/account")
    before = _codes(session, user)
    # A session alone (say, a browser left open) makes no new codes.
    alone = client.post("/account/recovery-codes", data={"csrf_token": token})
    assert alone.status_code == 200
    assert _codes(session, user) == before
    wrong = client.post(
        "/account/recovery-codes", data={"csrf_token": token, "recovery_password": "nope nope"}
    )
    assert "The current password is not right." in wrong.get_data(as_text=True)
    assert _codes(session, user) == before
    # The wrong password counts like a failed sign-in.
    assert (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.user_id == user.id, LoginAttempt.succeeded.is_(False))
        )
        == 1
    )
    right = client.post(
        "/account/recovery-codes", data={"csrf_token": token, "recovery_password": PASSWORD}
    )
    assert right.status_code == 200
    # The right password leads to a confirmation page (the password is not carried on it).
    page = right.get_data(as_text=True)
    assert "stop working at once" in page
    assert PASSWORD not in page
    assert _codes(session, user) == before
    confirmed = client.post(
        "/account/recovery-codes", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert confirmed.status_code == 200
    assert _codes(session, user) == 10
    # The confirmation is good once: sending it again asks for the password again.
    again = client.post("/account/recovery-codes", data={"csrf_token": token, "confirmed": "yes"})
    assert "Type your password again" in again.get_data(as_text=True)


def test_ending_other_sessions_needs_the_password_again(app: Flask, session: Session) -> None:
    user = create_user(session, "lawyer")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, app, user, session=session)
    sign_in(elsewhere, app, user, session=session)
    token = csrf_token(here, "/account")
    wrong = here.post(
        "/account/sessions/end-others", data={"csrf_token": token, "others_password": "nope"}
    )
    assert "The current password is not right." in wrong.get_data(as_text=True)
    assert elsewhere.get("/home").status_code == 200

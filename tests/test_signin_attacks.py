"""The attacks on sign-in from issue 12: brute-forcing the code step, locking others out.

Each test would pass an attacker on the code before issue 12: waiting sessions went on
checking codes after a lock, the right code cleared the lock, any number of sessions could
wait at the code step, 30 failures from the proxy's address refused everyone, forwarded
headers were not believed (or, configured by hand, would be believed from anyone).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import LoginAttempt, SignInLock, User, UserSession
from legalaid.database import get_database, utcnow
from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.settings import load_settings
from tests.conftest import make_settings
from tests.factories import PASSWORD, create_user, fresh_step, sign_in, totp_code
from tests.helpers import csrf_token

GENERIC = "The email or password is not right"
WRONG_CODE = "000000"


def _password_step(client: FlaskClient, user: User, password: str = PASSWORD) -> str:
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    return response.headers.get("Location", "") if response.status_code == 302 else ""


def _code(client: FlaskClient, code: str):
    token = csrf_token(client, "/login/two-factor")
    return client.post("/login/two-factor", data={"code": code, "csrf_token": token})


def _waiting(session: Session, user: User) -> int:
    session.expire_all()
    return int(
        session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.stage == "password",
            )
        )
        or 0
    )


def _client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/home")
    return response.status_code == 200


# --- point 1: the second step cannot be brute-forced ----------------------------------------


def test_wrong_codes_count_across_all_waiting_sessions_and_the_lock_ends_them(
    app: Flask, session: Session
) -> None:
    user = create_user(session, "lawyer")
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        assert "/login/two-factor" in _password_step(client, user)
    # Five wrong codes spread over three sessions: fewer than five in any one of them.
    for attempt in range(5):
        _code(clients[attempt % 3], WRONG_CODE)
    assert _waiting(session, user) == 0
    # The right code, from any of them, no longer signs in: they wait no more.
    for client in clients:
        assert "/login" in client.get("/login/two-factor").headers["Location"]
        token = csrf_token(client, "/login")
        code = totp_code(user, step=fresh_step(session, user))
        response = client.post("/login/two-factor", data={"code": code, "csrf_token": token})
        assert "/login" in response.headers["Location"]
        assert not _signed_in(client)


def test_the_code_step_refuses_while_the_account_is_locked_and_keeps_the_lock(
    app: Flask, session: Session
) -> None:
    user = create_user(session, "lawyer")
    waiting = app.test_client()
    assert "/login/two-factor" in _password_step(waiting, user)
    session.add(
        SignInLock(
            user_id=user.id,
            client_address="127.0.0.1",
            started_at=utcnow(),
            ends_at=utcnow() + timedelta(minutes=10),
        )
    )
    session.commit()
    response = _code(waiting, totp_code(user, step=fresh_step(session, user)))
    assert GENERIC in response.get_data(as_text=True)
    assert not _signed_in(waiting)
    session.expire_all()
    assert session.scalars(select(func.max(SignInLock.ends_at))).one() > utcnow()


def test_an_account_locked_everywhere_refuses_the_right_code(app: Flask, session: Session) -> None:
    user = create_user(session, "lawyer")
    waiting = app.test_client()
    assert "/login/two-factor" in _password_step(waiting, user)
    user.locked_until = utcnow() + timedelta(minutes=10)
    session.commit()
    response = _code(waiting, totp_code(user, step=fresh_step(session, user)))
    assert GENERIC in response.get_data(as_text=True)
    session.refresh(user)
    assert user.locked_until is not None
    assert user.locked_until > utcnow()


def test_wrong_recovery_codes_count_as_guesses(app: Flask, session: Session) -> None:
    user = create_user(session, "lawyer")
    client = app.test_client()
    assert "/login/two-factor" in _password_step(client, user)
    for _ in range(5):
        _code(client, "ABCDE-FGHJK")
    assert session.scalar(select(func.count()).select_from(SignInLock)) == 1
    assert _waiting(session, user) == 0


def test_waiting_sessions_per_account_are_bounded_by_policy(app: Flask, session: Session) -> None:
    limit = app.extensions["legalaid.policies"].security.two_factor.max_waiting_sessions
    assert limit == 3
    user = create_user(session, "lawyer")
    clients = [app.test_client() for _ in range(limit + 2)]
    for client in clients:
        assert "/login/two-factor" in _password_step(client, user)
    assert _waiting(session, user) == limit
    # The oldest were ended: their code page sends them back to the password.
    assert "/login" in clients[0].get("/login/two-factor").headers["Location"]
    assert clients[-1].get("/login/two-factor").status_code == 200


# --- point 2: nobody can lock everyone out ---------------------------------------------------


def test_a_strangers_failures_do_not_lock_the_owner_out_at_her_office(
    app: Flask, session: Session
) -> None:
    user = create_user(session, "manager")
    stranger = _client_from(app, "203.0.113.9")
    for _ in range(10):
        _password_step(stranger, user, "not the password at all")
    assert _password_step(stranger, user) == ""  # locked for the stranger's address
    sign_in(app.test_client(), app, user, session=session)  # from the office: fine


def test_failures_while_locked_do_not_extend_the_lock(app: Flask, session: Session) -> None:
    user = create_user(session, "lawyer")
    client = app.test_client()
    for _ in range(5):
        _password_step(client, user, "not the password at all")
    lock = session.scalars(select(SignInLock).where(SignInLock.user_id == user.id)).one()
    first_end = lock.ends_at
    for _ in range(5):
        _password_step(client, user, "not the password at all")
    session.expire_all()
    locks = session.scalars(select(SignInLock).where(SignInLock.user_id == user.id)).all()
    assert [row.ends_at for row in locks] == [first_end]
    # Once the lock ends, the failures made during it do not start a new one.
    locks[0].ends_at = utcnow() - timedelta(seconds=1)
    session.commit()
    sign_in(client, app, user, session=session)


def test_many_addresses_together_lock_the_account_everywhere(app: Flask, session: Session) -> None:
    policy = app.extensions["legalaid.policies"].security.lockout
    user = create_user(session, "lawyer")
    for n in range(policy.max_failures_per_account):
        client = _client_from(app, f"198.51.100.{n}")
        _password_step(client, user, "not the password at all")
    session.refresh(user)
    assert user.locked_until is not None
    end = user.locked_until
    _password_step(app.test_client(), user, "not the password at all")
    session.refresh(user)
    assert user.locked_until == end


def _failed_addresses(app: Flask) -> list[str]:
    with get_database(app).session_factory() as db:
        return list(db.scalars(select(LoginAttempt.client_address)))


def _fail_once(app: Flask, forwarded: str) -> None:
    client = _client_from(app, "10.0.0.2")
    token = csrf_token(client, "/login")
    client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong", "csrf_token": token},
        headers={"X-Forwarded-For": forwarded},
    )


def test_without_trusted_proxies_a_spoofed_forwarded_for_is_ignored(
    migrated_database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(migrated_database_url, tmp_path))
    try:
        _fail_once(app, "192.0.2.77")
        assert _failed_addresses(app) == ["10.0.0.2"]
    finally:
        get_database(app).engine.dispose()


def test_with_one_trusted_proxy_throttling_uses_the_clients_address(
    migrated_database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(migrated_database_url, tmp_path, trusted_proxies=1))
    try:
        # A client that sends its own X-Forwarded-For: the proxy appends the real address,
        # and only that last hop is believed.
        _fail_once(app, "192.0.2.77, 203.0.113.5")
        assert _failed_addresses(app) == ["203.0.113.5"]
    finally:
        get_database(app).engine.dispose()


def test_trusted_proxies_setting_is_validated(tmp_path: Path) -> None:
    env = {"LEGALAID_INSTANCE_PATH": str(tmp_path), "LEGALAID_TRUSTED_PROXIES": "2"}
    assert load_settings(env).trusted_proxies == 2
    assert load_settings({"LEGALAID_INSTANCE_PATH": str(tmp_path)}).trusted_proxies == 0
    with pytest.raises(StartupError, match="LEGALAID_TRUSTED_PROXIES"):
        load_settings({**env, "LEGALAID_TRUSTED_PROXIES": "10.0.0.1"})

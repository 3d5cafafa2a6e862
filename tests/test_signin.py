"""Sign-in: argon2id hashes, enumeration-safe failures, lockout, TOTP, recovery codes."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from unittest import mock

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts import passwords
from legalaid.accounts.models import RecoveryCode, SignInLock, User, UserSession
from legalaid.audit.models import AuditEntry
from legalaid.database import get_database, utcnow
from legalaid.factory import create_app
from tests.factories import PASSWORD, create_user, fresh_step, sign_in, totp_code
from tests.helpers import csrf_token

GENERIC = "The email or password is not right"


def _login(client: FlaskClient, email: str, password: str):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _audit_count(session: Session, action: str) -> int:
    session.expire_all()
    return int(
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )
        or 0
    )


# --- hashing -----------------------------------------------------------------------------


def test_production_hashes_are_argon2id_with_strong_parameters(
    shared_settings,
    tmp_path,
) -> None:
    # The shared database's keys (their check values are recorded there).
    settings = dataclasses.replace(
        shared_settings, instance_path=tmp_path, password_hashing="strong"
    )
    app = create_app(settings)
    with app.app_context():
        policy = app.extensions["legalaid.policies"].security.passwords
        stored = passwords.hash_password("a perfectly fine passphrase", policy)
    get_database(app).engine.dispose()
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert match, stored
    memory, time_cost, parallelism = map(int, match.groups())
    assert memory >= 19456
    assert time_cost >= 2
    assert parallelism == 1


def test_weaker_hash_is_upgraded_at_next_sign_in(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=16, parallelism=2).hash(PASSWORD)
    user = create_user(session, "task_force")
    user.password_hash = weak
    session.commit()
    sign_in(client, app, user, session=session)
    session.refresh(user)
    assert user.password_hash != weak
    assert ",p=1$" in (user.password_hash or "")


def test_over_long_password_is_refused_without_calling_the_hasher(app: Flask) -> None:
    with app.app_context():
        policy = app.extensions["legalaid.policies"].security.passwords
        with (
            mock.patch.object(PasswordHasher, "hash") as hashed,
            mock.patch.object(PasswordHasher, "verify") as verified,
        ):
            with pytest.raises(passwords.PasswordRejectedError):
                passwords.hash_password("x" * (policy.max_length + 1), policy)
            assert passwords.verify_password("$argon2id$whatever", "x" * 10_000, policy) is False
        assert not hashed.called
        assert not verified.called
        # A 64-character password is fine.
        passwords.check_new_password("correct horse battery staple " * 2 + "abcdef", policy)
        long_ok = "q" * 30 + "w" * 34
        assert passwords.verify_password(passwords.hash_password(long_ok, policy), long_ok, policy)


@pytest.mark.parametrize(
    "bad", ["short", "password1234", "Qwertyuiop123", "correct horse battery staple"]
)
def test_short_and_common_passwords_are_refused(app: Flask, bad: str) -> None:
    with app.app_context():
        policy = app.extensions["legalaid.policies"].security.passwords
        with pytest.raises(passwords.PasswordRejectedError):
            passwords.check_new_password(bad, policy)


# --- enumeration-safe failures -------------------------------------------------------------


def test_unknown_email_wrong_password_and_locked_account_look_the_same(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "lawyer")
    locked = create_user(session, "lawyer")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    session.commit()
    answers = [
        _login(client, "nobody@example.org", PASSWORD),
        _login(client, user.email, "wrong password entirely"),
        _login(client, locked.email, PASSWORD),
    ]
    bodies = []
    for response in answers:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert GENERIC in html
        # Values (tokens) and script nonces differ on every response by design.
        bodies.append(re.sub(r'(value|nonce)="[^"]*"', "", html))
    # Same page, apart from the email typed back and the CSRF token.
    assert bodies[1].replace(user.email, "X") == bodies[2].replace(locked.email, "X")
    assert _audit_count(session, "auth.login.failure") == 3


def test_unknown_email_still_spends_one_hash(app: Flask, client: FlaskClient) -> None:
    with mock.patch.object(
        PasswordHasher, "verify", side_effect=PasswordHasher.verify, autospec=True
    ) as verify:
        _login(client, "nobody@example.org", PASSWORD)
    assert verify.call_count == 1


# --- lockout ---------------------------------------------------------------------------


def test_sixth_attempt_is_refused_even_with_the_right_password(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "lawyer")
    other = create_user(session, "lawyer")
    for _ in range(5):
        assert GENERIC in _login(client, user.email, "not the password at all").get_data(
            as_text=True
        )
    assert _audit_count(session, "auth.lockout") == 1
    response = _login(client, user.email, PASSWORD)
    assert GENERIC in response.get_data(as_text=True)
    # Other accounts are unaffected.
    sign_in(app.test_client(), app, other, session=session)


def test_lock_expires(app: Flask, session: Session, client: FlaskClient) -> None:
    user = create_user(session, "lawyer")
    for _ in range(5):
        _login(client, user.email, "not the password at all")
    lock = session.scalars(select(SignInLock).where(SignInLock.user_id == user.id)).one()
    lock.ends_at = utcnow() - timedelta(seconds=1)
    session.commit()
    sign_in(client, app, user, session=session)


def test_failures_from_one_address_slow_it_down_but_never_refuse_a_right_password(
    app: Flask, session: Session
) -> None:
    policy = app.extensions["legalaid.policies"].security.lockout
    slept: list[float] = app.extensions["tests.slept"]
    users = [create_user(session, "lawyer") for _ in range(3)]
    client = app.test_client()
    attempts = 0
    while attempts < policy.max_failures_per_address:
        _login(client, users[attempts % 3].email + ".x", "wrong")
        attempts += 1
    assert slept == []
    # The office address failed often: a colleague's right password still signs her in,
    # after the address's delay.
    fresh = create_user(session, "lawyer")
    sign_in(client, app, fresh, session=session)
    assert slept
    assert slept[0] == policy.address_delay_seconds
    assert policy.address_delay_seconds > 0


# --- second factor -----------------------------------------------------------------------


def test_sign_in_without_a_valid_totp_code_fails(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "manager")
    response = _login(client, user.email, PASSWORD)
    assert response.headers["Location"].endswith("/login/two-factor")
    # Half signed in is not signed in.
    assert client.get("/home").status_code == 302
    token = csrf_token(client, "/login/two-factor")
    bad = client.post("/login/two-factor", data={"code": "000000", "csrf_token": token})
    assert "This code is not right" in bad.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_a_used_totp_code_is_refused_the_second_time(app: Flask, session: Session) -> None:
    user = create_user(session, "manager")
    step = fresh_step(session, user)
    code = totp_code(user, step=step)
    first = app.test_client()
    _login(first, user.email, PASSWORD)
    token = csrf_token(first, "/login/two-factor")
    assert (
        first.post("/login/two-factor", data={"code": code, "csrf_token": token}).status_code == 302
    )
    second = app.test_client()
    _login(second, user.email, PASSWORD)
    token = csrf_token(second, "/login/two-factor")
    again = second.post("/login/two-factor", data={"code": code, "csrf_token": token})
    assert again.status_code == 200
    assert "This code is not right" in again.get_data(as_text=True)


def test_recovery_code_works_once(app: Flask, session: Session, client: FlaskClient) -> None:
    user = create_user(session, "admin", enrolled=False)
    _login(client, user.email, PASSWORD)
    enrol_page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in enrol_page  # QR code drawn by the app itself
    session.refresh(user)
    token = csrf_token(client, "/login/enrol")
    done = client.post("/login/enrol", data={"code": totp_code(user), "csrf_token": token})
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert _audit_count(session, "auth.2fa.enrolled") == 1
    stored = session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert all(code.replace("-", "") not in h for code in codes for h in stored)

    def use(code: str) -> int:
        other = app.test_client()
        _login(other, user.email, PASSWORD)
        token = csrf_token(other, "/login/two-factor")
        return other.post("/login/two-factor", data={"code": code, "csrf_token": token}).status_code

    assert use(codes[3].lower()) == 302
    assert use(codes[3]) == 200


# --- sessions ----------------------------------------------------------------------------


def _session_cookie(client: FlaskClient, app: Flask) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def test_session_id_changes_at_sign_in(app: Flask, session: Session, client: FlaskClient) -> None:
    user = create_user(session, "lawyer")
    client.get("/login")
    before = _session_cookie(client, app)
    _login(client, user.email, PASSWORD)
    middle = _session_cookie(client, app)
    step = fresh_step(session, user)
    token = csrf_token(client, "/login/two-factor")
    client.post("/login/two-factor", data={"code": totp_code(user, step=step), "csrf_token": token})
    after = _session_cookie(client, app)
    assert len({before, middle, after}) == 3
    rows = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert [r.stage for r in rows if r.ended_at is None] == ["full"]


def test_replayed_cookie_after_sign_out_is_refused(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = create_user(session, "lawyer")
    sign_in(client, app, user, session=session)
    stolen = _session_cookie(client, app)
    assert client.get("/home").status_code == 200
    token = csrf_token(client, "/home")
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 200
    assert "cookies" in out.headers["Clear-Site-Data"]
    session.expire_all()
    assert all(
        r.ended_at is not None
        for r in session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    )
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen or "")
    assert replay.get("/home").status_code == 302


@pytest.mark.parametrize("change", ["disable", "role", "password"])
def test_disabling_demoting_or_password_change_ends_sessions(
    app: Flask, session: Session, change: str
) -> None:
    from legalaid.accounts import services

    admin = create_user(session, "admin")
    user = create_user(session, "manager")
    victim = app.test_client()
    sign_in(victim, app, user, session=session)
    assert victim.get("/home").status_code == 200
    with app.test_request_context():
        db = get_database(app).session_factory()
        target = db.get(User, user.id)
        by = db.get(User, admin.id)
        assert target
        assert by
        if change == "disable":
            services.set_active(db, target, False, by=by)
        elif change == "role":
            services.change_role_and_clinic(
                db,
                target,
                role="lawyer",
                clinic_id=target.clinic_id,
                full_name=target.full_name,
                by=by,
            )
        else:
            services.change_password(
                db, target, PASSWORD, "another long passphrase", keep_session_id=None
            )
        db.commit()
        db.close()
    assert victim.get("/home").status_code == 302


def test_idle_and_absolute_timeouts(app: Flask, session: Session, client: FlaskClient) -> None:
    policy = app.extensions["legalaid.policies"].security.sessions
    user = create_user(session, "lawyer")
    sign_in(client, app, user, session=session)
    row = session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).one()
    row.last_seen_at = utcnow() - timedelta(minutes=policy.idle_minutes) + timedelta(seconds=30)
    session.commit()
    assert client.get("/home").status_code == 200  # activity moves the idle clock
    session.refresh(row)
    row.last_seen_at = utcnow() - timedelta(minutes=policy.idle_minutes, seconds=1)
    session.commit()
    assert client.get("/home").status_code == 302
    session.refresh(row)
    assert row.ended_reason == "idle_timeout"

    other = app.test_client()
    sign_in(other, app, user, session=session)
    row = session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).one()
    row.created_at = utcnow() - timedelta(hours=policy.absolute_hours)
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert other.get("/home").status_code == 302
    session.refresh(row)
    assert row.ended_reason == "absolute_timeout"


def test_keepalive_moves_the_idle_clock(app: Flask, session: Session, client: FlaskClient) -> None:
    user = create_user(session, "lawyer")
    sign_in(client, app, user, session=session)
    row = session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).one()
    old = utcnow() - timedelta(minutes=5)
    row.last_seen_at = old
    session.commit()
    token = csrf_token(client, "/home")
    assert client.post("/session/keepalive", headers={"X-CSRFToken": token}).status_code == 204
    session.refresh(row)
    assert row.last_seen_at > old + timedelta(minutes=4)

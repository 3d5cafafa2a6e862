"""Build accounts and sign them in the way a person would (password, then TOTP)."""

from __future__ import annotations

import itertools
import time

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.accounts.passwords import hasher_for
from legalaid.clinics.models import Clinic
from legalaid.database import utcnow
from tests.helpers import csrf_token

PASSWORD = "a long enough test passphrase"
_counter = itertools.count(1)


def create_clinic(session: Session, code: str | None = None, region: str = "baku") -> Clinic:
    n = next(_counter)
    clinic = Clinic(
        code=code or f"T{n:03d}"[:8].replace("0", "A"),
        name=f"Test clinic {n}",
        economic_region=region,
        city="Baku",
        status="active",
    )
    session.add(clinic)
    session.commit()
    return clinic


def create_user(
    session: Session,
    role: str,
    *,
    clinic: Clinic | None = None,
    password: str = PASSWORD,
    enrolled: bool = True,
    email: str | None = None,
    active: bool = True,
) -> User:
    n = next(_counter)
    if role in ("lawyer", "manager") and clinic is None:
        clinic = create_clinic(session)
    user = User(
        email=email or f"{role}{n}@example.org",
        full_name=f"Test {role.title()} {n}",
        role=role,
        clinic_id=clinic.id if clinic else None,
        active=active,
        password_hash=hasher_for("fast").hash(password) if password else None,
        password_changed_at=utcnow() if password else None,
    )
    if enrolled:
        user.totp_secret = pyotp.random_base32(32)
        user.totp_enrolled_at = utcnow()
    session.add(user)
    session.commit()
    return user


def totp_code(user: User, *, step: int | None = None) -> str:
    assert user.totp_secret
    at = time.time() if step is None else step * 30
    return pyotp.TOTP(user.totp_secret).at(at)


def fresh_step(session: Session, user: User) -> int:
    """A time step the server will still accept and has not seen for this user."""
    session.refresh(user)
    now = time.time()
    current = int(now // 30)
    # The previous step is accepted until the next boundary; near it, a slow request
    # would arrive after the step had left the window.
    earliest = current - 1 if now % 30 < 20 else current
    last = user.totp_last_step
    step = earliest if last is None else max(earliest, last + 1)
    assert step <= current + 1, "signed in too often within one minute"
    return step


def sign_in(
    client: FlaskClient,
    app: Flask,
    user: User,
    password: str = PASSWORD,
    session: Session | None = None,
) -> None:
    """Password, then a TOTP code; asserts the user lands signed in."""
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if "/login/two-factor" in response.headers["Location"]:
        assert session is not None, "pass the session to compute a fresh TOTP step"
        step = fresh_step(session, user)
        token = csrf_token(client, "/login/two-factor")
        response = client.post(
            "/login/two-factor", data={"code": totp_code(user, step=step), "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "/login" not in response.headers["Location"]


def signed_in_between_commits(app: Flask, session: Session, user: User) -> FlaskClient:
    """For an app that really commits: password, then TOTP, with the arranging session's
    transaction ended before the sign-in (on SQLite an open one would hold the write lock
    that the requests wait for)."""
    step = fresh_step(session, user)
    session.commit()
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token(client, "/login/two-factor")
    response = client.post(
        "/login/two-factor", data={"code": totp_code(user, step=step), "csrf_token": token}
    )
    assert response.status_code == 302
    assert "/login" not in response.headers["Location"]
    return client


def signed_in_client(app: Flask, session: Session, user: User) -> FlaskClient:
    """A new test client of ``app``, signed in as ``user`` through the pages."""
    client = app.test_client()
    sign_in(client, app, user, session=session)
    return client


def open_home(client: FlaskClient, app: Flask, session: Session, user: User) -> str:
    """Sign ``client`` in as ``user`` and return her home page, as she first sees it."""
    sign_in(client, app, user, session=session)
    response = client.get("/home")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)

"""Administration: clinics and accounts; an administrator never sees or sets a password."""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.cli import main
from legalaid.clinics.models import Clinic
from legalaid.database import make_engine
from tests.factories import PASSWORD, create_clinic, create_user, sign_in
from tests.helpers import csrf_token


def _admin_client(app: Flask, session: Session) -> tuple[FlaskClient, User]:
    client = app.test_client()
    admin = create_user(session, "admin")
    sign_in(client, app, admin, session=session)
    return client, admin


def _actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_admin_creates_edits_and_closes_a_clinic(app: Flask, session: Session) -> None:
    client, _admin = _admin_client(app, session)
    token = csrf_token(client, "/admin/clinics/new")
    data = {
        "code": "zqt",
        "name": "Zaqatala clinic",
        "economic_region": "shaki_zagatala",
        "city": "Zaqatala",
        "status": "pilot",
        "opened_on": "2026-09-01",
        "csrf_token": token,
    }
    assert client.post("/admin/clinics/new", data=data).status_code == 302
    clinic = session.scalars(select(Clinic).where(Clinic.code == "ZQT")).one()
    assert "clinic.created" in _actions(session)
    page = client.get(f"/admin/clinics/{clinic.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    token = csrf_token(client, f"/admin/clinics/{clinic.id}")
    edit = {**data, "code": "HACK", "status": "closed", "version": version, "csrf_token": token}
    assert client.post(f"/admin/clinics/{clinic.id}", data=edit).status_code == 302
    session.refresh(clinic)
    assert clinic.status == "closed"
    assert clinic.code == "ZQT"
    assert "clinic.closed" in _actions(session)


def test_bad_clinic_input_keeps_what_was_typed(app: Flask, session: Session) -> None:
    client, _admin = _admin_client(app, session)
    create_clinic(session, code="DUPE")
    token = csrf_token(client, "/admin/clinics/new")
    response = client.post(
        "/admin/clinics/new",
        data={
            "code": "DUPE",
            "name": "Typed name kept",
            "economic_region": "baku",
            "status": "pilot",
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already exists" in html
    assert "Typed name kept" in html
    bad_region = client.post(
        "/admin/clinics/new",
        data={
            "code": "NEWC",
            "name": "X",
            "economic_region": "atlantis",
            "status": "pilot",
            "csrf_token": token,
        },
    )
    assert bad_region.status_code == 200
    assert "Not a valid choice" in bad_region.get_data(as_text=True)


def test_concurrent_clinic_edit_is_refused_with_409(app: Flask, session: Session) -> None:
    client, _admin = _admin_client(app, session)
    clinic = create_clinic(session)
    token = csrf_token(client, f"/admin/clinics/{clinic.id}")
    stale = {
        "name": "Mine",
        "economic_region": "baku",
        "status": "active",
        "version": str(clinic.version),
        "csrf_token": token,
    }
    clinic.name = "Changed Elsewhere"
    session.commit()
    response = client.post(f"/admin/clinics/{clinic.id}", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Changed Elsewhere" in html
    assert 'value="Mine"' in html
    session.refresh(clinic)
    assert clinic.name == "Changed Elsewhere"


def test_account_creation_gives_a_setup_code_and_the_user_sets_her_password(
    app: Flask, session: Session
) -> None:
    # A task-force account (no case data): its code is still shown to the administrator.
    # Lawyers' and managers' codes never are (tests/test_setup_codes.py).
    client, _admin = _admin_client(app, session)
    token = csrf_token(client, "/admin/accounts/new")
    response = client.post(
        "/admin/accounts/new",
        data={
            "email": "New.Lawyer@Example.org",
            "full_name": "New Lawyer",
            "role": "task_force",
            "clinic_id": "",
            "preferred_language": "az",
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    code = re.search(r"<code>([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})</code>", html).group(1)  # type: ignore[union-attr]
    user = session.scalars(select(User).where(User.email == "new.lawyer@example.org")).one()
    assert user.password_hash is None
    assert user.setup_code_hash
    assert code not in user.setup_code_hash
    assert "account.created" in _actions(session)

    newcomer = app.test_client()
    token = csrf_token(newcomer, "/setup")
    short = newcomer.post(
        "/setup",
        data={
            "email": user.email,
            "code": code,
            "password": "short",
            "confirm": "short",
            "csrf_token": token,
        },
    )
    short_html = short.get_data(as_text=True)
    assert re.search(r'id="password-error"[^>]*>[^<]*too short', short_html)
    assert f'value="{user.email}"' in short_html
    assert f'value="{code}"' in short_html
    wrong = newcomer.post(
        "/setup",
        data={
            "email": user.email,
            "code": "AAAA-BBBB-CCCC-DDDD",
            "password": "my own long passphrase",
            "confirm": "my own long passphrase",
            "csrf_token": token,
        },
    )
    assert "do not match" in wrong.get_data(as_text=True)
    ok = newcomer.post(
        "/setup",
        data={
            "email": user.email,
            "code": code.lower(),
            "password": "my own long passphrase",
            "confirm": "my own long passphrase",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    again = newcomer.post(
        "/setup",
        data={
            "email": user.email,
            "code": code,
            "password": "another long passphrase",
            "confirm": "another long passphrase",
            "csrf_token": token,
        },
    )
    assert "do not match" in again.get_data(as_text=True), "a set-up code is single use"
    # First sign-in goes to the two-step enrolment.
    token = csrf_token(newcomer, "/login")
    first = newcomer.post(
        "/login",
        data={"email": user.email, "password": "my own long passphrase", "csrf_token": token},
    )
    assert first.headers["Location"].endswith("/login/enrol")


def test_reset_ends_sessions_and_forgets_password_and_second_factor(
    app: Flask, session: Session
) -> None:
    client, _admin = _admin_client(app, session)
    user = create_user(session, "task_force")
    victim = app.test_client()
    sign_in(victim, app, user, session=session)
    token = csrf_token(client, f"/admin/accounts/{user.id}")
    response = client.post(
        f"/admin/accounts/{user.id}/reset", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert re.search(r"<code>[A-Z0-9]{4}-", response.get_data(as_text=True))
    session.refresh(user)
    assert user.password_hash is None
    assert user.totp_secret is None
    assert victim.get("/home").status_code == 302
    assert "account.reset" in _actions(session)


def test_admin_disables_and_changes_role(app: Flask, session: Session) -> None:
    client, admin = _admin_client(app, session)
    user = create_user(session, "manager")
    token = csrf_token(client, f"/admin/accounts/{user.id}")
    client.post(
        f"/admin/accounts/{user.id}/disable", data={"csrf_token": token, "confirmed": "yes"}
    )
    session.refresh(user)
    assert user.active is False
    token = csrf_token(client, f"/admin/accounts/{user.id}")
    client.post(f"/admin/accounts/{user.id}/enable", data={"csrf_token": token})
    page = client.get(f"/admin/accounts/{user.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    token = csrf_token(client, f"/admin/accounts/{user.id}")
    response = client.post(
        f"/admin/accounts/{user.id}",
        data={
            "full_name": user.full_name,
            "role": "task_force",
            "clinic_id": "",
            "version": version,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    session.refresh(user)
    assert user.role == "task_force"
    assert user.clinic_id is None
    assert user.active
    actions = _actions(session)
    assert {"account.disabled", "account.enabled", "account.role_changed"} <= set(actions)
    # An administrator cannot disable herself.
    token = csrf_token(client, f"/admin/accounts/{admin.id}")
    client.post(
        f"/admin/accounts/{admin.id}/disable", data={"csrf_token": token, "confirmed": "yes"}
    )
    session.refresh(admin)
    assert admin.active


def test_lawyer_without_clinic_is_refused_with_the_form_kept(app: Flask, session: Session) -> None:
    client, _admin = _admin_client(app, session)
    token = csrf_token(client, "/admin/accounts/new")
    response = client.post(
        "/admin/accounts/new",
        data={
            "email": "kept@example.org",
            "full_name": "Kept Name",
            "role": "lawyer",
            "clinic_id": "",
            "preferred_language": "en",
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    # The message stands beside the clinic field, and what was typed is still there.
    assert re.search(r'id="clinic_id-error"[^>]*>[^<]*must belong to a clinic', html)
    assert 'value="kept@example.org"' in html
    assert 'value="Kept Name"' in html
    assert (
        session.scalar(
            select(func.count()).select_from(User).where(User.email == "kept@example.org")
        )
        == 0
    )


def test_users_create_cli_reads_the_password_from_stdin(
    migrated_database_url: str, tmp_path
) -> None:
    env = {
        "LEGALAID_DATABASE_URL": migrated_database_url,
        "LEGALAID_INSTANCE_PATH": str(tmp_path),
        "LEGALAID_ENV": "development",
    }
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["users", "create", "--email", "Ops@Example.org", "--role", "admin"],
        input=PASSWORD + "\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    weak = runner.invoke(
        main,
        ["users", "create", "--email", "weak@example.org", "--role", "admin"],
        input="short\n",
        env=env,
    )
    assert weak.exit_code == 1
    assert "too short" in weak.output
    no_clinic = runner.invoke(
        main,
        ["users", "create", "--email", "l@example.org", "--role", "lawyer"],
        input=PASSWORD + "\n",
        env=env,
    )
    assert no_clinic.exit_code == 1
    assert "clinic" in no_clinic.output
    engine = make_engine(migrated_database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(User.email, User.password_hash)).all()
    engine.dispose()
    assert [(email, bool(h and h.startswith("$argon2id$"))) for email, h in rows] == [
        ("ops@example.org", True)
    ]

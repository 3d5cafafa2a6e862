"""An administrator never obtains a credential for an account that sees case data
(issue 12, point 3). Before, she reset a lawyer, read the set-up code on her screen, set
the password, enrolled her own authenticator and read the lawyer's clients. Now a
lawyer's or manager's code goes by mail (a real SMTP server on loopback here), or,
without mail, a manager of that clinic gives it to her own staff; the first manager of a
clinic without mail is made on the server; resets and role or clinic changes are shown
to the owner at her next sign-in."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts import services as accounts
from legalaid.accounts.models import User
from legalaid.accounts.notices import changes_since_last_sign_in
from legalaid.cli import main
from legalaid.errors import StartupError
from legalaid.settings import MailSettings, load_settings
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token, text_body

CODE = re.compile(r"[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}")
NEW_PASSWORD = "plum orbit velvet cascade"


@dataclass
class Inbox:
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _create_account(client: FlaskClient, **values: str) -> str:
    token = csrf_token(client, "/admin/accounts/new")
    data = {"full_name": "New Person", "preferred_language": "en", "csrf_token": token}
    response = client.post("/admin/accounts/new", data={**data, **values})
    return response.get_data(as_text=True)


def _set_password(client: FlaskClient, email: str, code: str) -> int:
    token = csrf_token(client, "/setup")
    response = client.post(
        "/setup",
        data={
            "email": email,
            "code": code,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    return response.status_code


def test_with_mail_a_lawyers_code_goes_to_her_and_never_to_the_admins_screen(
    app: Flask, session: Session, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    mail = MailSettings(
        host="127.0.0.1",
        port=port,
        sender="noreply@legalaid.test",
        starttls=False,
        base_url="https://legalaid.test",
    )
    # The settings as LEGALAID_SMTP_* would give them (tests/test_factory checks parsing).
    app.extensions["legalaid.settings"] = replace(app.extensions["legalaid.settings"], mail=mail)
    clinic = create_clinic(session, "MLC")
    admin_client = app.test_client()
    sign_in(admin_client, app, create_user(session, "admin"), session=session)
    html = _create_account(
        admin_client, email="lawyer@example.org", role="lawyer", clinic_id=str(clinic.id)
    )
    assert not CODE.search(html)
    assert "mailed to lawyer@example.org" in html
    (envelope,) = inbox.messages
    assert envelope.rcpt_tos == ["lawyer@example.org"]
    body = text_body(message_from_bytes(envelope.content))
    assert "https://legalaid.test/setup" in body
    code = CODE.search(body)
    assert code is not None
    assert _set_password(app.test_client(), "lawyer@example.org", code.group(0)) == 302
    # An administrator's own kind of account keeps the screen flow, and no mail.
    html = _create_account(admin_client, email="ops@example.org", role="admin")
    assert CODE.search(html)
    assert len(inbox.messages) == 1


def test_mail_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    env = {
        "LEGALAID_INSTANCE_PATH": str(tmp_path),
        "LEGALAID_SMTP_HOST": "mail.example.org",
        "LEGALAID_SMTP_PORT": "2525",
        "LEGALAID_SMTP_FROM": "legalaid@example.org",
        "LEGALAID_SMTP_STARTTLS": "false",
    }
    mail = load_settings(env).mail
    assert (mail.host, mail.port, mail.sender, mail.starttls) == (
        "mail.example.org",
        2525,
        "legalaid@example.org",
        False,
    )
    assert mail.configured
    assert not load_settings({"LEGALAID_INSTANCE_PATH": str(tmp_path)}).mail.configured
    with pytest.raises(StartupError, match="LEGALAID_SMTP_FROM"):
        load_settings({**env, "LEGALAID_SMTP_FROM": ""})


def test_without_mail_a_manager_gives_her_own_staff_their_code(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    manager = create_user(session, "manager", clinic=clinic)
    other_manager = create_user(session, "manager")
    admin_client = app.test_client()
    sign_in(admin_client, app, create_user(session, "admin"), session=session)
    html = _create_account(
        admin_client, email="newlawyer@example.org", role="lawyer", clinic_id=str(clinic.id)
    )
    assert not CODE.search(html)
    assert "Staff page" in html
    lawyer = session.scalars(select(User).where(User.email == "newlawyer@example.org")).one()
    assert lawyer.setup_code_hash is None  # nobody holds a code yet

    stranger = app.test_client()
    sign_in(stranger, app, other_manager, session=session)
    token = csrf_token(stranger, "/staff/")
    assert (
        stranger.post(f"/staff/{lawyer.id}/setup-code", data={"csrf_token": token}).status_code
        == 404
    )

    own = app.test_client()
    sign_in(own, app, manager, session=session)
    page = own.get("/staff/").get_data(as_text=True)
    assert "newlawyer@example.org" in page
    assert "Waiting for set-up" in page
    token = csrf_token(own, "/staff/")
    shown = own.post(f"/staff/{lawyer.id}/setup-code", data={"csrf_token": token})
    code = CODE.search(shown.get_data(as_text=True))
    assert code is not None
    assert _set_password(app.test_client(), "newlawyer@example.org", code.group(0)) == 302
    # Once she has a password, nobody can issue her a code from the Staff page.
    token = csrf_token(own, "/staff/")
    again = own.post(f"/staff/{lawyer.id}/setup-code", data={"csrf_token": token})
    assert again.status_code == 404


def test_an_admin_reset_of_a_lawyer_shows_no_code(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    create_user(session, "manager", clinic=clinic)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    admin_client = app.test_client()
    sign_in(admin_client, app, create_user(session, "admin"), session=session)
    token = csrf_token(admin_client, f"/admin/accounts/{lawyer.id}")
    response = admin_client.post(
        f"/admin/accounts/{lawyer.id}/reset", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert response.status_code == 200
    assert not CODE.search(response.get_data(as_text=True))
    session.refresh(lawyer)
    assert lawyer.password_hash is None
    assert lawyer.setup_code_hash is None


def test_without_mail_the_first_manager_of_a_clinic_is_made_on_the_server(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    admin_client = app.test_client()
    sign_in(admin_client, app, create_user(session, "admin"), session=session)
    html = _create_account(
        admin_client, email="first@example.org", role="manager", clinic_id=str(clinic.id)
    )
    assert "legalaid users create" in html
    assert not CODE.search(html)
    session.expire_all()
    assert (
        session.scalar(
            select(func.count()).select_from(User).where(User.email == "first@example.org")
        )
        == 0
    )


def test_the_setup_code_command_prints_a_code_on_the_server(
    migrated_database_url: str, tmp_path: Path
) -> None:
    env = {
        "LEGALAID_DATABASE_URL": migrated_database_url,
        "LEGALAID_INSTANCE_PATH": str(tmp_path),
        "LEGALAID_ENV": "development",
    }
    runner = CliRunner()
    made = runner.invoke(
        main,
        ["users", "create", "--email", "ops@example.org", "--role", "admin", "--no-password"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(main, ["users", "setup-code", "--email", "ops@example.org"], env=env)
    assert again.exit_code == 0, again.output
    assert CODE.search(again.output)


def test_a_role_or_clinic_change_is_shown_to_the_owner_at_her_next_sign_in(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    admin = create_user(session, "admin")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    assert "Your clinic was changed" not in client.get("/home").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home")})
    new_clinic = create_clinic(session)
    session.refresh(lawyer)
    with app.test_request_context():
        accounts.change_role_and_clinic(
            session,
            lawyer,
            role="lawyer",
            clinic_id=new_clinic.id,
            full_name=lawyer.full_name,
            by=admin,
        )
        session.commit()
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    page = client.get("/home").get_data(as_text=True)
    assert "Your clinic was changed" in page
    # Once shown, not again (a third TOTP sign-in within a minute would need a new step).
    session.refresh(lawyer)
    with app.test_request_context():
        assert changes_since_last_sign_in(session, lawyer) == []


def test_a_reset_is_among_the_notices_of_the_next_sign_in(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    with app.test_request_context():
        accounts.reset_account(session, lawyer)
        session.commit()
        notices = changes_since_last_sign_in(session, lawyer)
    assert len(notices) == 1
    assert notices[0].startswith("Your account was reset on")

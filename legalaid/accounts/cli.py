from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from legalaid.accounts import services
from legalaid.accounts.models import User
from legalaid.clinics.models import Clinic
from legalaid.database import get_database
from legalaid.errors import DomainError
from legalaid.vocabulary.roles import ROLES


@click.group("users", help="Staff accounts.")
def users() -> None:
    pass


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    # Piped: the first line of standard input, so that scripts never put it in argv.
    return sys.stdin.readline().rstrip("\r\n")


@users.command("create", help="Create an account; the password is read from a prompt or stdin.")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES.codes))
@click.option(
    "--clinic", "clinic_code", default=None, help="Clinic code, for lawyers and managers."
)
@click.option("--name", "full_name", default=None, help="Full name (default: the email's name).")
@click.option(
    "--no-password",
    is_flag=True,
    help="Print a single-use set-up code instead, so that the user chooses her own password.",
)
@with_appcontext
def create(
    email: str, role: str, clinic_code: str | None, full_name: str | None, no_password: bool
) -> None:
    password = None if no_password else _read_password()
    try:
        with get_database(current_app).transaction() as session:
            clinic_id = None
            if clinic_code:
                clinic_id = session.scalar(
                    select(Clinic.id).where(Clinic.code == clinic_code.upper())
                )
                if clinic_id is None:
                    raise DomainError(f"no clinic with code {clinic_code.upper()}")
            issued = services.create_account(
                session,
                email=email,
                full_name=full_name or email.split("@")[0],
                role=role,
                clinic_id=clinic_id,
            )
            if password is not None:
                services.set_initial_password(session, issued.user, password)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    # Only now is it committed: a failed commit raised above and printed nothing.
    click.echo(f"created {role} account {issued.user.email}")
    if password is None:
        click.echo(f"set-up code (single use): {issued.code}")
    click.echo("two-step sign-in is set up at the first sign-in")


@users.command(
    "setup-code", help="Print a fresh single-use set-up code for an account without a password."
)
@click.option("--email", required=True)
@with_appcontext
def setup_code(email: str) -> None:
    """On the server: for the first manager of a clinic, or any account, when there is no
    mail and no manager to give the code (an administrator's browser never shows it)."""
    try:
        with get_database(current_app).transaction() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                raise DomainError(f"no account {email}")
            issued = services.issue_setup_code_on_server(session, user)
            address = user.email
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    # Printed only once committed: a code that was never saved must not be handed out.
    click.echo(f"set-up code (single use) for {address}: {issued.code}")

"""``legalaid reminders send``: send the reminder e-mails that are due now.

Run it every few minutes (the job runner's periodic schedule does); running it twice, or
on two servers at once, sends each reminder once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from legalaid.reminders.service import send_reminders_of_app


@click.group("reminders", help="E-mail reminders of hearings, deadlines and tasks.")
def reminders() -> None:
    pass


@reminders.command("send", help="Send the reminders that are due now.")
@click.option(
    "--at",
    "at",
    default=None,
    help="Act as if it were this moment (ISO 8601 with a zone), to catch up or to test.",
)
@with_appcontext
def send(at: str | None) -> None:
    if at is None:
        now = datetime.now(UTC)
    else:
        try:
            now = datetime.fromisoformat(at)
        except ValueError as exc:
            raise click.BadParameter("an ISO 8601 moment, e.g. 2026-12-07T08:00+04:00") from exc
        if now.tzinfo is None:
            raise click.BadParameter("give the time zone, e.g. +04:00")
    sent = send_reminders_of_app(now)
    click.echo(f"sent {sent} reminder(s)")

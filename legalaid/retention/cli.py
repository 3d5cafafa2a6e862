"""``legalaid retention run``: erase every client whose retention period has passed.

The same run is a daily job (:mod:`legalaid.retention.jobs`) when ``legalaid jobs run``
is up; the command is for a run now, or for instances without a consumer.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.calendar import today
from legalaid.database import get_database
from legalaid.retention.policy import RetentionPolicy
from legalaid.retention.run import run_retention


@click.group("retention", help="Retention of personal data of closed cases.")
def retention() -> None:
    pass


@retention.command("run", help="Erase the personal data of clients that are due.")
@with_appcontext
def run() -> None:
    policy: RetentionPolicy = current_app.extensions["legalaid.policies"].retention
    with get_database(current_app).session_factory() as session:
        result = run_retention(session, policy, today())
    click.echo(f"erased {result.erased} client(s); {result.refused} refused")

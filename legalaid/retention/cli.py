"""``legalaid retention run``: erase every client whose retention period has passed."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.calendar import today
from legalaid.database import checkpoint_sqlite_wal, get_database
from legalaid.retention.erasure import (
    RULE_RETENTION,
    ErasureRefusedError,
    due_clients,
    erase_client,
)
from legalaid.retention.policy import RetentionPolicy


@click.group("retention", help="Retention of personal data of closed cases.")
def retention() -> None:
    pass


@retention.command("run", help="Erase the personal data of clients that are due.")
@with_appcontext
def run() -> None:
    database = get_database(current_app)
    policy: RetentionPolicy = current_app.extensions["legalaid.policies"].retention
    day = today()
    with database.transaction() as session:
        due = due_clients(session, policy, day)
    erased = refused = 0
    for client_id in due:
        # One transaction per client: fully erased or untouched.
        try:
            with database.transaction() as session:
                erase_client(session, client_id, rule=RULE_RETENTION, today=day)
            erased += 1
        except ErasureRefusedError:
            refused += 1
    checkpoint_sqlite_wal(database.engine)
    click.echo(f"erased {erased} client(s); {refused} refused")

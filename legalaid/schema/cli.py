from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.database import get_database
from legalaid.schema import migrations


@click.group("db", help="Database schema (Alembic migrations).")
def db() -> None:
    pass


@db.command("upgrade", help="Upgrade the database to the newest schema (or to REVISION).")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    migrations.upgrade(get_database(current_app).engine, revision)
    click.echo(f"database upgraded to {revision}")


@db.command("downgrade", help="Downgrade the database to REVISION (e.g. base).")
@click.argument("revision")
@click.option(
    "--i-understand-data-loss",
    "accept_loss",
    is_flag=True,
    help="Needed when the downgrade deletes the audit log or the frozen releases.",
)
@click.confirmation_option(prompt="Downgrading can drop tables and data. Continue?")
@with_appcontext
def downgrade(revision: str, accept_loss: bool) -> None:
    engine = get_database(current_app).engine
    lost = migrations.data_lost_by_downgrade(engine, revision)
    if lost and not accept_loss:
        raise click.ClickException(
            f"downgrading to {revision} deletes {' and '.join(lost)}, which cannot be made "
            "again; back up first and add --i-understand-data-loss if you mean it"
        )
    migrations.downgrade(engine, revision)
    click.echo(f"database downgraded to {revision}")


@db.command("current", help="Show the database's schema revision and the newest one.")
@with_appcontext
def current() -> None:
    engine = get_database(current_app).engine
    now = ", ".join(migrations.current_revisions(engine)) or "(empty)"
    heads = ", ".join(migrations.head_revisions(engine))
    click.echo(f"database: {now}\nnewest:   {heads}")

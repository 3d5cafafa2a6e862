from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.database import get_database
from legalaid.demo.builder import build_demo
from legalaid.schema import migrations
from legalaid.settings import Settings, load_development_secrets, write_development_secrets


def _wipe_sqlite(database_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        candidate = database_path.with_name(database_path.name + suffix)
        candidate.unlink(missing_ok=True)


@click.command("demo", help="Create a fresh demo database with synthetic data.")
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="Makes the data reproducible."
)
@click.option(
    "--reset-postgresql",
    is_flag=True,
    help="Allow wiping a PostgreSQL database (drops every table of the app).",
)
@with_appcontext
def demo(seed: int, reset_postgresql: bool) -> None:
    settings: Settings = current_app.extensions["legalaid.settings"]
    if settings.is_production:
        raise click.ClickException("the demo cannot run in production")
    engine = get_database(current_app).engine
    if engine.dialect.name == "sqlite":
        engine.dispose()
        if engine.url.database and engine.url.database != ":memory:":
            _wipe_sqlite(Path(engine.url.database))
    elif reset_postgresql:
        migrations.downgrade(engine, "base")
    else:
        raise click.ClickException(
            "the demo wipes the database; for PostgreSQL confirm with --reset-postgresql"
        )
    migrations.upgrade(engine)
    # Mark this development instance as a demo first: the banner shows on every page and
    # two-step sign-in is off, which is only ever allowed for synthetic data.
    secrets = load_development_secrets(settings.instance_path)
    secrets["LEGALAID_DEMO"] = "1"
    write_development_secrets(settings.instance_path, secrets)
    with get_database(current_app).transaction() as session:
        report = build_demo(session, seed=seed)

    click.echo(f"demo database ready (seed {seed}): {engine.url.render_as_string()}")
    for line in report.lines():
        click.echo(line)
    click.echo("")
    click.echo("Start the app with:  legalaid run   then open http://127.0.0.1:5000/login")

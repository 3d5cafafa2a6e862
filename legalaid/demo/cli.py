from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.calendar import today as clinic_today
from legalaid.database import Database, get_database
from legalaid.demo.builder import DEFAULT_CASES, DemoReport, build_demo
from legalaid.demo.bulk import CASES_PER_CLINIC, NETWORKS, build_bulk_cases, plan_network
from legalaid.demo.releases import build_releases
from legalaid.demo.sign_in_list import DemoAccount, forget_demo_accounts, write_demo_accounts
from legalaid.schema import migrations
from legalaid.settings import Settings, load_development_secrets, write_development_secrets


def _wipe_sqlite(database_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        candidate = database_path.with_name(database_path.name + suffix)
        candidate.unlink(missing_ok=True)


def _command_as_typed(name: str) -> str:
    """How the user runs this command again from where she is: `.venv/bin/legalaid` after the
    quick start (the venv is not activated), plain `legalaid` when it is on her PATH."""
    # The console script installed beside this interpreter (sys.argv[0] may be a test runner).
    program = Path(sys.executable).absolute().parent / "legalaid"
    if not program.exists():
        return f"legalaid {name}"
    on_path = shutil.which("legalaid")
    if on_path and Path(on_path).absolute() == program:
        return f"legalaid {name}"
    try:
        return f"{program.relative_to(Path.cwd().absolute())} {name}"
    except ValueError:
        return f"{program} {name}"


def _holds_a_database(path: Path) -> bool:
    # Opening the app may already have created an empty file: only tables count as data.
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            return bool(connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except sqlite3.Error:
        return True


def _interactive() -> bool:
    return sys.stdin.isatty()


def _address() -> str:
    # `legalaid run` is Flask's run command: these are its defaults and its variables.
    host = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    port = os.environ.get("FLASK_RUN_PORT", "5000")
    return f"http://{host}:{port}/login"


@click.command(
    "demo",
    help=(
        "Create a fresh demo database with synthetic data: clinics, staff, a referral "
        f"directory and {DEFAULT_CASES} cases taken in through the app's services "
        "(with their audit entries). With --cases N, N cases are bulk-inserted instead, "
        "for load and performance tests: encrypted and name-indexed like real ones, but "
        "without audit entries or recorded conflict hits."
    ),
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="Makes the data reproducible."
)
@click.option(
    "--cases",
    type=click.IntRange(min=1),
    default=None,
    help="Bulk-insert this many synthetic cases (e.g. 100000) instead of the default set.",
)
@click.option(
    "--network",
    type=click.Choice(NETWORKS),
    default="realistic",
    show_default=True,
    help=(
        "With --cases: 'realistic' adds clinics as the data grows (a manager and six "
        f"lawyers per ~{CASES_PER_CLINIC} cases), 'fixed' puts every case into the four "
        "demo clinics."
    ),
)
@click.option(
    "--reset-postgresql",
    is_flag=True,
    help="Allow wiping a PostgreSQL database (drops every table of the app).",
)
@click.option("--yes", is_flag=True, help="Wipe an existing SQLite database without asking first.")
@with_appcontext
def demo(seed: int, cases: int | None, network: str, reset_postgresql: bool, yes: bool) -> None:
    settings: Settings = current_app.extensions["legalaid.settings"]
    if settings.is_production:
        raise click.ClickException("the demo cannot run in production")
    engine = get_database(current_app).engine
    wiped: Path | None = None
    if engine.dialect.name == "sqlite":
        engine.dispose()
        if engine.url.database and engine.url.database != ":memory:":
            database_path = Path(engine.url.database)
            if _holds_a_database(database_path):
                # Running the quick start again must not silently throw away what someone
                # tried out; without a terminal to ask in, it says what it did instead.
                if not yes and _interactive():
                    click.confirm(
                        f"{database_path} already exists; the demo wipes it and everything "
                        "in it. Continue?",
                        default=True,
                        abort=True,
                    )
                wiped = database_path
            _wipe_sqlite(database_path)
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
    database = get_database(current_app)
    policies = current_app.extensions["legalaid.policies"]
    with database.transaction() as session:
        report = build_demo(
            session, seed=seed, today=clinic_today(), cases=0 if cases else DEFAULT_CASES
        )
        release_lines = (
            []
            if cases
            else build_releases(
                session,
                [user for user, _ in report.accounts],
                catalogue=policies.indicators,
                policy=policies.disclosure,
                today=report.today,
            )
        )
    bulk_lines = _bulk(database, report, cases, network) if cases else []
    codes = {clinic.id: clinic.code for clinic in report.clinics}
    forget_demo_accounts(settings.instance_path)
    write_demo_accounts(
        settings.instance_path,
        [
            DemoAccount(user.email, user.role, codes.get(user.clinic_id or 0, ""), password)
            for user, password in report.accounts
        ],
    )

    if wiped is not None:
        click.echo(f"wiped the existing database {wiped}")
    click.echo(f"demo database ready (seed {seed}): {engine.url.render_as_string()}")
    for line in [*report.lines(), *release_lines, *bulk_lines]:
        click.echo(line)
    click.echo("")
    click.echo(f"Start the app with:  {_command_as_typed('run')}")
    click.echo(f"then open {_address()} and sign in with one of the accounts above")
    click.echo("(the sign-in page of the demo lists them too).")


def _bulk(database: Database, report: DemoReport, count: int, network: str) -> list[str]:
    # The network's new clinics are committed before the bulk writer's sessions start.
    with database.transaction() as session:
        plan = plan_network(session, report.rng, network=network, count=count, today=report.today)

    def progress(done: int, seconds: float) -> None:
        click.echo(f"  {done:>9} / {count} cases  {seconds:7.1f} s", err=True)

    click.echo(f"bulk-inserting {count} synthetic cases ...", err=True)
    result = build_bulk_cases(
        database.session_factory, planner=plan.planner, count=count, progress=progress
    )
    return ["", *plan.lines(), *result.lines()]

"""The ``legalaid`` command: Flask's CLI with the app preset, plus a group per area."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, run_command

from legalaid.errors import StartupError


def _cli_app() -> Flask:
    from legalaid.database import get_database
    from legalaid.factory import create_app

    # Commands such as `db upgrade` and `demo` must run on an empty database. Every other
    # command refuses a key that does not match its stored check value, except the ones
    # that report or repair it.
    context = click.get_current_context(silent=True)
    # The app is loaded by the command being run: its path is e.g. "legalaid keys status".
    path = context.command_path.split()[1:3] if context is not None else []
    check_keys = path[:1] != ["db"] and path not in (
        ["keys", "status"],
        ["keys", "accept-secret-key"],
    )
    app = create_app(check_schema=False, check_keys=check_keys)
    if context is not None:
        context.call_on_close(get_database(app).engine.dispose)
    return app


def _run(ctx: click.Context, /, *, jobs: bool, **kwargs: Any) -> Any:
    from flask.cli import ScriptInfo

    from legalaid.database import get_database
    from legalaid.jobs.consumer import start_embedded_consumer
    from legalaid.jobs.queue import job_queue
    from legalaid.schema.migrations import ensure_current

    info = ctx.ensure_object(ScriptInfo)
    app = info.load_app()
    ensure_current(get_database(app).engine)
    queue = job_queue(app)
    # With the reloader, the process that serves is the child (WERKZEUG_RUN_MAIN): the
    # consumer runs there, so a reload restarts it with the new code too.
    serving = not kwargs.get("reload") or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
    if jobs and serving and not queue.immediate:
        consumer = start_embedded_consumer(queue)
        ctx.call_on_close(consumer.stop)
    return ctx.invoke(run_command, **kwargs)


class LegalaidGroup(FlaskGroup):
    def __init__(self) -> None:
        super().__init__(
            name="legalaid",
            help="legalaid: case management for free legal aid clinics.",
            create_app=_cli_app,
            add_default_commands=True,
            add_version_option=False,
            load_dotenv=False,
        )
        checked_run = click.Command(
            name="run",
            params=[
                *run_command.params,
                click.Option(
                    ["--jobs/--no-jobs"],
                    default=True,
                    help="Run background jobs in a thread beside the server.",
                ),
            ],
            callback=click.pass_context(_run),
            help="Serve the app for development (refuses an outdated database).",
        )
        self.add_command(checked_run)
        self._add_feature_commands()

    def _add_feature_commands(self) -> None:
        from legalaid.accounts.cli import users
        from legalaid.audit.cli import audit
        from legalaid.clinics.cli import clinics
        from legalaid.demo.cli import demo
        from legalaid.jobs.cli import jobs
        from legalaid.keys.cli import keys
        from legalaid.reminders.cli import reminders
        from legalaid.retention.cli import retention
        from legalaid.schema.cli import db

        for command in (db, clinics, users, keys, audit, demo, retention, jobs, reminders):
            self.add_command(command)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except StartupError as exc:
            click.echo(f"legalaid: error: {exc}", err=True)
            sys.exit(2)


main = LegalaidGroup()

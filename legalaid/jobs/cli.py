"""``legalaid jobs run``: the consumer that runs background and periodic jobs."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.jobs.consumer import run_consumer
from legalaid.jobs.queue import job_queue
from legalaid.jobs.registry import declared_jobs

#: How much lower than requests the consumer's CPU priority is, by default.
JOB_NICENESS = 10


@click.group("jobs", help="Background jobs (releases, retention, reminders).")
def jobs() -> None:
    pass


@jobs.command("run", help="Run the job consumer until stopped (SIGTERM finishes the job first).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 8))
@click.option(
    "--nice",
    "niceness",
    default=JOB_NICENESS,
    show_default=True,
    type=click.IntRange(0, 19),
    help="Lower the consumer's CPU priority by this much: requests go first.",
)
@with_appcontext
def run(workers: int, niceness: int) -> None:
    queue = job_queue(current_app)
    if queue.immediate:
        raise click.ClickException("LEGALAID_JOBS_URL=immediate has no queue to consume")
    # A release disclosure-controls for tens of seconds on a full core; on the same machine
    # as gunicorn, a lawyer's save must not queue behind it for the CPU (load benchmark:
    # README). Background work waits a little longer instead.
    os.nice(niceness)
    run_consumer(queue, workers=workers)


@jobs.command("list", help="The declared jobs and which of them run on a schedule.")
@with_appcontext
def list_jobs() -> None:
    for job in declared_jobs():
        click.echo(f"{job.name}\t{'periodic' if job.schedule else 'on demand'}")

"""The app's job queue: one Huey instance per app, every declared job registered on it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

from legalaid.database import get_database
from legalaid.errors import StartupError, log_error
from legalaid.jobs.registry import Job, declared_jobs

#: The modules that declare jobs (imported when an app builds its queue).
JOB_MODULES = (
    "legalaid.retention.jobs",
    "legalaid.releases.jobs",
    "legalaid.reminders.jobs",
    "legalaid.documents.jobs",
)
#: ``LEGALAID_JOBS_URL`` value that runs each job at once where it is enqueued.
IMMEDIATE = "immediate"
QUEUE_NAME = "legalaid"


def make_huey(jobs_url: str, instance_path: Path, *, production: bool) -> Huey:
    """The queue ``LEGALAID_JOBS_URL`` names (default: ``jobs.sqlite3`` in the instance)."""
    url = jobs_url.strip()
    if url == IMMEDIATE:
        if production:
            raise StartupError("LEGALAID_JOBS_URL=immediate is for tests, not production")
        return Huey(QUEUE_NAME, results=False, immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, results=False, url=url)
    if url.startswith("sqlite:///") or not url:
        path = Path(url.removeprefix("sqlite:///")) if url else instance_path / "jobs.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        # fsync: an enqueued release must survive a power cut like the request that made it.
        return SqliteHuey(QUEUE_NAME, results=False, filename=str(path), fsync=True)
    raise StartupError(
        "LEGALAID_JOBS_URL must be empty (SQLite in the instance folder), "
        "sqlite:////abs/path, redis://host:port/db or immediate"
    )


class JobFailedError(Exception):
    """What Huey sees of a failed job: its name, never the original message."""


class JobQueue:
    """The Huey instance of one app, with each declared job wrapped to run in the app."""

    def __init__(self, app: Flask, huey: Huey) -> None:
        self.app = app
        self.huey = huey
        self._tasks: dict[str, Any] = {}
        for job in declared_jobs():
            self._tasks[job.name] = self._register(job)

    def _register(self, job: Job[Any]) -> Any:
        runner = _in_app(self.app, job)
        if job.schedule is not None:
            return self.huey.periodic_task(job.schedule, retries=job.retries, name=job.name)(runner)
        return self.huey.task(retries=job.retries, retry_delay=job.retry_delay, name=job.name)(
            runner
        )

    def enqueue(self, name: str, *args: Any, **kwargs: Any) -> None:
        self._tasks[name](*args, **kwargs)

    @property
    def immediate(self) -> bool:
        return bool(self.huey.immediate)


def _in_app(app: Flask, job: Job[Any]) -> Callable[..., None]:
    def run(*args: Any, **kwargs: Any) -> None:
        with app.app_context():
            database = get_database(app)
            session = database.session_factory()
            try:
                with database.bound(session):
                    job.function(session, *args, **kwargs)
                    if session.in_transaction():
                        session.commit()
            except Exception as error:
                session.rollback()
                # Type and frames only, as for a request: the message may carry values.
                log_error(error, f"in job {job.name}")
                raise JobFailedError(job.name) from None
            finally:
                session.close()

    run.__name__ = job.name.replace(".", "_")
    return run


def init_jobs(app: Flask, jobs_url: str, *, production: bool) -> JobQueue:
    for module in JOB_MODULES:
        importlib.import_module(module)
    queue = JobQueue(app, make_huey(jobs_url, Path(app.instance_path), production=production))
    app.extensions["legalaid.jobs"] = queue
    return queue


def job_queue(app: Flask) -> JobQueue:
    queue: JobQueue = app.extensions["legalaid.jobs"]
    return queue

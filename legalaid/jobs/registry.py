"""The typed way features declare jobs; see :mod:`legalaid.jobs` for how to use it.

Declaring a job only records it here (nothing talks to a queue at import time); the
app's queue (:mod:`legalaid.jobs.queue`) registers every declared job on its own Huey
instance, wrapped to run in an app context with a database session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, Generic, ParamSpec

from flask import current_app
from huey import crontab as _crontab
from sqlalchemy.orm import Session

P = ParamSpec("P")

#: When a periodic job is due: called each minute with the time (UTC), true when due.
Schedule = Callable[[datetime], bool]


def crontab(
    minute: str = "*", hour: str = "*", day: str = "*", month: str = "*", day_of_week: str = "*"
) -> Schedule:
    """A cron-like schedule, in UTC (Huey's ``crontab``)."""
    schedule: Schedule = _crontab(minute, hour, day, month, day_of_week)
    return schedule


@dataclass(frozen=True)
class Job(Generic[P]):
    name: str
    function: Callable[Concatenate[Session, P], None]
    schedule: Schedule | None = None
    retries: int = 0
    retry_delay: int = 0

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Put the job on the current app's queue (a request enqueues after its commit)."""
        from legalaid.jobs.queue import job_queue

        job_queue(current_app).enqueue(self.name, *args, **kwargs)

    def __call__(self, session: Session, *args: P.args, **kwargs: P.kwargs) -> None:
        """Run the job's function at once in the caller's session (tests, commands)."""
        self.function(session, *args, **kwargs)


_JOBS: dict[str, Job[Any]] = {}


def _register(job: Job[Any]) -> None:
    if job.name in _JOBS and _JOBS[job.name].function is not job.function:
        raise RuntimeError(f"two jobs are named {job.name!r}")
    _JOBS[job.name] = job


def task(
    name: str, *, retries: int = 0, retry_delay: int = 0
) -> Callable[[Callable[Concatenate[Session, P], None]], Job[P]]:
    """Declare a job run on demand (``job.enqueue(...)``)."""

    def declare(function: Callable[Concatenate[Session, P], None]) -> Job[P]:
        job = Job(name, function, retries=retries, retry_delay=retry_delay)
        _register(job)
        return job

    return declare


def periodic_task(
    schedule: Schedule, *, name: str, retries: int = 0
) -> Callable[[Callable[[Session], None]], Job[[]]]:
    """Declare a job the consumer runs whenever ``schedule`` says (each minute checked)."""

    def declare(function: Callable[[Session], None]) -> Job[[]]:
        job: Job[[]] = Job(name, function, schedule=schedule, retries=retries)
        _register(job)
        return job

    return declare


def declared_jobs() -> tuple[Job[Any], ...]:
    return tuple(_JOBS[name] for name in sorted(_JOBS))

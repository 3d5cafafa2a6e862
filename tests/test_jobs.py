"""The job runner: a real consumer runs what a request enqueued, in the app, and commits.

The web app and the consumer are two apps on the same database and the same SQLite
queue file, as the web workers and ``legalaid jobs run`` are in production.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.audit.service import record_event
from legalaid.database import get_database
from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.jobs import registry
from legalaid.jobs.consumer import start_embedded_consumer
from legalaid.jobs.queue import job_queue, make_huey
from legalaid.jobs.registry import declared_jobs, task
from tests.conftest import make_settings

SECRET_TEXT = "Zumrudxanim lives at 12 Nizami street"


@pytest.fixture
def declared() -> Iterator[Callable[[str], registry.Job[[int]]]]:
    names: list[str] = []

    def declare(name: str) -> registry.Job[[int]]:
        @task(name)
        def write_entry(session: Session, object_id: int) -> None:
            record_event(session, "job.ran", object_type="test", object_id=object_id)
            if object_id < 0:
                raise ValueError(SECRET_TEXT)

        names.append(name)
        return write_entry

    yield declare
    for name in names:
        registry._JOBS.pop(name, None)


def _apps(database_url: str, instance: Path) -> tuple[Flask, Flask]:
    settings = make_settings(database_url, instance, jobs_url="")
    return create_app(settings), create_app(settings)


def _entries(app: Flask) -> list[str | None]:
    with get_database(app).session_factory() as session:
        return list(
            session.scalars(
                select(AuditEntry.object_id)
                .where(AuditEntry.action == "job.ran")
                .order_by(AuditEntry.seq)
            )
        )


def _wait_for(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the consumer did not run the job in time"
        time.sleep(0.1)


def test_a_consumer_runs_an_enqueued_job_in_the_app_and_commits(
    migrated_database_url: str,
    tmp_path: Path,
    declared: Callable[[str], registry.Job[[int]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    job = declared("tests.write_entry")
    web, worker = _apps(migrated_database_url, tmp_path)
    # The default queue is a SQLite file in the instance folder, no server needed.
    assert (tmp_path / "jobs.sqlite3").exists()
    with web.app_context():
        job.enqueue(7)
        job.enqueue(-1)  # fails: rolled back, and the log has no value of it
        job.enqueue(8)
    # Nothing runs until a consumer takes the jobs.
    assert _entries(web) == []
    consumer = start_embedded_consumer(job_queue(worker))
    try:
        with caplog.at_level(logging.ERROR):
            _wait_for(lambda: _entries(web) == ["7", "8"])
    finally:
        consumer.stop(graceful=True)
        get_database(web).engine.dispose()
        get_database(worker).engine.dispose()
    assert "ValueError" in caplog.text
    assert "tests.write_entry" in caplog.text
    assert SECRET_TEXT not in caplog.text


def test_the_retention_run_is_a_daily_periodic_job() -> None:
    import legalaid.retention.jobs  # noqa: F401 - declares it

    retention = {job.name: job for job in declared_jobs()}["retention.run"]
    assert retention.schedule is not None
    minutes = (datetime(2026, 12, 7, hour, minute) for hour in range(24) for minute in range(60))
    due = [stamp for stamp in minutes if retention.schedule(stamp)]
    assert due == [datetime(2026, 12, 7, 1, 15)]


def test_the_queue_url_is_checked_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="not production"):
        make_huey("immediate", tmp_path, production=True)
    with pytest.raises(StartupError, match="LEGALAID_JOBS_URL must be"):
        make_huey("amqp://broker", tmp_path, production=False)
    queue = make_huey(f"sqlite:///{tmp_path / 'q' / 'jobs.db'}", tmp_path, production=True)
    assert not queue.immediate
    assert (tmp_path / "q").is_dir()

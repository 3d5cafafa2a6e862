"""Releases run as jobs: the form enqueues, the progress page follows, a consumer counts.

The first test is the whole path on committed data with a real consumer (threads) and the
SQLite queue file; the others use the suite's immediate queue or hold the job back.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.database import get_database
from legalaid.factory import create_app
from legalaid.jobs.consumer import start_embedded_consumer
from legalaid.jobs.queue import job_queue
from legalaid.releases import jobs as release_jobs
from legalaid.releases.models import IndicatorRelease, ReleaseJob
from legalaid.releases.progress import EXPECTED_AUDITS, Progress
from tests.case_factories import make_case
from tests.conftest import make_settings
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import post_form

QUARTER = "2026Q2"
IN_QUARTER = date(2026, 5, 4)


@pytest.fixture
def web_and_worker(migrated_database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    settings = make_settings(migrated_database_url, tmp_path, jobs_url="")
    web, worker = create_app(settings), create_app(settings)
    web.config.update(TESTING=True)
    yield web, worker
    get_database(web).engine.dispose()
    get_database(worker).engine.dispose()


def test_a_release_waits_then_a_consumer_makes_it_and_the_page_goes_to_it(
    web_and_worker: tuple[Flask, Flask],
) -> None:
    web, worker = web_and_worker
    # The worker's context for arranging data: with web's own context pushed, its test
    # requests would share one ``g``, which no real request does.
    with worker.app_context(), get_database(worker).session_factory() as session:
        clinic = create_clinic(session, "JOB", region="baku")
        lawyer = create_user(session, "lawyer", clinic=clinic)
        for n in range(6):
            make_case(session, lawyer, on=IN_QUARTER + timedelta(days=n))
        task_force = create_user(session, "task_force")
        session.commit()
    client = web.test_client()
    # A reader that keeps no writer out (SQLite: BEGIN IMMEDIATE would hold the lock).
    with worker.app_context(), get_database(worker).snapshot() as reader:
        signing_in = reader.get(User, task_force.id)
        assert signing_in is not None
        sign_in(client, web, signing_in, session=reader)
    response = post_form(
        client, "/releases/new", {"period": QUARTER, "reason": "", "confirmed": "yes"}
    )
    assert response.status_code == 302
    progress = response.headers["Location"]
    # No consumer yet: the page says it waits, and refreshes itself without a script.
    waiting = client.get(progress).get_data(as_text=True)
    assert "Waiting to be counted." in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting
    consumer = start_embedded_consumer(job_queue(worker))
    try:
        deadline = time.monotonic() + 60
        while (page := client.get(progress)).status_code == 200:
            assert "Nothing was released." not in page.get_data(as_text=True)
            assert time.monotonic() < deadline, "the consumer did not make the release"
            time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)
    assert page.status_code == 302
    shown = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Released: Quarter 2 of 2026 (April to June), version 1." in shown
    with worker.app_context(), get_database(worker).session_factory() as session:
        job = session.scalars(select(ReleaseJob)).one()
        assert (job.status, job.failure) == ("done", None)
        assert job.started_at is not None
        assert job.finished_at is not None
        # The job counted its steps as it went: the last figures it wrote.
        assert 0 < job.steps_done < job.steps_total
        release = session.get(IndicatorRelease, job.release_id)
        assert release is not None
        assert release.created_by_id == task_force.id
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions.index("release.requested") < actions.index("release.created")


def _held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if no consumer ran: the request enqueues into nothing.
    monkeypatch.setattr(
        release_jobs, "make_release_job", SimpleNamespace(enqueue=lambda *_a, **_k: None)
    )


def test_another_scope_sees_no_job_and_the_attempt_is_audited(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _held_back(monkeypatch)
    clinic = create_clinic(session)
    other = create_clinic(session)
    manager = create_user(session, "manager", clinic=clinic)
    stranger = create_user(session, "manager", clinic=other)
    task_force = create_user(session, "task_force")
    mine = app.test_client()
    sign_in(mine, app, manager, session=session)
    response = post_form(
        mine, "/releases/new", {"period": QUARTER, "reason": "", "confirmed": "yes"}
    )
    progress = response.headers["Location"]
    job_id = int(re.findall(r"\d+$", progress)[0])
    running = session.get(ReleaseJob, job_id)
    assert running is not None
    assert running.status == "pending"
    running.status = "running"
    running.steps_done, running.steps_total = 30, 120
    session.commit()
    page = mine.get(progress).get_data(as_text=True)
    assert "Counting and checking the numbers." in page
    assert 'http-equiv="refresh"' in page
    assert '<progress max="100" value="25"' in page
    assert "25% done: step 30 of 120." in page
    for user in (stranger, task_force):
        client = app.test_client()
        sign_in(client, app, user, session=session)
        assert client.get(progress).status_code == 404
        assert client.get("/releases/jobs/999999").status_code == 404
    denied = session.scalars(
        select(AuditEntry.object_id).where(
            AuditEntry.action == "release.job_viewed", AuditEntry.outcome == "denied"
        )
    ).all()
    assert denied.count(str(job_id)) == 2


def test_a_job_delivered_twice_makes_one_release(app: Flask, session: Session) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    for _ in range(6):
        make_case(session, lawyer, on=IN_QUARTER)
    task_force = create_user(session, "task_force")
    job = ReleaseJob(scope_key="national", period_code=QUARTER, requested_by_id=task_force.id)
    session.add(job)
    session.commit()
    with app.app_context():
        release_jobs.make_release_job.enqueue(job.id)
        release_jobs.make_release_job.enqueue(job.id)
    session.expire_all()
    assert len(session.scalars(select(IndicatorRelease)).all()) == 1


def test_progress_goes_only_up_and_counts_audits_beyond_those_expected() -> None:
    written: list[tuple[int, int]] = []
    steps = Progress(lambda done, total: written.append((done, total)), every=0)
    steps.plan(tables=10, recounted=4)
    assert written[-1] == (0, 10 + 4 + EXPECTED_AUDITS * 5 + 1)
    shares = []
    for _ in range(14):
        steps.step()
        shares.append(steps.done / steps.total)
    for _ in range(EXPECTED_AUDITS + 3):
        steps.audited()
        shares.append(steps.done / steps.total)
    assert shares == sorted(shares)
    assert shares[-1] < 1
    # Storing is the one step left.
    assert written[-1] == (steps.total - 1, steps.total)

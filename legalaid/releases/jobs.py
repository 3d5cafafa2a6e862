"""Releases run as jobs: the request checks what it can and enqueues; the job counts.

A national release of a year on a million cases counts for up to a minute: in a request
that is a worker taken and, on SQLite, the write lock held throughout. The job counts on
a snapshot (:func:`legalaid.releases.services.make_release`) while lawyers save, and the
progress page (``/releases/jobs/<id>``) shows where it is.
"""

from __future__ import annotations

import json
import logging

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.database import after_commit, get_database, utcnow
from legalaid.errors import ConflictError, DomainError
from legalaid.indicators.periods import parse_period
from legalaid.jobs.registry import task
from legalaid.releases import services
from legalaid.releases.models import ReleaseJob

log = logging.getLogger(__name__)


def request_release_job(
    session: Session, wanted: services.ReleaseRequest, *, more_hidden_confirmed: bool = False
) -> ReleaseJob:
    """Store the job for a checked request, audit it, and enqueue it once the request has
    committed (the job must find its row; a rolled-back request enqueues nothing).

    ``more_hidden_confirmed``: she has seen what this version hides that the previous one
    published, and confirms it (audited as such).
    """
    job = ReleaseJob(
        scope_key=wanted.scope_key,
        clinic_id=wanted.clinic_id,
        period_code=wanted.period.code,
        reason=wanted.reason,
        requested_by_id=wanted.user_id,
        more_hidden_confirmed=more_hidden_confirmed,
    )
    session.add(job)
    session.flush()
    action = "release.more_hidden_confirmed" if more_hidden_confirmed else "release.requested"
    record_event(session, action, object_type="release_job", object_id=job.id)
    after_commit(lambda: make_release_job.enqueue(job.id))
    return job


@task("releases.make")
def make_release_job(session: Session, job_id: int) -> None:
    job = session.get(ReleaseJob, job_id)
    if job is None or job.status != "pending":
        return  # delivered twice (a consumer restarted mid-way): ran already
    job.status, job.started_at = "running", utcnow()
    # Committed before counting: the page says "running", and (SQLite) no write lock
    # is held while the snapshot is read.
    session.commit()
    policies = current_app.extensions["legalaid.policies"]
    request = services.ReleaseRequest(
        scope_key=job.scope_key,
        clinic_id=job.clinic_id,
        period=parse_period(job.period_code, today(), policies.disclosure.data_entry_lag_days),
        reason=job.reason,
        user_id=job.requested_by_id,
        more_hidden_confirmed=job.more_hidden_confirmed,
    )
    database = get_database(current_app)

    def write_progress(done: int, total: int) -> None:
        # Its own short transaction: the job's session must not hold a write open (on
        # SQLite that would be the database's one write lock for the whole count). The
        # job's own progress is no one's action on a record: not audited.
        with database.transaction() as progress:
            progress.execute(
                update(ReleaseJob)
                .where(ReleaseJob.id == job_id)
                .values(steps_done=done, steps_total=total)
            )

    failure: str | None = None
    try:
        job.release_id = services.make_release(
            database,
            request,
            catalogue=policies.indicators,
            policy=policies.disclosure,
            progress=write_progress,
        )
    except services.ReleaseRefusedError:
        failure = "refused"
    except services.MoreHiddenError as stopped:
        # Not frozen: the progress page shows what it would hide and asks to confirm.
        failure, job.preview = "confirm", json.dumps(stopped.more.as_json())
    except (ConflictError, DomainError):
        # Another version came first (the same version, or one that now needs a reason).
        failure = "conflict"
    except Exception:
        job.status, job.failure, job.finished_at = "failed", "error", utcnow()
        session.commit()
        raise
    job.status = "failed" if failure else "done"
    job.failure, job.finished_at = failure, utcnow()

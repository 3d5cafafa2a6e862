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
from sqlalchemy.orm import Session

from legalaid.calendar import today
from legalaid.database import get_database, utcnow
from legalaid.errors import ConflictError, DomainError
from legalaid.indicators.periods import parse_period
from legalaid.jobs.registry import task
from legalaid.releases import services
from legalaid.releases.models import ReleaseJob

log = logging.getLogger(__name__)


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
    failure: str | None = None
    try:
        job.release_id = services.make_release(
            get_database(current_app),
            request,
            catalogue=policies.indicators,
            policy=policies.disclosure,
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

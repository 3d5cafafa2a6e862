"""The orphan sweep as a periodic job (:mod:`legalaid.documents.sweep`)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from legalaid.documents.policy import DocumentPolicy
from legalaid.documents.sweep import sweep_store
from legalaid.jobs.registry import crontab, periodic_task


# Hourly at :40, away from the reminders (every 5 minutes) and the retention run (01:15).
@periodic_task(crontab(minute="40"), name="documents.sweep")
def sweep_orphan_files(session: Session) -> None:
    policy: DocumentPolicy = current_app.extensions["legalaid.policies"].documents
    sweep_store(
        session,
        current_app.extensions["legalaid.documents.store"],
        after_hours=policy.sweep_after_hours,
    )

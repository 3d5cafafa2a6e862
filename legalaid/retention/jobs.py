"""The daily retention run as a periodic job (``legalaid retention run`` does the same)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from legalaid.calendar import today
from legalaid.jobs.registry import crontab, periodic_task
from legalaid.retention.policy import RetentionPolicy
from legalaid.retention.run import run_retention


# 01:15 UTC (05:15 in Baku): after the day's work, before the nightly backup window.
@periodic_task(crontab(minute="15", hour="1"), name="retention.run")
def daily_retention(session: Session) -> None:
    policy: RetentionPolicy = current_app.extensions["legalaid.policies"].retention
    run_retention(session, policy, today())

"""What the task force's and the administrator's home pages show: releases; accounts
waiting and recent refusals (never case content). A lawyer's and a manager's work of
today is :mod:`legalaid.caseloads.today`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.database import utcnow
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.scope import visible_releases
from legalaid.viewer import Viewer

#: How far back "recent refusals" look, and how many releases are "the latest".
REFUSALS_DAYS = 7
LATEST_RELEASES = 5


@dataclass(frozen=True)
class AdminToday:
    waiting_for_setup: int
    refusals: int
    refusals_since: datetime


def admin_today(session: Session) -> AdminToday:
    since = utcnow() - timedelta(days=REFUSALS_DAYS)
    waiting = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.active.is_(True), User.password_hash.is_(None))
    )
    refusals = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.outcome == "denied", AuditEntry.occurred_at >= since)
    )
    return AdminToday(int(waiting or 0), int(refusals or 0), since)


def latest_releases(session: Session, user: Viewer) -> list[IndicatorRelease]:
    return list(
        session.scalars(
            visible_releases(user)
            .options(defer(IndicatorRelease.content))
            .order_by(IndicatorRelease.created_at.desc(), IndicatorRelease.id.desc())
            .limit(LATEST_RELEASES)
        )
    )

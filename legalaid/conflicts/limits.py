"""How many conflict checks a person makes: an hourly limit, and volumes for managers.

The conflict check looks across every clinic, so many checks in a row could map who is
a client where. The audit log already holds one ``conflict.checked`` entry per check,
with who made it and when: the limit and the volumes count those, so no second record
of checks can drift from the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.audit.service import Actor, record_event
from legalaid.database import utcnow
from legalaid.errors import DomainError
from legalaid.viewer import Viewer

CHECKED = "conflict.checked"


class CheckLimitError(DomainError):
    status_code = 429


def _checks_since(session: Session, since: datetime, *user_ids: int) -> dict[int, int]:
    rows = session.execute(
        select(AuditEntry.actor_id, func.count())
        .where(
            AuditEntry.action == CHECKED,
            AuditEntry.actor_id.in_(user_ids),
            AuditEntry.occurred_at > since,
        )
        .group_by(AuditEntry.actor_id)
    ).all()
    return {int(actor): int(count) for actor, count in rows if actor is not None}


def enforce_hourly_limit(session: Session, user: Viewer, limit: int) -> None:
    """Refuse a check beyond ``limit`` in the last hour (refusal audited)."""
    made = _checks_since(session, utcnow() - timedelta(hours=1), user.id).get(user.id, 0)
    if made >= limit:
        record_event(
            session,
            "conflict.limited",
            object_type="conflict_check",
            outcome="denied",
            actor=Actor.of(user),
        )
        raise CheckLimitError(
            _(
                "You have made %(n)d conflict checks in the last hour, the most allowed. "
                "Wait a while before the next one; your clinic manager can see how many "
                "checks each lawyer makes.",
                n=limit,
            )
        )


@dataclass(frozen=True)
class CheckVolume:
    user: User
    last_hour: int
    last_day: int
    last_30_days: int


def clinic_check_volumes(session: Session, clinic_id: int) -> list[CheckVolume]:
    """Checks made by each lawyer and manager of a clinic: the last hour, day, 30 days."""
    staff = list(
        session.scalars(
            select(User)
            .where(User.clinic_id == clinic_id, User.role.in_(("lawyer", "manager")))
            .order_by(User.full_name)
        )
    )
    if not staff:
        return []
    now = utcnow()
    ids = [user.id for user in staff]
    hour = _checks_since(session, now - timedelta(hours=1), *ids)
    day = _checks_since(session, now - timedelta(days=1), *ids)
    month = _checks_since(session, now - timedelta(days=30), *ids)
    return [
        CheckVolume(user, hour.get(user.id, 0), day.get(user.id, 0), month.get(user.id, 0))
        for user in staff
    ]

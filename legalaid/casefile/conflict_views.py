"""A manager's view of how many conflict checks her staff make (to spot a fishing run)."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from legalaid.accounts.services import security_policy
from legalaid.audit.service import record_event
from legalaid.conflicts.limits import clinic_check_volumes
from legalaid.database import db_session

bp = Blueprint("conflicts", __name__)


@bp.get("/conflict-checks")
def volumes() -> str:
    session = db_session()
    rows = clinic_check_volumes(session, g.user.clinic_id)
    record_event(
        session, "conflict.volumes_viewed", object_type="clinic", object_id=g.user.clinic_id
    )
    return render_template(
        "conflicts/volumes.html",
        rows=rows,
        limit=security_policy().conflict_checks.max_per_hour,
    )

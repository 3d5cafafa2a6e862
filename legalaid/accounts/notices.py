"""What others changed on an account since its owner last signed in, shown to her then.

A reset, a new role or a new clinic is made by an administrator; the owner is the one who
can tell whether it was wanted. The audit log already records each change, so the notices
are read from it (no second record to drift): entries about this account, newer than her
previous successful sign-in.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import LoginAttempt, User
from legalaid.audit.models import AuditEntry

MESSAGES = {
    "account.reset": _l(
        "Your account was reset on %(when)s: its password and two-step sign-in were "
        "replaced. If you did not ask for this, tell your clinic manager at once."
    ),
    "account.role_changed": _l(
        "Your role was changed on %(when)s. If you did not expect this, tell your clinic manager."
    ),
    "account.clinic_changed": _l(
        "Your clinic was changed on %(when)s. If you did not expect this, tell your clinic manager."
    ),
}


def _previous_sign_in(session: Session, user: User) -> datetime | None:
    return session.scalar(
        select(func.max(LoginAttempt.occurred_at)).where(
            LoginAttempt.user_id == user.id, LoginAttempt.succeeded.is_(True)
        )
    )


def changes_since_last_sign_in(session: Session, user: User) -> list[str]:
    """The messages to show the owner now (call before this sign-in is recorded)."""
    query = (
        select(AuditEntry.action, AuditEntry.occurred_at)
        .where(
            AuditEntry.object_type == "user",
            AuditEntry.object_id == str(user.id),
            AuditEntry.action.in_(tuple(MESSAGES)),
            AuditEntry.outcome == "success",
        )
        .order_by(AuditEntry.seq)
    )
    since = _previous_sign_in(session, user)
    if since is not None:
        query = query.where(AuditEntry.occurred_at > since)
    return [
        str(MESSAGES[action]) % {"when": format_datetime(occurred_at, "short")}
        for action, occurred_at in session.execute(query).all()
    ]

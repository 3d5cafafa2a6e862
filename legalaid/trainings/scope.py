"""Record scoping for training sessions, in one place.

Every training route loads its session through :func:`visible_sessions` (with
``access.visible.visible_or_404``), so a session outside the user's scope answers exactly
like one that does not exist (404).

- a manager and a lawyer see the sessions of their clinic: the ones it recorded, whether
  the clinic or a partner organisation delivered them;
- the task force and administrators see none (the access policy refuses them first; the
  task force gets anonymized indicators instead).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select

from legalaid.trainings.models import TrainingSession
from legalaid.viewer import Viewer

CLINIC_ROLES = ("lawyer", "manager")


def session_condition(user: Viewer | None) -> ColumnElement[bool]:
    if user is None or user.role not in CLINIC_ROLES or user.clinic_id is None:
        return false()
    condition: ColumnElement[bool] = TrainingSession.clinic_id == user.clinic_id
    return condition


def visible_sessions(user: Viewer | None) -> Select[TrainingSession]:
    return select(TrainingSession).where(session_condition(user))

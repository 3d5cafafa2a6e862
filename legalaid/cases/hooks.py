"""What the features of a case do when its lifecycle moves, registered by those features.

``cases`` sits below ``casework`` (a hearing, a task belongs to a case), yet closing a case
must count its hearings and deadlines still to come, and reassigning it must hand the
old lawyer's pending tasks to the new one. ``casework`` registers both here when its
services are imported (the factory imports every feature's views, and with them their
services, before anything is served); ``cases`` calls them without importing it. A hook
nobody registered is an error, never a silent zero: closing would otherwise drop
hearings off the agenda unannounced.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

#: ``(session, case_id, today) -> how many items still to come``.
AgendaCount = Callable[[Session, int, date], int]
#: ``(session, case_id, from_user_id, to_user_id)``: hand over what the old lawyer held.
Handover = Callable[[Session, int, int, int], None]

_agenda_counts: list[AgendaCount] = []
_handovers: list[Handover] = []

_Hook = TypeVar("_Hook")


def count_agenda_to_come(count: AgendaCount) -> AgendaCount:
    """Register ``count`` (usable as a decorator); registering twice is harmless."""
    if count not in _agenda_counts:
        _agenda_counts.append(count)
    return count


def hand_over_on_reassignment(handover: Handover) -> Handover:
    """Register ``handover`` (usable as a decorator); registering twice is harmless."""
    if handover not in _handovers:
        _handovers.append(handover)
    return handover


def _registered(hooks: list[_Hook], what: str) -> list[_Hook]:
    if not hooks:
        raise RuntimeError(
            f"no feature registered {what} (legalaid.cases.hooks): import legalaid.casework"
            ".services, as the app factory does"
        )
    return hooks


def agenda_to_come(session: Session, case_id: int, today: date) -> int:
    """Items of the case (hearings, deadlines) not done and due today or later."""
    hooks = _registered(_agenda_counts, "an agenda count")
    return sum(count(session, case_id, today) for count in hooks)


def hand_over(session: Session, case_id: int, from_id: int, to_id: int) -> None:
    for handover in _registered(_handovers, "a handover on reassignment"):
        handover(session, case_id, from_id, to_id)

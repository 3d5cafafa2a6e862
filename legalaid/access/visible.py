"""Load one record within the viewer's scope, or answer 404 with the refusal audited.

Every route that opens a record by its id goes through :func:`visible_or_404` with the
feature's own scoped query (``visible_cases(viewer)``, ``visible_releases(viewer)``...):
a record outside the scope answers exactly like a missing one, and both leave a
``denied`` entry that outlives the request's rollback (see ``audit.service``).
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from legalaid.audit.service import Actor, record_event

T = TypeVar("T")


def visible_or_404(
    session: Session,
    scoped: Select[T],
    record_id: int,
    *,
    action: str,
    object_type: str,
    actor: Actor | None = None,
    description: str | None = None,
) -> T:
    """The record of ``scoped`` whose id is ``record_id``; otherwise 404, audited as
    ``action`` with outcome ``denied`` (``actor`` for callers not signed in by session).

    ``scoped`` may carry loader options: joined collections are made unique here.
    """
    found: T | None = session.scalars(scoped.filter_by(id=record_id)).unique().one_or_none()
    if found is None:
        record_event(
            session,
            action,
            object_type=object_type,
            object_id=record_id,
            outcome="denied",
            actor=actor,
        )
        raise NotFound(description)
    return found

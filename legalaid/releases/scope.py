"""Record scoping of releases, in one place.

- the task force sees national releases only;
- a manager sees her own clinic's releases only;
- everyone else (lawyers, administrators) sees none.

A release outside the user's scope answers 404, like one that does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import Session, defer

from legalaid.errors import NotFoundError
from legalaid.releases.models import NATIONAL_SCOPE, IndicatorRelease, ReleaseJob, clinic_scope_key
from legalaid.viewer import Viewer


def scope_key_of(user: Viewer | None) -> str | None:
    """The scope a user releases for and reads: national, her clinic, or none."""
    if user is None:
        return None
    if user.role == "task_force":
        return NATIONAL_SCOPE
    if user.role == "manager" and user.clinic_id is not None:
        return clinic_scope_key(user.clinic_id)
    return None


def release_condition(user: Viewer | None) -> ColumnElement[bool]:
    key = scope_key_of(user)
    if key is None:
        return false()
    condition: ColumnElement[bool] = IndicatorRelease.scope_key == key
    return condition


def visible_releases(user: Viewer | None) -> Select[IndicatorRelease]:
    """The user's releases, without their true counts: pages, exports and the API show
    what was published; only disclosure control (services) ever loads ``truth``."""
    return (
        select(IndicatorRelease)
        .where(release_condition(user))
        .options(defer(IndicatorRelease.truth, raiseload=True))
    )


def visible_jobs(user: Viewer | None) -> Select[ReleaseJob]:
    """The release jobs of the user's own scope (whoever of it asked for them)."""
    key = scope_key_of(user)
    return select(ReleaseJob).where(false() if key is None else ReleaseJob.scope_key == key)


def previous_version(
    session: Session, user: Viewer | None, release: IndicatorRelease
) -> IndicatorRelease | None:
    """The version before ``release`` of the same scope and period (None for version 1)."""
    found: IndicatorRelease | None = session.scalar(
        visible_releases(user).where(
            IndicatorRelease.scope_key == release.scope_key,
            IndicatorRelease.period_code == release.period_code,
            IndicatorRelease.period_end == release.period_end,
            IndicatorRelease.version == release.version - 1,
        )
    )
    return found


def get_visible_release(session: Session, user: Viewer | None, release_id: int) -> IndicatorRelease:
    from flask_babel import gettext as _

    release = session.scalars(
        visible_releases(user).where(IndicatorRelease.id == release_id)
    ).first()
    if release is None:
        raise NotFoundError(_("This release does not exist or is not yours to see."))
    return release

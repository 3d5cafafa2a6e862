"""Making a release: compute, protect, audit, freeze.

Every related release already out (any scope, any version, whose period overlaps this
one) takes part in disclosure control, oldest first: the previous version, the quarters
released before their year, the nation and the clinics that share its cells. So nothing
hidden there can be worked out by comparing it with this one.
"""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.service import Actor, record_event
from legalaid.clinics.models import Clinic
from legalaid.disclosure.audit import DisclosureRefusedError, Published
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import protect
from legalaid.errors import ConflictError, DomainError, NotFoundError
from legalaid.indicators.catalogue import COUNTED_MODELS, IndicatorCatalogue
from legalaid.indicators.measures import NATIONAL, Scope
from legalaid.indicators.periods import Period, parse_period
from legalaid.indicators.tables import CellId
from legalaid.releases.compute import compute_tables
from legalaid.releases.counting import ReleaseCounts
from legalaid.releases.frozen import FrozenRelease, freeze
from legalaid.releases.models import NATIONAL_SCOPE, IndicatorRelease
from legalaid.releases.scope import scope_key_of

REASON_MAX = 2000
#: PostgreSQL advisory lock taken while a release is made (any constant unique in the app).
_PG_RELEASE_LOCK = 0x4C41_5245

log = logging.getLogger(__name__)


class ReleaseRefusedError(DomainError):
    """Disclosure control could not make the release safe; nothing was released."""

    status_code = 409


def hold_counted_tables(session: Session) -> None:
    """PostgreSQL: lock every table the measures read against writes, to the commit."""
    quote = session.get_bind().dialect.identifier_preparer.quote
    names = ", ".join(quote(model.__tablename__) for model in COUNTED_MODELS)
    session.execute(text(f"LOCK TABLE {names} IN SHARE MODE"))


def next_version(session: Session, scope_key: str, period: Period) -> int:
    latest = session.scalar(
        select(func.max(IndicatorRelease.version)).where(
            IndicatorRelease.scope_key == scope_key,
            IndicatorRelease.period_code == period.code,
            IndicatorRelease.period_end == period.end,
        )
    )
    return (latest or 0) + 1


def overlapping_releases(session: Session, period: Period) -> list[IndicatorRelease]:
    """Every release whose period overlaps ``period``, oldest first."""
    return list(
        session.scalars(
            select(IndicatorRelease)
            .where(
                IndicatorRelease.period_start <= period.end,
                IndicatorRelease.period_end >= period.start,
            )
            .order_by(IndicatorRelease.id)
        )
    )


def earlier_releases(session: Session, period: Period) -> list[Published]:
    """The overlapping releases as disclosure control must know them, oldest first."""
    return as_published(overlapping_releases(session, period))


def as_published(rows: list[IndicatorRelease]) -> list[Published]:
    return [FrozenRelease(row.content, row.truth).as_published() for row in rows]


def recount(
    session: Session,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    rows: list[IndicatorRelease],
    counts: ReleaseCounts,
) -> dict[CellId, int]:
    """Today's counts of the statistics of earlier releases.

    Cases entered late change earlier periods; disclosure control must know which
    earlier counts still hold and which do not (see :class:`legalaid.disclosure.audit.Model`).
    A statistic the catalogue no longer computes keeps its released count.
    """
    found: dict[CellId, int] = {}
    seen: set[tuple[Period, int | None]] = set()
    for row in rows:
        key = (FrozenRelease(row.content).period, row.clinic_id)
        if key in seen:
            continue
        seen.add(key)
        scope = NATIONAL if row.clinic_id is None else Scope(row.clinic_id)
        for table in compute_tables(session, catalogue, policy, key[0], scope, counts=counts):
            for _key, cell, value in table.cells():
                found.setdefault(cell, value)
    return found


def create_release(
    session: Session,
    *,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    user: User,
    period_code: str,
    reason: str | None,
    today: date,
) -> IndicatorRelease:
    """Release every catalogued table of a completed period for the user's scope."""
    scope_key = scope_key_of(user)
    if scope_key is None:
        raise NotFoundError(_("This page does not exist."))
    period = parse_period(period_code, today, policy.data_entry_lag_days)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise DomainError(
            _("Keep the reason under %(limit)d characters.", limit=REASON_MAX), field="reason"
        )
    if session.get_bind().dialect.name == "postgresql":
        # Releases that overlap protect each other only if each sees the others: made at
        # the same moment, each would choose its hidden cells alone, and together they
        # could give a cell away. One release at a time (SQLite's BEGIN IMMEDIATE already
        # serialises every write transaction).
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_RELEASE_LOCK})
        # Each statement of a release sees the data committed when it starts (READ
        # COMMITTED): a case saved between two of them would make the tables disagree.
        # Nobody changes what the release counts until it is made (writers wait);
        # SQLite's BEGIN IMMEDIATE does the same.
        hold_counted_tables(session)
    version = next_version(session, scope_key, period)
    if version > 1 and reason is None:
        raise DomainError(
            _("This period has been released before: say why it is released again."),
            field="reason",
        )
    clinic_id: int | None = user.clinic_id if scope_key != NATIONAL_SCOPE else None
    clinic = session.get(Clinic, clinic_id) if clinic_id is not None else None
    scope = NATIONAL if clinic is None else Scope(clinic.id)

    counts = ReleaseCounts(session, catalogue, period)
    tables = compute_tables(session, catalogue, policy, period, scope, counts=counts)
    overlapping = overlapping_releases(session, period)
    earlier = as_published(overlapping)
    current = recount(session, catalogue, policy, overlapping, counts)
    try:
        protection = protect(tables, policy, earlier=earlier, current=current)
    except DisclosureRefusedError as exc:
        record_event(
            session,
            "release.refused",
            object_type="release",
            object_id=period.code,
            outcome="failure",
            actor=Actor.of(user),
        )
        # The detail names statistics only (codes and periods), never a person; but it
        # may name another clinic's hidden cell, so it goes to the operator's log only.
        log.warning("release of %s refused: %s", period.code, exc)
        raise ReleaseRefusedError(
            _(
                "These numbers cannot be released safely: with the earlier releases, a "
                "suppressed number could be worked out. Nothing was released. Ask the "
                "system administrator, who finds the details in the server log."
            )
        ) from exc

    content, truth = freeze(
        protection,
        catalogue,
        policy,
        period=period,
        clinic_code=None if clinic is None else clinic.code,
    )
    statuses = [cell.status for table in protection.tables for cell in table.cells.values()]
    release = IndicatorRelease(
        scope_key=scope_key,
        clinic_id=clinic_id,
        period_code=period.code,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        version=version,
        reason=reason,
        created_by_id=user.id,
        content=content,
        truth=truth,
        cells_total=len(statuses),
        cells_suppressed=sum(status != "published" for status in statuses),
    )
    try:
        with session.begin_nested():
            session.add(release)
            session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            _("Someone else released this period a moment ago. Open the releases list to see it.")
        ) from exc
    record_event(
        session,
        "release.created",
        object_type="release",
        object_id=release.id,
        actor=Actor.of(user),
    )
    return release

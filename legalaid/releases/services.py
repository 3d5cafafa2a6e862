"""Making a release: compute, protect, audit, freeze.

Every related release already out (any scope, any version, whose period overlaps this
one) takes part in disclosure control, oldest first: the previous version, the quarters
released before their year, the nation and the clinics that share its cells. So nothing
hidden there can be worked out by comparing it with this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.service import Actor, record_event
from legalaid.clinics.models import Clinic
from legalaid.database import Database
from legalaid.disclosure.audit import DisclosureRefusedError, Published, Superseded
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import protect
from legalaid.errors import ConflictError, DomainError, NotFoundError
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.indicators.measures import NATIONAL, Scope
from legalaid.indicators.periods import Period, parse_period
from legalaid.indicators.tables import CellId
from legalaid.releases.compute import compute_tables, plan_release
from legalaid.releases.counting import ReleaseCounts
from legalaid.releases.frozen import FrozenRelease, freeze
from legalaid.releases.models import NATIONAL_SCOPE, IndicatorRelease
from legalaid.releases.progress import Progress, Writer
from legalaid.releases.scope import scope_key_of

REASON_MAX = 2000
#: PostgreSQL advisory lock taken while a release is made (any constant unique in the app).
_PG_RELEASE_LOCK = 0x4C41_5245

log = logging.getLogger(__name__)


class ReleaseRefusedError(DomainError):
    """Disclosure control could not make the release safe; nothing was released."""

    status_code = 409


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


def earlier_releases(session: Session, period: Period) -> list[Published | Superseded]:
    """The overlapping releases as disclosure control must know them, oldest first."""
    return as_published(overlapping_releases(session, period))


def as_published(rows: list[IndicatorRelease]) -> list[Published | Superseded]:
    """``rows`` (oldest first) as disclosure control must know them: the latest version
    of each release in full, every earlier version by its differences from the next
    (:class:`Superseded`), so a release's work grows with what changed between
    versions, not with their number."""
    frozen = [FrozenRelease(row.content, row.truth) for row in rows]
    found: list[Published | Superseded | None] = [None] * len(rows)
    following: dict[tuple[str, str, date], int] = {}
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        series = (row.scope_key, row.period_code, row.period_end)
        after = following.get(series)
        following[series] = index
        if after is not None and rows[after].version > row.version:
            superseded = frozen[index].superseded_by(frozen[after], after)
            if superseded is not None:
                found[index] = superseded
                continue
        found[index] = frozen[index].as_published()
    return [release for release in found if release is not None]


def recount(
    session: Session,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    rows: list[IndicatorRelease],
    counts: ReleaseCounts,
    on_table: Callable[[], None] | None = None,
) -> dict[CellId, int]:
    """Today's counts of the statistics of earlier releases.

    Cases entered late change earlier periods; disclosure control must know which
    earlier counts still hold and which do not (see :class:`legalaid.disclosure.audit.Model`).
    A statistic the catalogue no longer computes keeps its released count.
    """
    found: dict[CellId, int] = {}
    for period, clinic_id in recounted_scopes(rows):
        scope = NATIONAL if clinic_id is None else Scope(clinic_id)
        for table in compute_tables(
            session, catalogue, policy, period, scope, counts=counts, on_table=on_table
        ):
            for _key, cell, value in table.cells():
                found.setdefault(cell, value)
    return found


def recounted_scopes(rows: list[IndicatorRelease]) -> list[tuple[Period, int | None]]:
    """The periods and clinics of ``rows``, each once, in order."""
    seen: dict[tuple[Period, int | None], None] = {}
    for row in rows:
        period = Period(row.period_start, row.period_end, row.period_kind, row.period_code)
        seen.setdefault((period, row.clinic_id), None)
    return list(seen)


@dataclass(frozen=True)
class ReleaseRequest:
    """What a user asked for, checked: a completed period of her own scope."""

    scope_key: str
    clinic_id: int | None
    period: Period
    reason: str | None
    user_id: int
    #: She has seen which cells the previous version published and this one would hide,
    #: and made it anyway (:class:`MoreHiddenError`).
    more_hidden_confirmed: bool = False


@dataclass(frozen=True)
class CountedRelease:
    """A release counted and protected on one snapshot, not yet stored."""

    request: ReleaseRequest
    content: str
    truth: str
    cells_total: int
    cells_suppressed: int
    #: The newest overlapping release the snapshot saw (disclosure control protected
    #: against each one up to it; a newer one means counting again).
    newest_overlapping: int
    #: Cells the previous version of this release published and this one hides.
    newly_hidden: tuple[CellId, ...] = ()
    #: How many cells the previous version hid (None: this is the first version).
    previous_suppressed: int | None = None


@dataclass(frozen=True)
class MoreHidden:
    """What a new version would hide that its previous version showed: codes only."""

    newly_hidden: tuple[CellId, ...]
    hidden: int
    previous_hidden: int
    cells: int

    def as_json(self) -> dict[str, object]:
        return {
            "hidden": self.hidden,
            "previous_hidden": self.previous_hidden,
            "cells": self.cells,
            "newly_hidden": [
                {"measure": cell.measure, "period": cell.period.code, "coords": cell.coords}
                for cell in self.newly_hidden
            ],
        }


class MoreHiddenError(DomainError):
    """The new version would hide many cells the previous one published: it waits for
    someone to see which, and to confirm it with a reason. Nothing was released."""

    status_code = 409

    def __init__(self, more: MoreHidden) -> None:
        super().__init__(
            _(
                "This version would hide %(count)d numbers that the previous version "
                "published. Check them, then confirm with a reason.",
                count=len(more.newly_hidden),
            )
        )
        self.more = more


class StaleSnapshotError(ConflictError):
    """An overlapping release was stored after the snapshot was taken: count again."""


def check_request(
    session: Session,
    *,
    policy: DisclosurePolicy,
    user: User,
    period_code: str,
    reason: str | None,
    today: date,
) -> ReleaseRequest:
    """Refuse at once what the form can say is wrong (the period, a missing reason)."""
    scope_key = scope_key_of(user)
    if scope_key is None:
        raise NotFoundError(_("This page does not exist."))
    period = parse_period(period_code, today, policy.data_entry_lag_days)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise DomainError(
            _("Keep the reason under %(limit)d characters.", limit=REASON_MAX), field="reason"
        )
    request = ReleaseRequest(
        scope_key=scope_key,
        clinic_id=user.clinic_id if scope_key != NATIONAL_SCOPE else None,
        period=period,
        reason=reason,
        user_id=user.id,
    )
    _require_reason_for_a_new_version(session, request)
    return request


def _require_reason_for_a_new_version(session: Session, request: ReleaseRequest) -> int:
    version = next_version(session, request.scope_key, request.period)
    if version > 1 and request.reason is None:
        raise DomainError(
            _("This period has been released before: say why it is released again."),
            field="reason",
        )
    return version


def count_release(
    snapshot: Session,
    request: ReleaseRequest,
    *,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    progress: Progress | None = None,
) -> CountedRelease:
    """Count and protect the release, reading only (the snapshot may be read-only).

    Raises :class:`DisclosureRefusedError` when disclosure control cannot make it safe.
    ``progress`` counts the steps taken (a release job's progress page).
    """
    progress = progress or Progress()
    period = request.period
    clinic = snapshot.get(Clinic, request.clinic_id) if request.clinic_id is not None else None
    scope = NATIONAL if clinic is None else Scope(clinic.id)
    overlapping = overlapping_releases(snapshot, period)
    progress.plan(
        tables=len(plan_release(catalogue, period, clinic=clinic is not None).tables),
        recounted=sum(
            len(plan_release(catalogue, part, clinic=clinic_id is not None).tables)
            for part, clinic_id in recounted_scopes(overlapping)
        ),
    )
    counts = ReleaseCounts(snapshot, catalogue, period)
    tables = compute_tables(
        snapshot, catalogue, policy, period, scope, counts=counts, on_table=progress.step
    )
    earlier = as_published(overlapping)
    current = recount(snapshot, catalogue, policy, overlapping, counts, on_table=progress.step)
    protection = protect(
        tables, policy, earlier=earlier, current=current, on_audit=progress.audited
    )
    progress.flush()  # counted and protected: storing is the step left
    content, truth = freeze(
        protection,
        catalogue,
        policy,
        period=period,
        clinic_code=None if clinic is None else clinic.code,
    )
    statuses = [cell.status for table in protection.tables for cell in table.cells.values()]
    hidden_now = [cell for cell, value in protection.released().items() if value is None]
    previous = _previous_version(overlapping, request)
    newly_hidden: tuple[CellId, ...] = ()
    if previous is not None:
        shown_before = earlier[overlapping.index(previous)].values
        newly_hidden = tuple(cell for cell in hidden_now if shown_before.get(cell) is not None)
    return CountedRelease(
        request=request,
        content=content,
        truth=truth,
        cells_total=len(statuses),
        cells_suppressed=sum(status != "published" for status in statuses),
        newest_overlapping=max((row.id for row in overlapping), default=0),
        newly_hidden=newly_hidden,
        previous_suppressed=None if previous is None else previous.cells_suppressed,
    )


def _previous_version(
    overlapping: list[IndicatorRelease], request: ReleaseRequest
) -> IndicatorRelease | None:
    same = [
        row
        for row in overlapping
        if row.scope_key == request.scope_key
        and row.period_code == request.period.code
        and row.period_end == request.period.end
    ]
    return max(same, key=lambda row: row.version, default=None)


def check_hidden_growth(counted: CountedRelease, policy: DisclosurePolicy) -> None:
    """Stop a version that would hide many cells readers have already seen, unless she
    confirmed it (raises :class:`MoreHiddenError` with what it would hide)."""
    if counted.request.more_hidden_confirmed or counted.previous_suppressed is None:
        return
    if len(counted.newly_hidden) < policy.confirm_when_newly_hidden:
        return
    raise MoreHiddenError(
        MoreHidden(
            newly_hidden=counted.newly_hidden,
            hidden=counted.cells_suppressed,
            previous_hidden=counted.previous_suppressed,
            cells=counted.cells_total,
        )
    )


def record_refusal(session: Session, request: ReleaseRequest, user: User) -> None:
    record_event(
        session,
        "release.refused",
        object_type="release",
        object_id=request.period.code,
        outcome="failure",
        actor=Actor.of(user),
    )


def refused(request: ReleaseRequest, exc: DisclosureRefusedError) -> ReleaseRefusedError:
    # The detail names statistics only (codes and periods), never a person; but it may
    # name another clinic's hidden cell, so it goes to the operator's log only.
    log.warning("release of %s refused: %s", request.period.code, exc)
    return ReleaseRefusedError(refusal_message())


def refusal_message() -> str:
    return str(
        _(
            "These numbers cannot be released safely: with the earlier releases, a "
            "suppressed number could be worked out. Nothing was released. Ask the "
            "system administrator, who finds the details in the server log."
        )
    )


def store_release(session: Session, counted: CountedRelease, user: User) -> IndicatorRelease:
    """The short write transaction: the release lock, the version, the row, the audit last.

    Lock order everywhere (docs/architecture.md): the release lock before the audit lock;
    nothing here locks a row or a table a lawyer writes.
    """
    request = counted.request
    if session.get_bind().dialect.name == "postgresql":
        # Releases that overlap protect each other only if each sees the others; one
        # stores at a time, and checks no overlapping release came after its snapshot.
        # (SQLite's BEGIN IMMEDIATE already serialises every write transaction.)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_RELEASE_LOCK})
    newest = max((row.id for row in overlapping_releases(session, request.period)), default=0)
    if newest != counted.newest_overlapping:
        raise StaleSnapshotError(
            _("Someone else released this period a moment ago. Open the releases list to see it.")
        )
    version = _require_reason_for_a_new_version(session, request)
    release = IndicatorRelease(
        scope_key=request.scope_key,
        clinic_id=request.clinic_id,
        period_code=request.period.code,
        period_kind=request.period.kind,
        period_start=request.period.start,
        period_end=request.period.end,
        version=version,
        reason=request.reason,
        created_by_id=request.user_id,
        content=counted.content,
        truth=counted.truth,
        cells_total=counted.cells_total,
        cells_suppressed=counted.cells_suppressed,
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
    """Release every catalogued table of a completed period, in the caller's transaction.

    Counting reads in ``session``: that is one snapshot only where the caller made it one
    or nobody writes meanwhile (tests, demo data, benchmarks). The app itself releases
    with :func:`make_release`, which counts on a snapshot of its own.
    """
    request = check_request(
        session, policy=policy, user=user, period_code=period_code, reason=reason, today=today
    )
    try:
        counted = count_release(session, request, catalogue=catalogue, policy=policy)
    except DisclosureRefusedError as exc:
        record_refusal(session, request, user)
        raise refused(request, exc) from exc
    return store_release(session, counted, user)


#: How often a release counts again when another overlapping one was stored meanwhile.
SNAPSHOT_ATTEMPTS = 3


def make_release(
    database: Database,
    request: ReleaseRequest,
    *,
    catalogue: IndicatorCatalogue,
    policy: DisclosurePolicy,
    progress: Writer | None = None,
) -> int:
    """Count on a snapshot (writers go on), then store in a short transaction; the id.

    Raises :class:`ReleaseRefusedError` (the refusal audited), :class:`MoreHiddenError`
    (nothing stored: it waits for a confirmation) or :class:`ConflictError`.
    ``progress`` is given (steps done, steps total) now and then.
    """
    for attempt in range(SNAPSHOT_ATTEMPTS):
        steps = Progress(progress)
        try:
            with database.snapshot() as snapshot:
                counted = count_release(
                    snapshot, request, catalogue=catalogue, policy=policy, progress=steps
                )
        except DisclosureRefusedError as exc:
            with database.transaction() as session:
                record_refusal(session, request, _user(session, request))
            raise refused(request, exc) from exc
        check_hidden_growth(counted, policy)
        try:
            with database.transaction() as session:
                return store_release(session, counted, _user(session, request)).id
        except StaleSnapshotError:
            if attempt == SNAPSHOT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _user(session: Session, request: ReleaseRequest) -> User:
    user = session.get(User, request.user_id)
    if user is None:
        raise NotFoundError(_("This page does not exist."))
    return user

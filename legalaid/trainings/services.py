"""Training sessions: record, edit, import the test sheet, clear its rows.

Plain functions: they validate, change state, flush and write the audit entry (never the
content); the request's single commit happens at the edge. Only the arguments named here
can change a session: a posted clinic, creator or version has no way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.database import utcnow
from legalaid.errors import ConflictError, DomainError, Problems
from legalaid.trainings.importing import ParticipantInput
from legalaid.trainings.models import (
    TrainingParticipant,
    TrainingSession,
    TrainingSessionModule,
    TrainingTrainer,
)
from legalaid.viewer import Viewer
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.vocabulary.trainings import (
    DELIVERY_KINDS,
    LAW_ENFORCEMENT_AGENCIES,
    OFFICER_SEXES,
    PARTICIPATION_MODES,
    RANK_GROUPS,
    SERVICE_YEARS,
    TRAINING_MODULES,
)

TEXT_LIMIT = 200
NOTES_LIMIT = 5000
MAX_EXTERNAL_TRAINERS = 10
MAX_HOURS = Decimal(200)
MAX_OFFICERS = 1000
#: The action plan runs from 2025; an earlier date is a typo.
PLAN_START = date(2025, 1, 1)
#: The longest session (a residential course); a longer span is a typo of a date.
MAX_SPAN = timedelta(days=60)


@dataclass
class SessionDetails:
    title: str
    starts_on: date | None
    ends_on: date | None
    economic_region: str
    venue: str
    delivered_by: str
    partner_name: str
    agency: str
    unit: str
    hours: Decimal | None
    modules: list[str] = field(default_factory=list)
    trainer_ids: list[int] = field(default_factory=list)
    external_trainers: list[str] = field(default_factory=list)
    participation_mode: str = "rows"
    officers_female: int | None = None
    officers_male: int | None = None
    officers_total: int | None = None
    officers_full_attendance: int | None = None
    notes: str = ""


def _text(value: str, field_name: str, *, required: bool = True) -> str:
    value = " ".join(value.split())
    if required and not value:
        raise DomainError(_("This field is required."), field=field_name)
    if len(value) > TEXT_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=TEXT_LIMIT), field=field_name
        )
    return value


def _dates(details: SessionDetails, today: date) -> None:
    if details.starts_on is None:
        raise DomainError(_("This field is required."), field="starts_on")
    if details.ends_on is None:
        details.ends_on = details.starts_on
    if details.starts_on < PLAN_START:
        raise DomainError(
            _("The plan's training sessions start in 2025; check the year."), field="starts_on"
        )
    if details.starts_on > today:
        raise DomainError(
            _("Record a session once it has started: the start date cannot be in the future."),
            field="starts_on",
        )
    if details.ends_on < details.starts_on:
        raise DomainError(_("The end date cannot be before the start date."), field="ends_on")
    if details.ends_on - details.starts_on > MAX_SPAN:
        raise DomainError(
            _("A session lasts at most %(days)d days; check the dates.", days=MAX_SPAN.days),
            field="ends_on",
        )


def _hours(value: Decimal | None) -> int:
    """Minutes of training, from hours typed with at most one decimal."""
    if value is None:
        raise DomainError(_("This field is required."), field="hours")
    try:
        whole = value.is_finite() and (value * 10) == (value * 10).to_integral_value()
    except InvalidOperation:
        whole = False
    if not whole or value <= 0 or value > MAX_HOURS:
        raise DomainError(
            _(
                "Hours: a number above 0 and at most %(limit)d, with at most one decimal.",
                limit=int(MAX_HOURS),
            ),
            field="hours",
        )
    return int(value * 60)


def _trainers(session: Session, clinic_id: int, details: SessionDetails) -> None:
    ids = sorted(set(details.trainer_ids))
    if ids:
        staff = set(
            session.scalars(
                select(User.id).where(
                    User.id.in_(ids),
                    User.clinic_id == clinic_id,
                    User.role.in_(("lawyer", "manager")),
                )
            )
        )
        if staff != set(ids):
            raise DomainError(_("Choose trainers from the clinic's staff."), field="trainer_ids")
    names: list[str] = []
    for name in details.external_trainers:
        cleaned = _text(name, "external_trainers", required=False)
        if cleaned and cleaned not in names:
            names.append(cleaned)
    if len(names) > MAX_EXTERNAL_TRAINERS:
        raise DomainError(
            _("At most %(limit)d external trainers, please.", limit=MAX_EXTERNAL_TRAINERS),
            field="external_trainers",
        )
    if not ids and not names:
        raise DomainError(
            _("Name at least one trainer: a staff account or an external trainer."),
            field="trainer_ids",
        )
    details.trainer_ids, details.external_trainers = ids, names


def _count(value: int | None, field_name: str) -> int:
    if value is None:
        raise DomainError(_("This field is required."), field=field_name)
    if not 0 <= value <= MAX_OFFICERS:
        raise DomainError(
            _("A whole number from 0 to %(limit)d.", limit=MAX_OFFICERS), field=field_name
        )
    return value


def _counts(details: SessionDetails) -> None:
    if details.participation_mode != "counts":
        details.officers_female = details.officers_male = details.officers_total = None
        details.officers_full_attendance = None
        return
    problems = Problems()
    female = male = total = 0
    with problems.check():
        female = _count(details.officers_female, "officers_female")
    with problems.check():
        male = _count(details.officers_male, "officers_male")
    with problems.check():
        total = _count(details.officers_total, "officers_total")
    problems.done()
    if total == 0:
        raise DomainError(_("A session trains at least one officer."), field="officers_total")
    if female + male != total:
        raise DomainError(
            _(
                "The counts do not add up: %(female)d women and %(male)d men make "
                "%(sum)d, not %(total)d.",
                female=female,
                male=male,
                sum=female + male,
                total=total,
            ),
            field="officers_total",
        )
    full = details.officers_full_attendance
    if full is not None and not 0 <= full <= total:
        raise DomainError(
            _("At most the number of officers trained (%(total)d).", total=total),
            field="officers_full_attendance",
        )


def validate_session(
    session: Session, clinic_id: int, details: SessionDetails, today: date
) -> SessionDetails:
    """Check and normalise; every refusal at once (ManyProblemsError), each about its field."""
    problems = Problems()
    with problems.check():
        details.title = _text(details.title, "title")
    with problems.check():
        _dates(details, today)
    with problems.check():
        details.economic_region = ECONOMIC_REGIONS.require(
            details.economic_region, "economic_region"
        )
    with problems.check():
        details.venue = _text(details.venue, "venue")
    with problems.check():
        DELIVERY_KINDS.require(details.delivered_by, "delivered_by")
    with problems.check():
        if details.delivered_by == "partner":
            details.partner_name = _text(details.partner_name, "partner_name")
        else:
            details.partner_name = ""
    with problems.check():
        LAW_ENFORCEMENT_AGENCIES.require(details.agency, "agency")
    with problems.check():
        details.unit = _text(details.unit, "unit")
    with problems.check():
        details.modules = TRAINING_MODULES.require_all(details.modules, "modules")
        if not details.modules:
            raise DomainError(_("Choose at least one module."), field="modules")
    with problems.check():
        _hours(details.hours)
    with problems.check():
        _trainers(session, clinic_id, details)
    with problems.check():
        PARTICIPATION_MODES.require(details.participation_mode, "participation_mode")
    with problems.check():
        _counts(details)
    details.notes = details.notes.strip()
    if len(details.notes) > NOTES_LIMIT:
        problems.add(_("At most %(limit)d characters, please.", limit=NOTES_LIMIT), "notes")
    problems.done()
    return details


def _row_count(session: Session, training: TrainingSession) -> int:
    if training.id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(TrainingParticipant)
            .where(TrainingParticipant.session_id == training.id)
        )
        or 0
    )


def _apply(session: Session, training: TrainingSession, details: SessionDetails) -> None:
    assert details.starts_on is not None and details.ends_on is not None  # noqa: S101
    training.title = details.title
    training.starts_on = details.starts_on
    training.ends_on = details.ends_on
    training.economic_region = details.economic_region
    training.venue = details.venue
    training.delivered_by = details.delivered_by
    training.partner_name = details.partner_name or None
    training.agency = details.agency
    training.unit = details.unit
    training.duration_minutes = _hours(details.hours)
    training.notes = details.notes or None
    if details.participation_mode == "counts":
        rows = _row_count(session, training)
        if rows:
            raise DomainError(
                _(
                    "This session has %(count)d officers' rows from the test sheet. Keep "
                    "“one row per officer”, or clear the rows first.",
                    count=rows,
                ),
                field="participation_mode",
            )
        training.officers_female = details.officers_female or 0
        training.officers_male = details.officers_male or 0
        training.officers_total = details.officers_total or 0
        training.officers_full_attendance = details.officers_full_attendance
    elif training.participation_mode != "rows" or training.id is None:
        # Totals typed before are not officers' rows: start from the rows (none yet).
        _recount(training, [])
    training.participation_mode = details.participation_mode

    wanted = set(details.modules)
    training.modules = [row for row in training.modules if row.module in wanted]
    have = {row.module for row in training.modules}
    training.modules.extend(TrainingSessionModule(module=code) for code in sorted(wanted - have))

    kept = [
        trainer
        for trainer in training.trainers
        if (trainer.user_id is not None and trainer.user_id in details.trainer_ids)
        or (trainer.name is not None and trainer.name in details.external_trainers)
    ]
    known_ids = {t.user_id for t in kept}
    known_names = {t.name for t in kept}
    kept += [TrainingTrainer(user_id=i) for i in details.trainer_ids if i not in known_ids]
    kept += [TrainingTrainer(name=n) for n in details.external_trainers if n not in known_names]
    training.trainers = kept


def _recount(training: TrainingSession, rows: list[ParticipantInput]) -> None:
    """The session's counts from its officers' rows (see the model's docstring)."""
    female = sum(1 for row in rows if row.sex == "female")
    training.officers_female = female
    training.officers_male = len(rows) - female
    training.officers_total = len(rows)
    training.officers_full_attendance = sum(1 for row in rows if row.attended_full)


def create_session(
    session: Session, user: Viewer | None, clinic_id: int, details: SessionDetails, *, today: date
) -> TrainingSession:
    """A session recorded by ``clinic_id`` (the user's clinic, whoever delivered it)."""
    validate_session(session, clinic_id, details, today)
    training = TrainingSession(
        clinic_id=clinic_id,
        created_by_id=user.id if user is not None else None,
        participation_mode="rows",
    )
    _apply(session, training, details)
    session.add(training)
    session.flush()
    record_event(session, "training.created", object_type="training_session", object_id=training.id)
    return training


def _expect(training: TrainingSession, expected_version: int | None) -> None:
    if training.version != expected_version:
        raise ConflictError(_("Someone else changed this session after you opened it."))


def update_session(
    session: Session,
    training: TrainingSession,
    details: SessionDetails,
    *,
    expected_version: int | None,
    today: date,
) -> TrainingSession:
    _expect(training, expected_version)
    validate_session(session, training.clinic_id, details, today)
    _apply(session, training, details)
    # Touch the row even when only modules or trainers changed: the version must move.
    training.updated_at = utcnow()
    session.flush()
    record_event(session, "training.updated", object_type="training_session", object_id=training.id)
    return training


def _check_participant(row: ParticipantInput) -> None:
    field_name = "sheet"
    OFFICER_SEXES.require(row.sex, field_name)
    RANK_GROUPS.optional(row.rank_group, field_name)
    SERVICE_YEARS.optional(row.service_years, field_name)
    for score in (row.pre_score, row.post_score):
        if score is not None and not 0 <= score <= 100:
            raise DomainError(_("A score is a whole number from 0 to 100."), field=field_name)


def replace_participants(
    session: Session,
    training: TrainingSession,
    rows: list[ParticipantInput],
    *,
    expected_version: int | None,
) -> TrainingSession:
    """The officers of the imported sheet replace the session's rows, all or nothing."""
    _expect(training, expected_version)
    if not rows:
        raise DomainError(_("The sheet has no officers' rows under its header."), field="sheet")
    if len(rows) > MAX_OFFICERS:
        raise DomainError(
            _("A sheet can hold at most %(limit)d officers' rows.", limit=MAX_OFFICERS),
            field="sheet",
        )
    for row in rows:
        _check_participant(row)
    session.execute(
        delete(TrainingParticipant).where(TrainingParticipant.session_id == training.id)
    )
    session.add_all(
        TrainingParticipant(
            session_id=training.id,
            line=row.line,
            sex=row.sex,
            rank_group=row.rank_group,
            service_years=row.service_years,
            pre_score=row.pre_score,
            post_score=row.post_score,
            attended_full=row.attended_full,
        )
        for row in rows
    )
    training.participation_mode = "rows"
    _recount(training, rows)
    training.updated_at = utcnow()
    session.flush()
    record_event(
        session, "training.imported", object_type="training_session", object_id=training.id
    )
    return training


def clear_participants(
    session: Session, training: TrainingSession, *, expected_version: int | None
) -> TrainingSession:
    """Remove the officers' rows (a wrong sheet, or before switching to totals)."""
    _expect(training, expected_version)
    session.execute(
        delete(TrainingParticipant).where(TrainingParticipant.session_id == training.id)
    )
    _recount(training, [])
    training.participation_mode = "rows"
    training.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        "training.participants_cleared",
        object_type="training_session",
        object_id=training.id,
    )
    return training

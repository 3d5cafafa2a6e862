"""Casework on a case the caller may already see: services, notes, hearings."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.cases import hooks as case_hooks
from legalaid.cases.models import Case
from legalaid.casework.models import CaseTask, Hearing, Note, NoteRevision, ServiceDelivery
from legalaid.database import utcnow
from legalaid.errors import ConflictError, DomainError, NotFoundError, Problems, given
from legalaid.vocabulary import Vocabulary
from legalaid.vocabulary.casework import (
    HEARING_KINDS,
    LEGAL_SERVICES,
    PROTECTION_ORDER_KINDS,
    PROTECTION_ORDER_RESULTS,
)

NOTE_LIMIT = 10_000
PLACE_LIMIT = 200
#: How far ahead a hearing may be planned; a typo of the year is caught.
HEARING_HORIZON = timedelta(days=3 * 366)
#: A hearing lasts at most a working day; longer is a typo of the unit.
MAX_DURATION_MINUTES = 24 * 60
TASK_LIMIT = 200
#: No venue list given: any venue code is refused (callers pass policies.venues.vocabulary).
NO_VENUES = Vocabulary("venue", ())


def _not_closed(case_: Case) -> None:
    if case_.status == "closed":
        raise DomainError(_("The case is closed; reopen it first."))


def check_service(
    case_: Case,
    *,
    service_type: str,
    delivered_on: date | None,
    order_kind: str | None,
    today: date,
) -> str | None:
    """Every refusal of a service at once (ManyProblemsError); the order kind it keeps."""
    problems = Problems()
    with problems.check():
        LEGAL_SERVICES.require(service_type, "service_type")
    problems.date_within(
        delivered_on,
        "delivered_on",
        required=_("This field is required."),
        latest=(today, _("A service cannot be delivered in the future.")),
        earliest=(case_.intake_on, _("The date cannot be before the intake.")),
    )
    if service_type == "protection_order":
        with problems.check():
            PROTECTION_ORDER_KINDS.require(order_kind, "order_kind")
    else:
        order_kind = None
    problems.done()
    return order_kind


def add_service(
    session: Session,
    case_: Case,
    *,
    service_type: str,
    delivered_on: date | None,
    order_kind: str | None,
    by: int | None,
    today: date,
) -> ServiceDelivery:
    _not_closed(case_)
    order_kind = check_service(
        case_,
        service_type=service_type,
        delivered_on=delivered_on,
        order_kind=order_kind,
        today=today,
    )
    service = ServiceDelivery(
        case_id=case_.id,
        service_type=service_type,
        delivered_on=given(delivered_on, "delivered_on"),
        provided_by_id=by,
        order_kind=order_kind,
        order_result="pending" if order_kind else None,
    )
    session.add(service)
    session.flush()
    record_event(session, "case.service_added", object_type="case", object_id=case_.id)
    return service


def check_order_result(
    service: ServiceDelivery, *, result: str, result_on: date | None, today: date
) -> date:
    """Every refusal of an order's result at once (ManyProblemsError); the decision's date
    it keeps (today when none was typed)."""
    if service.order_kind is None:
        raise NotFoundError()
    problems = Problems()
    with problems.check():
        PROTECTION_ORDER_RESULTS.require(result, "result")
    result_on = result_on or today
    problems.date_within(
        result_on,
        "result_on",
        latest=(today, _("The date cannot be in the future.")),
        earliest=(service.delivered_on, _("The result cannot come before the application.")),
    )
    problems.done()
    return result_on


def record_order_result(
    session: Session,
    case_: Case,
    service: ServiceDelivery,
    *,
    result: str,
    result_on: date | None,
    expected_version: int,
    today: date,
) -> ServiceDelivery:
    if service.case_id != case_.id or service.order_kind is None:
        raise NotFoundError()
    if service.version != expected_version:
        raise ConflictError(_("Someone else changed this service after you opened it."))
    result_on = check_order_result(service, result=result, result_on=result_on, today=today)
    service.order_result = result
    service.order_result_on = None if result == "pending" else result_on
    session.flush()
    record_event(session, "case.order_result", object_type="case", object_id=case_.id)
    return service


def _note_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise DomainError(_("The note is empty."), field="body")
    if len(body) > NOTE_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=NOTE_LIMIT), field="body"
        )
    return body


def add_note(session: Session, case_: Case, *, body: str, by: int | None) -> Note:
    note = Note(
        case_id=case_.id,
        author_id=by,
        revisions=[NoteRevision(revision=1, body=_note_body(body), edited_by_id=by)],
    )
    session.add(note)
    session.flush()
    record_event(session, "case.note_added", object_type="case", object_id=case_.id)
    return note


def correct_note(
    session: Session, case_: Case, note: Note, *, body: str, expected_version: int, by: int | None
) -> Note:
    """A correction is a new revision; what was written before stays readable."""
    if note.case_id != case_.id:
        raise NotFoundError()
    if note.version != expected_version:
        raise ConflictError(_("Someone else corrected this note after you opened it."))
    body = _note_body(body)
    if body == note.current.body:
        raise DomainError(_("The text is unchanged."), field="body")
    note.revisions.append(
        NoteRevision(revision=note.current.revision + 1, body=body, edited_by_id=by)
    )
    # Touching the note row bumps its version: a second correction from an old page is caught.
    note.revised_at = utcnow()
    session.flush()
    record_event(session, "case.note_corrected", object_type="case", object_id=case_.id)
    return note


def check_hearing(
    case_: Case,
    *,
    kind: str,
    due_on: date | None,
    place: str,
    today: date,
    starts_at: time | None = None,
    duration_minutes: int | None = None,
    venue: str | None = None,
    venues: Vocabulary = NO_VENUES,
) -> str:
    """Every refusal of a hearing at once (ManyProblemsError); the place it keeps.

    ``venue`` is optional; given, it must be a code of ``venues`` (policies/venues.toml).
    """
    problems = Problems()
    with problems.check():
        HEARING_KINDS.require(kind, "kind")
    with problems.check():
        venues.optional(venue, "venue")
    problems.date_within(
        due_on,
        "due_on",
        required=_("This field is required."),
        latest=(today + HEARING_HORIZON, _("Please check the date: it is years ahead.")),
        earliest=(
            case_.intake_on - HEARING_HORIZON,
            _("Please check the date: it is years in the past."),
        ),
    )
    if duration_minutes is not None:
        if starts_at is None:
            problems.add(_("Give the start time for a duration."), "starts_at")
        if duration_minutes <= 0:
            problems.add(
                _("The duration must be more than zero minutes: it cannot end before it starts."),
                "duration_minutes",
            )
        elif duration_minutes > MAX_DURATION_MINUTES:
            problems.add(
                _("At most %(limit)d minutes, please.", limit=MAX_DURATION_MINUTES),
                "duration_minutes",
            )
    place = place.strip()
    if len(place) > PLACE_LIMIT:
        problems.add(_("At most %(limit)d characters, please.", limit=PLACE_LIMIT), "place")
    problems.done()
    return place


def add_hearing(
    session: Session,
    case_: Case,
    *,
    kind: str,
    due_on: date | None,
    place: str,
    by: int | None,
    today: date,
    starts_at: time | None = None,
    duration_minutes: int | None = None,
    rule_code: str | None = None,
    rule_source: str | None = None,
    venue: str | None = None,
    venues: Vocabulary = NO_VENUES,
) -> Hearing:
    _not_closed(case_)
    place = check_hearing(
        case_,
        kind=kind,
        due_on=due_on,
        place=place,
        today=today,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        venue=venue,
        venues=venues,
    )
    hearing = Hearing(
        case_id=case_.id,
        kind=kind,
        due_on=due_on,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place or None,
        venue=venue or None,
        created_by_id=by,
        rule_code=rule_code,
        rule_source=rule_source,
    )
    session.add(hearing)
    session.flush()
    record_event(session, "case.hearing_added", object_type="case", object_id=case_.id)
    return hearing


def set_hearing_done(
    session: Session, case_: Case, hearing: Hearing, *, done: bool, today: date
) -> Hearing:
    if hearing.case_id != case_.id:
        raise NotFoundError()
    hearing.done = done
    hearing.done_on = today if done else None
    session.flush()
    record_event(session, "case.hearing_updated", object_type="case", object_id=case_.id)
    return hearing


def _task_description(description: str) -> str:
    description = description.strip()
    if not description:
        raise DomainError(_("This field is required."), field="description")
    if len(description) > TASK_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=TASK_LIMIT), field="description"
        )
    return description


def task_assignees(session: Session, case_: Case) -> list[User]:
    """Who a task of the case may be for: whoever sees the case (BRIEF section 3)."""
    return list(
        session.scalars(select(User).where(task_assignee_condition(case_)).order_by(User.full_name))
    )


def task_assignee_condition(case_: Case) -> ColumnElement[bool]:
    """The accounts a task of the case may be for (active; its lawyer or its managers)."""
    condition: ColumnElement[bool] = User.active.is_(True) & (
        (User.id == case_.assigned_lawyer_id)
        | ((User.role == "manager") & (User.clinic_id == case_.clinic_id))
    )
    return condition


def check_task(
    *,
    description: str,
    due_on: date | None,
    assignee_id: int | None,
    allowed_assignees: set[int],
    today: date,
) -> str:
    """Every refusal of a task at once (ManyProblemsError); its description, trimmed."""
    problems = Problems()
    text = ""
    with problems.check():
        text = _task_description(description)
    problems.date_within(
        due_on,
        "due_on",
        required=_("This field is required."),
        latest=(today + HEARING_HORIZON, _("Please check the date: it is years ahead.")),
    )
    if assignee_id is None or assignee_id not in allowed_assignees:
        problems.add(_("Choose one of the listed values."), "assignee_id")
    problems.done()
    return text


def add_task(
    session: Session,
    case_: Case,
    *,
    description: str,
    due_on: date | None,
    assignee_id: int | None,
    allowed_assignees: set[int],
    by: int | None,
    today: date,
) -> CaseTask:
    """A task for someone who sees the case (its lawyer or a manager of its clinic)."""
    _not_closed(case_)
    text = check_task(
        description=description,
        due_on=due_on,
        assignee_id=assignee_id,
        allowed_assignees=allowed_assignees,
        today=today,
    )
    task = CaseTask(
        case_id=case_.id,
        description=text,
        due_on=given(due_on, "due_on"),
        assignee_id=given(assignee_id, "assignee_id"),
        created_by_id=by,
    )
    session.add(task)
    session.flush()
    record_event(session, "case.task_added", object_type="case", object_id=case_.id)
    return task


def set_task_done(
    session: Session, case_: Case, task: CaseTask, *, done: bool, today: date
) -> CaseTask:
    if task.case_id != case_.id:
        raise NotFoundError()
    task.done = done
    task.done_on = today if done else None
    session.flush()
    record_event(session, "case.task_updated", object_type="case", object_id=case_.id)
    return task


# --- casework's part in a case's lifecycle (registered with legalaid.cases.hooks) -------


@case_hooks.count_agenda_to_come
def upcoming_hearings(session: Session, case_id: int, today: date) -> int:
    """Hearings and deadlines of the case not done and due today or later (closing a case
    with some asks first: they would drop off every agenda)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Hearing)
            .where(Hearing.case_id == case_id, Hearing.done.is_(False), Hearing.due_on >= today)
        )
        or 0
    )


@case_hooks.hand_over_on_reassignment
def hand_over_tasks(session: Session, case_id: int, from_id: int, to_id: int) -> None:
    """The old lawyer's pending tasks on the case go to the new one, reminders with them."""
    session.execute(
        update(CaseTask)
        .where(
            CaseTask.case_id == case_id,
            CaseTask.done.is_(False),
            CaseTask.assignee_id == from_id,
        )
        .values(assignee_id=to_id, version=CaseTask.version + 1)
        .execution_options(synchronize_session="fetch")
    )

"""Casework posted from the case page: services, notes (with corrections), hearings."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.casefile.casework_forms import (
    TASK_PREFIX,
    HearingForm,
    NoteCorrectionForm,
    NoteForm,
    OrderResultForm,
    ServiceForm,
    SuggestedDeadlineForm,
    TaskForm,
)
from legalaid.casefile.page import (
    case_or_404,
    case_record_or_404,
    submit_on_case_page,
)
from legalaid.cases.models import Case
from legalaid.casework import services
from legalaid.casework.models import CaseTask, Hearing, Note, ServiceDelivery
from legalaid.database import db_session, rollback_request
from legalaid.deadlines.suggestions import accept_suggestion
from legalaid.errors import ConflictError, DomainError, show_on_form
from legalaid.routing import record_id
from legalaid.vocabulary import Vocabulary
from legalaid.web_types import Rendered

bp = Blueprint("casework", __name__, url_prefix="/cases/<int:case_id>")


def _venues() -> Vocabulary:
    vocabulary: Vocabulary = current_app.extensions["legalaid.policies"].venues.vocabulary
    return vocabulary


@bp.post("/services")
def add_service(case_id: int) -> Rendered:
    return submit_on_case_page(
        case_id,
        ServiceForm(),
        "service_form",
        lambda case_, form: services.add_service(
            db_session(),
            case_,
            service_type=form.service_type.data or "",
            delivered_on=form.delivered_on.data,
            order_kind=form.order_kind.data or None,
            by=g.user.id,
            today=today(),
        ),
        _("Service recorded."),
        default_field="service_type",
        rules=lambda case_, form: services.check_service(
            case_,
            service_type=form.service_type.data or "",
            delivered_on=form.delivered_on.data,
            order_kind=form.order_kind.data or None,
            today=today(),
        ),
    )


@bp.post("/services/<int:service_id>/result")
def order_result(case_id: int, service_id: int) -> Rendered:
    case_or_404(case_id)
    service = case_record_or_404(ServiceDelivery, service_id, case_id)
    form = OrderResultForm()
    # The case page renders one result form per order: the summary links to this one's fields.
    form.service_id = service.id
    form.summary_id_prefix = f"order-{service.id}-"
    return submit_on_case_page(
        case_id,
        form,
        "order_result_form",
        lambda case_, form: services.record_order_result(
            db_session(),
            case_,
            service,
            result=form.result.data or "",
            result_on=form.result_on.data,
            expected_version=form.version.data,
            today=today(),
        ),
        _("Result of the protection-order application recorded."),
        default_field="result",
        rules=lambda case_, form: services.check_order_result(
            service,
            result=form.result.data or "",
            result_on=form.result_on.data,
            today=today(),
        ),
    )


@bp.post("/notes")
def add_note(case_id: int) -> Rendered:
    return submit_on_case_page(
        case_id,
        NoteForm(),
        "note_form",
        lambda case_, form: services.add_note(
            db_session(), case_, body=form.body.data or "", by=g.user.id
        ),
        _("Note added."),
        default_field="body",
    )


@bp.route("/notes/<int:note_id>", methods=["GET", "POST"])
def note(case_id: int, note_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    note_ = case_record_or_404(Note, note_id, case_id)
    form = NoteCorrectionForm()
    if request.method == "GET":
        form.body.data = note_.current.body
        form.version.data = note_.version
    status = 200
    conflict = None
    if form.validate_on_submit():
        try:
            services.correct_note(
                db_session(),
                case_,
                note_,
                body=form.body.data or "",
                expected_version=form.version.data or 0,
                by=g.user.id,
            )
        except ConflictError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            note_ = case_record_or_404(Note, note_id, case_id)
            form.version.data = note_.version
            status, conflict = 409, str(error)
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            note_ = case_record_or_404(Note, note_id, case_id)
            show_on_form(form, error, "body")
            status = 400
        else:
            flash(_("Correction saved; the earlier text is kept."), "success")
            return redirect(url_for("cases.view", case_id=case_id, _anchor=f"note-{note_id}"))
    record_event(db_session(), "case.note_viewed", object_type="case", object_id=case_id)
    return (
        render_template("casework/note.html", case=case_, note=note_, form=form, conflict=conflict),
        status,
    )


@bp.post("/hearings")
def add_hearing(case_id: int) -> Rendered:
    return submit_on_case_page(
        case_id,
        HearingForm(),
        "hearing_form",
        lambda case_, form: services.add_hearing(
            db_session(),
            case_,
            kind=form.kind.data or "",
            due_on=form.due_on.data,
            place=form.place.data or "",
            by=g.user.id,
            today=today(),
            starts_at=form.starts_at.data,
            duration_minutes=form.duration_minutes.data,
            venue=form.venue.data or None,
            venues=_venues(),
        ),
        _("Hearing or deadline added."),
        default_field="kind",
        rules=lambda case_, form: services.check_hearing(
            case_,
            kind=form.kind.data or "",
            due_on=form.due_on.data,
            place=form.place.data or "",
            today=today(),
            starts_at=form.starts_at.data,
            duration_minutes=form.duration_minutes.data,
            venue=form.venue.data or None,
            venues=_venues(),
        ),
    )


@bp.post("/hearings/<int:hearing_id>/done")
def hearing_done(case_id: int, hearing_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    hearing = case_record_or_404(Hearing, hearing_id, case_id)
    done = request.form.get("done", "1") == "1"
    services.set_hearing_done(db_session(), case_, hearing, done=done, today=today())
    flash(_("Marked as done.") if done else _("Marked as not done."), "success")
    target = request.form.get("back")
    if target == "agenda":
        return redirect(url_for("caseloads.agenda"))
    return redirect(url_for("cases.view", case_id=case_id))


@bp.post("/deadlines/suggested")
def accept_deadline(case_id: int) -> Rendered:
    return submit_on_case_page(
        case_id,
        SuggestedDeadlineForm(),
        "suggested_form",
        lambda case_, form: accept_suggestion(
            db_session(),
            current_app.extensions["legalaid.policies"].deadlines,
            case_,
            rule_code=form.rule_code.data or "",
            source=form.rule_source.data or "",
            by=g.user.id,
            today=today(),
        ),
        _("Deadline added."),
    )


@bp.post("/tasks")
def add_task(case_id: int) -> Rendered:
    def change(case_: Case, form: TaskForm) -> object:
        allowed = {user.id for user in services.task_assignees(db_session(), case_)}
        return services.add_task(
            db_session(),
            case_,
            description=form.description.data or "",
            due_on=form.due_on.data,
            assignee_id=record_id(form.assignee_id.data),
            allowed_assignees=allowed,
            by=g.user.id,
            today=today(),
        )

    def rules(case_: Case, form: TaskForm) -> object:
        return services.check_task(
            description=form.description.data or "",
            due_on=form.due_on.data,
            assignee_id=record_id(form.assignee_id.data),
            allowed_assignees={user.id for user in services.task_assignees(db_session(), case_)},
            today=today(),
        )

    form = TaskForm(prefix=TASK_PREFIX)
    # Any submitted id is checked against the case's people by the service.
    form.assignee_id.validate_choice = False
    return submit_on_case_page(
        case_id,
        form,
        "task_form",
        change,
        _("Task added."),
        default_field="description",
        rules=rules,
    )


@bp.post("/tasks/<int:task_id>/done")
def task_done(case_id: int, task_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    task = case_record_or_404(CaseTask, task_id, case_id)
    done = request.form.get("done", "1") == "1"
    services.set_task_done(db_session(), case_, task, done=done, today=today())
    flash(_("Marked as done.") if done else _("Marked as not done."), "success")
    if request.form.get("back") == "agenda":
        return redirect(url_for("caseloads.agenda", _anchor="tasks"))
    return redirect(url_for("cases.view", case_id=case_id, _anchor="tasks-heading"))

"""Training session pages: the list, record and edit, the session, the test-sheet import."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from legalaid.access.visible import visible_or_404
from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.database import db_session, rollback_request
from legalaid.errors import (
    ConflictError,
    DomainError,
    add_rule_errors,
    show_on_form,
)
from legalaid.trainings import importing, services
from legalaid.trainings.chart import score_chart
from legalaid.trainings.forms import ImportForm, SessionEditForm, SessionForm, VersionOnlyForm
from legalaid.trainings.models import TrainingSession
from legalaid.trainings.queries import (
    IMPROVEMENT_POINTS,
    SessionFilters,
    score_points,
    session_list_page,
    session_summary,
    session_years,
)
from legalaid.trainings.scope import visible_sessions
from legalaid.vocabulary import trainings as training_vocabulary
from legalaid.web_types import Rendered

bp = Blueprint("trainings", __name__, url_prefix="/trainings")

OBJECT_TYPE = "training_session"


def session_or_404(training_id: int) -> TrainingSession:
    """The session if the signed-in user may see it; otherwise 404, and the attempt audited."""
    return visible_or_404(
        db_session(),
        visible_sessions(g.user),
        training_id,
        action="training.viewed",
        object_type=OBJECT_TYPE,
    )


@bp.context_processor
def _vocabulary() -> dict[str, Any]:
    return {"tvocab": training_vocabulary}


@bp.get("/")
def list_sessions() -> str:
    filters = SessionFilters.from_args(request.args)
    page, totals = session_list_page(db_session(), g.user, filters, request.args.get("page"))
    years = session_years(db_session(), g.user)
    record_event(db_session(), "training.listed", object_type=OBJECT_TYPE)
    return render_template(
        "trainings/list.html", page=page, totals=totals, filters=filters, years=years
    )


def _trainer_choices(form: SessionForm, training: TrainingSession | None) -> None:
    """Active lawyers and managers of the clinic, and whoever already trains this session."""
    chosen = set(training.trainer_user_ids) if training is not None else set()
    clinic_id = training.clinic_id if training is not None else g.user.clinic_id
    staff = db_session().scalars(
        select(User)
        .where(
            User.clinic_id == clinic_id,
            User.role.in_(("lawyer", "manager")),
            User.active.is_(True) | User.id.in_(chosen),
        )
        .order_by(User.full_name)
    )
    form.trainer_ids.choices = [SelectChoice(str(user.id), user.full_name) for user in staff]


def _all_errors(form: SessionForm, clinic_id: int) -> None:
    """The session's rules on what was typed, beside the form's own errors: one submit."""
    add_rule_errors(
        form,
        lambda: services.validate_session(db_session(), clinic_id, form.details(), today()),
        "title",
    )


@bp.route("/new", methods=["GET", "POST"])
def new_session() -> Rendered:
    form = SessionForm()
    _trainer_choices(form, None)
    if form.validate_on_submit():
        try:
            training = services.create_session(
                db_session(), g.user, g.user.clinic_id, form.details(), today=today()
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "title")
        else:
            flash(_("Training session recorded."), "success")
            if training.participation_mode == "rows":
                return redirect(url_for("trainings.import_sheet", training_id=training.id))
            return redirect(url_for("trainings.view", training_id=training.id))
    elif request.method == "POST":
        _all_errors(form, g.user.clinic_id)
    status = 400 if request.method == "POST" else 200
    return render_template("trainings/form.html", form=form, training=None), status


def _render_view(training: TrainingSession, *, status: int = 200, **context: Any) -> Rendered:
    session = db_session()
    summary = session_summary(session, training)
    chart = score_chart(score_points(session, training)) if summary.mode == "rows" else ""
    record_event(session, "training.viewed", object_type=OBJECT_TYPE, object_id=training.id)
    context.setdefault(
        "clear_form", VersionOnlyForm(formdata=None, data={"version": training.version})
    )
    return (
        render_template(
            "trainings/view.html",
            training=training,
            summary=summary,
            chart=chart,
            improvement_points=IMPROVEMENT_POINTS,
            **context,
        ),
        status,
    )


@bp.get("/<int:training_id>")
def view(training_id: int) -> Rendered:
    return _render_view(session_or_404(training_id))


def _fill_edit_form(form: SessionEditForm, training: TrainingSession) -> None:
    form.modules.data = training.module_codes
    form.trainer_ids.data = [str(user_id) for user_id in training.trainer_user_ids]
    form.external_trainers.data = "\n".join(training.external_trainer_names)
    form.hours.data = (Decimal(training.duration_minutes) / 60).quantize(Decimal("0.1"))
    if training.participation_mode == "rows":
        # Derived from the officers' rows: not something to type.
        for name in ("officers_total", "officers_female", "officers_male"):
            form[name].data = None
        form.officers_full_attendance.data = None


@bp.route("/<int:training_id>/edit", methods=["GET", "POST"])
def edit(training_id: int) -> Rendered:
    training = session_or_404(training_id)
    form = SessionEditForm(obj=training) if request.method == "GET" else SessionEditForm()
    _trainer_choices(form, training)
    if request.method == "GET":
        _fill_edit_form(form, training)
    if form.validate_on_submit():
        try:
            services.update_session(
                db_session(),
                training,
                form.details(),
                expected_version=form.version.data,
                today=today(),
            )
        except ConflictError as error:
            rollback_request()
            current = session_or_404(training_id)
            # Saving again knowingly overwrites: the form now carries the current version.
            form.version.data = current.version
            return (
                render_template(
                    "trainings/form.html", form=form, training=current, conflict=str(error)
                ),
                409,
            )
        except DomainError as error:
            rollback_request()
            training = session_or_404(training_id)
            show_on_form(form, error, "title")
        else:
            flash(_("Training session saved."), "success")
            return redirect(url_for("trainings.view", training_id=training_id))
    elif request.method == "POST":
        _all_errors(form, training.clinic_id)
    record_event(db_session(), "training.viewed", object_type=OBJECT_TYPE, object_id=training_id)
    status = 400 if request.method == "POST" else 200
    return render_template("trainings/form.html", form=form, training=training), status


@bp.route("/<int:training_id>/import", methods=["GET", "POST"])
def import_sheet(training_id: int) -> Rendered:
    training = session_or_404(training_id)
    form = ImportForm()
    if request.method == "GET":
        form.version.data = training.version
    problems: list[importing.SheetProblem] = []
    if form.validate_on_submit():
        upload = form.sheet.data
        if upload is None or not getattr(upload, "filename", ""):
            form.sheet.errors = [_("Choose the file to import.")]
        else:
            # Read in memory and never stored: no file name or path of ours is involved.
            try:
                data = upload.read(importing.MAX_SHEET_BYTES + 1)
            finally:
                upload.close()
            try:
                parsed = importing.parse_sheet(data)
                services.replace_participants(
                    db_session(), training, parsed.rows, expected_version=form.version.data
                )
            except ConflictError as error:
                rollback_request()
                training = session_or_404(training_id)
                form.version.data = training.version
                return _render_import(training, form, problems, status=409, conflict=str(error))
            except DomainError as error:
                rollback_request()
                training = session_or_404(training_id)
                problems = error.problems if isinstance(error, importing.SheetError) else []
                show_on_form(form, error, "sheet")
                record_event(
                    db_session(),
                    "training.import_refused",
                    object_type=OBJECT_TYPE,
                    object_id=training_id,
                    outcome="failure",
                )
            else:
                flash(
                    ngettext(
                        "Test sheet imported: %(num)d officer.",
                        "Test sheet imported: %(num)d officers.",
                        len(parsed.rows),
                    ),
                    "success",
                )
                if parsed.ignored_columns:
                    flash(
                        _(
                            "Columns not read: %(columns)s.",
                            columns=", ".join(parsed.ignored_columns),
                        ),
                        "info",
                    )
                return redirect(url_for("trainings.view", training_id=training_id))
    status = 400 if request.method == "POST" else 200
    return _render_import(training, form, problems, status=status)


def _render_import(
    training: TrainingSession,
    form: ImportForm,
    problems: list[importing.SheetProblem],
    *,
    status: int,
    conflict: str | None = None,
) -> tuple[str, int]:
    return (
        render_template(
            "trainings/import.html",
            training=training,
            form=form,
            problems=[problem for problem in problems if problem.row is not None],
            columns=importing.COLUMNS,
            max_rows=importing.MAX_ROWS,
            max_kb=importing.MAX_SHEET_BYTES // 1024,
            conflict=conflict,
        ),
        status,
    )


@bp.post("/<int:training_id>/participants/clear")
def clear_participants(training_id: int) -> Rendered:
    training = session_or_404(training_id)
    form = VersionOnlyForm()
    if not form.validate_on_submit():
        return _render_view(training, status=400, clear_form=form)
    try:
        services.clear_participants(db_session(), training, expected_version=form.version.data)
    except ConflictError as error:
        rollback_request()
        training = session_or_404(training_id)
        return _render_view(training, status=409, conflict=str(error))
    flash(_("The officers' rows are removed."), "success")
    return redirect(url_for("trainings.view", training_id=training_id))


def _download(data: bytes, filename: str, media_type: str) -> Response:
    response = Response(data, mimetype=media_type.split(";")[0])
    response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/sheet-template.csv")
def template_csv() -> Response:
    return _download(importing.template_csv(), "test-sheet.csv", importing.CSV_MEDIA_TYPE)


@bp.get("/sheet-template.xlsx")
def template_xlsx() -> Response:
    return _download(importing.template_xlsx(), "test-sheet.xlsx", importing.XLSX_MEDIA_TYPE)

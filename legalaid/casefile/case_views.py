"""Case pages: the list, intake with its conflict check, the case, its lifecycle, assignment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.casefile.case_forms import (
    AssignForm,
    CaseForm,
    CloseForm,
    IntakeForm,
    OpenForm,
    RecheckForm,
    ReopenForm,
    RespondentForm,
)
from legalaid.casefile.case_lists import CaseFilters, active_case_counts, case_list_page
from legalaid.casefile.client_forms import CLIENT_FIELDS
from legalaid.casefile.page import (
    case_or_404,
    case_page_or_404,
    provider_choices,
    render_case_page,
    submit_on_case_page,
)
from legalaid.cases import services
from legalaid.cases.scope import get_visible_client
from legalaid.clients.models import Client
from legalaid.clinics.models import Clinic
from legalaid.conflicts.limits import CheckLimitError
from legalaid.conflicts.service import ConflictReport
from legalaid.database import db_session, rollback_request
from legalaid.errors import ConflictError, DomainError, NotFoundError, show_on_form
from legalaid.routing import record_id
from legalaid.search_terms import held_term, term_out_of_url
from legalaid.vocabulary.casework import RESPONDENT_RELATIONS
from legalaid.web_types import Rendered

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _clinic_lawyers(clinic_id: int) -> list[User]:
    return list(
        db_session().scalars(
            select(User)
            .where(User.clinic_id == clinic_id, User.role == "lawyer", User.active.is_(True))
            .order_by(User.full_name)
        )
    )


@bp.route("/", methods=["GET", "POST"])
def list_cases() -> str | BaseResponse:
    moved = term_out_of_url("cases", "cases.list_cases")
    if moved is not None:
        return moved
    args = {**request.args.to_dict(), "q": held_term("cases")}
    filters = CaseFilters.from_args(args, g.user)
    page = case_list_page(db_session(), g.user, filters, request.args.get("page"))
    lawyers = _clinic_lawyers(g.user.clinic_id) if g.user.role == "manager" else []
    record_event(db_session(), "case.listed", object_type="case")
    return render_template("cases/list.html", page=page, filters=filters, lawyers=lawyers)


# --- intake -------------------------------------------------------------------------------


def _chosen_client(form: IntakeForm) -> Client | None:
    value = form.existing_client.data or "new"
    if value == "new":
        return None
    client_id = record_id(value)
    if client_id is None:
        raise DomainError(_("Choose one of the listed values."), field="existing_client")
    try:
        client = get_visible_client(db_session(), g.user, client_id)
    except NotFoundError:
        raise DomainError(_("Choose one of the listed values."), field="existing_client") from None
    if client.clinic_id != g.user.clinic_id:
        raise DomainError(_("Choose one of the listed values."), field="existing_client")
    return client


def _run_check(form: IntakeForm, client: Client | None) -> services.IntakeCheck:
    """The intake's conflict check on what the form holds (one check, one audit entry)."""
    year = form.date_of_birth.data.year if form.date_of_birth.data else form.birth_year.data
    return services.check_intake(
        db_session(),
        g.user,
        existing_client=client,
        names=(
            form.full_name.data or "",
            form.other_names.data or "",
            form.name_to_use.data or "",
        ),
        birth_year=year,
        respondents=form.respondent_inputs(),
    )


def _offer_clients(form: IntakeForm, report: ConflictReport | None) -> None:
    choices = [("new", _("A new client"))]
    for hit in report.existing_clients() if report else []:
        choices.append(
            (str(hit.client_id), _("Existing client %(number)s", number=hit.client_number))
        )
    chosen = form.existing_client.data or "new"
    if chosen != "new" and chosen not in {value for value, _label in choices}:
        choices.append((chosen, _("Existing client (chosen before)")))
    form.existing_client.choices = choices


def _show_intake_error(form: IntakeForm, error: DomainError) -> None:
    field = error.field or ""
    if field.startswith("respondents-"):
        _, index, name = field.split("-", 2)
        if index.isdigit() and int(index) < len(form.respondents.entries):
            subform = form.respondents.entries[int(index)].form
            subform[name].errors = [*subform[name].errors, str(error)]
            return
    show_on_form(form, error, "full_name")


def _intake_lawyers(form: IntakeForm) -> None:
    lawyers = _clinic_lawyers(g.user.clinic_id)
    form.assigned_lawyer_id.choices = [
        SelectChoice(str(user.id), user.full_name) for user in lawyers
    ]
    if g.user.role == "lawyer" and not form.assigned_lawyer_id.data:
        form.assigned_lawyer_id.data = str(g.user.id)


@bp.route("/intake", methods=["GET", "POST"])
def intake() -> Rendered:
    form = IntakeForm()
    form.referral_source_provider_id.choices = [
        SelectChoice("", "—"),
        *provider_choices(db_session()),
    ]
    _intake_lawyers(form)
    report: ConflictReport | None = None
    action = request.form.get("action", "")
    if request.method == "POST" and action == "add_respondent":
        if len(form.respondents.entries) < form.respondents.max_entries:
            form.respondents.append_entry()
    elif request.method == "POST" and action == "check":
        report = _check_step(form)
    elif request.method == "POST" and action == "save":
        saved = _save_step(form)
        if isinstance(saved, BaseResponse):
            return saved
        report = saved
    _offer_clients(form, report)
    return render_template(
        "cases/intake.html",
        form=form,
        report=report,
        relations=RESPONDENT_RELATIONS,
    )


def _check_step(form: IntakeForm) -> ConflictReport | None:
    form.validate()
    try:
        client = _chosen_client(form)
    except DomainError as error:
        _show_intake_error(form, error)
        return None
    if client is None and not (form.full_name.data or "").strip():
        form.full_name.errors = [_("Type the client's name to check for conflicts.")]
        return None
    # Errors elsewhere on the form wait for the save: the check only needs the names.
    _clear_errors(form)
    try:
        check = _run_check(form, client)
    except CheckLimitError as error:
        form.full_name.errors = [str(error)]
        return None
    form.checked.data = check.fingerprint
    return check.report


def _clear_errors(form: IntakeForm) -> None:
    for field in form:
        if field.name == "respondents":
            for row in form.respondents:
                for sub in row.form:
                    sub.errors = []
        field.errors = []


def _save_step(form: IntakeForm) -> BaseResponse | ConflictReport | None:
    """Save an intake: the service runs the one conflict check of this request."""
    try:
        client = _chosen_client(form)
    except DomainError as error:
        _show_intake_error(form, error)
        return None
    if client is not None:
        form.checks_client = False
        for name in CLIENT_FIELDS:
            form[name].validators = []
            form[name].flags.required = False
    if not form.validate_on_submit():
        return _shown_check(form, client) if form.checked.data else None
    clinic = db_session().get(Clinic, g.user.clinic_id)
    assert clinic is not None  # noqa: S101 - clinic roles always have a clinic
    try:
        result = services.take_intake(
            db_session(),
            g.user,
            clinic=clinic,
            existing_client=client,
            client_details=None if client is not None else form.client_details(),
            case_details=form.case_details(),
            respondents=form.respondent_inputs(),
            assigned_lawyer_id=record_id(form.assigned_lawyer_id.data) or 0,
            decision=form.decision.data or "",
            decline_reason=form.decline_reason.data or "",
            today=today(),
            checked=form.checked.data or "",
        )
    except services.NamesNotCheckedError as error:
        # Nothing was written but the check's audit entry, which must stay.
        form.checked.data = error.check.fingerprint
        flash(str(error), "error")
        return error.check.report
    except CheckLimitError as error:
        rollback_request()
        form.full_name.errors = [str(error)]
        return None
    except DomainError as error:
        # Refused before its check ran: the one check of this request shows the result.
        rollback_request()
        _show_intake_error(form, error)
        return _shown_check(form, client)
    if result.case.status == "closed":
        flash(_("Intake %(number)s recorded as declined.", number=result.case.number), "success")
    else:
        flash(_("Intake %(number)s recorded.", number=result.case.number), "success")
    return redirect(url_for("cases.view", case_id=result.case.id))


def _shown_check(form: IntakeForm, client: Client | None) -> ConflictReport | None:
    """The check shown beside a form that cannot be saved yet (its fingerprint unchanged)."""
    try:
        return _run_check(form, client).report
    except CheckLimitError as error:
        form.full_name.errors = [*form.full_name.errors, str(error)]
        return None


# --- the case -----------------------------------------------------------------------------


@bp.get("/<int:case_id>")
def view(case_id: int) -> tuple[str, int]:
    return render_case_page(case_page_or_404(case_id))


@bp.get("/<int:case_id>/print")
def print_summary(case_id: int) -> tuple[str, int]:
    """The case page without navigation, forms or toggles, for paper (in her language)."""
    case_ = case_or_404(case_id)
    record_event(db_session(), "case.printed", object_type="case", object_id=case_.id)
    return render_case_page(case_, print_view=True)


def _conflict_page(case_id: int, template: str, form: Any, message: str) -> tuple[str, int]:
    current = case_or_404(case_id)
    form.version.data = current.version
    return render_template(template, form=form, case=current, conflict=message), 409


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    form = CaseForm(obj=case_) if request.method == "GET" else CaseForm()
    form.referral_source_provider_id.choices = [
        SelectChoice("", "—"),
        *provider_choices(db_session()),
    ]
    if request.method == "GET":
        form.grounds.data = case_.ground_codes
        form.referral_source_provider_id.data = str(case_.referral_source_provider_id or "")
    if form.validate_on_submit():
        try:
            services.update_case(
                db_session(),
                case_,
                form.case_details(),
                expected_version=int(form.version.data or 0),
                today=today(),
            )
        except ConflictError as error:
            rollback_request()
            return _conflict_page(case_id, "cases/edit.html", form, str(error))
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "category")
        else:
            flash(_("Case %(number)s saved.", number=case_.number), "success")
            return redirect(url_for("cases.view", case_id=case_id))
    record_event(db_session(), "case.viewed", object_type="case", object_id=case_id)
    return render_template("cases/edit.html", form=form, case=case_)


@bp.post("/<int:case_id>/open")
def open_case(case_id: int) -> Rendered:
    return submit_on_case_page(
        case_id,
        OpenForm(),
        "open_form",
        lambda case_, form: services.open_case(
            db_session(), case_, expected_version=form.version.data, by=g.user.id, today=today()
        ),
        _("The case is open."),
        refresh_version=lambda case_: case_.version,
    )


@bp.post("/<int:case_id>/close")
def close(case_id: int) -> Rendered:
    return submit_on_case_page(
        case_id,
        CloseForm(),
        "close_form",
        lambda case_, form: services.close_case(
            db_session(),
            case_,
            expected_version=form.version.data,
            outcome=form.outcome.data or "",
            closed_on=form.closed_on.data,
            by=g.user.id,
            today=today(),
            agenda_loss_confirmed=bool(form.agenda_loss_confirmed.data),
        ),
        _("The case is closed."),
        refresh_version=lambda case_: case_.version,
    )


@bp.post("/<int:case_id>/reopen")
def reopen(case_id: int) -> Rendered:
    return submit_on_case_page(
        case_id,
        ReopenForm(),
        "reopen_form",
        lambda case_, form: services.reopen_case(
            db_session(),
            case_,
            expected_version=form.version.data,
            reason=form.reason.data or "",
            by=g.user.id,
        ),
        _("The case is reopened."),
        refresh_version=lambda case_: case_.version,
    )


@bp.route("/<int:case_id>/recheck", methods=["GET", "POST"])
def recheck(case_id: int) -> Rendered:
    """Check a case at intake again (after a reopened decline) and decide anew."""
    case_ = case_or_404(case_id)
    form = RecheckForm()
    if request.method == "GET":
        form.version.data = case_.version
    if form.validate_on_submit():
        try:
            services.recheck_case(
                db_session(),
                g.user,
                case_,
                expected_version=form.version.data or 0,
                decision=form.decision.data or "",
                decline_reason=form.decline_reason.data or "",
                today=today(),
            )
        except ConflictError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            form.version.data = case_.version
            flash(str(error), "error")
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            show_on_form(form, error, "decision")
        else:
            flash(_("The conflict check and your decision are recorded."), "success")
            return redirect(url_for("cases.view", case_id=case_id))
    report = services.recheck_report(db_session(), g.user, case_)
    return render_template("cases/recheck.html", case=case_, form=form, report=report)


@bp.post("/<int:case_id>/respondents")
def add_respondent(case_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    form = RespondentForm()
    if form.validate_on_submit():
        try:
            _respondent, report = services.add_respondent(
                db_session(),
                g.user,
                case_,
                services.RespondentInput(
                    name=form.name.data or "", relation=form.relation.data or ""
                ),
            )
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            show_on_form(form, error, "relation")
        else:
            flash(_("Respondent added."), "success")
            for hit in report.in_scope:
                flash(
                    _(
                        "Conflict check: the name matches a party of case %(number)s.",
                        number=hit.case_number or hit.client_number,
                    ),
                    "error",
                )
            for _label, code in report.elsewhere:
                flash(
                    _("Possible conflict at clinic %(clinic)s — ask its manager.", clinic=code),
                    "error",
                )
            return redirect(url_for("cases.view", case_id=case_id))
    return render_case_page(case_, status=400, respondent_form=form)


@bp.route("/<int:case_id>/assign", methods=["GET", "POST"])
def assign(case_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    form = AssignForm()
    lawyers = [u for u in _clinic_lawyers(case_.clinic_id) if u.id != case_.assigned_lawyer_id]
    loads = active_case_counts(db_session(), [u.id for u in lawyers])
    # Nobody is preselected: the manager chooses, seeing how many active cases each has.
    form.lawyer_id.choices = [
        SelectChoice("", _("Choose a lawyer")),
        *(
            SelectChoice(
                str(u.id),
                ngettext(
                    "%(name)s (%(num)d active case)",
                    "%(name)s (%(num)d active cases)",
                    loads.get(u.id, 0),
                    name=u.full_name,
                ),
            )
            for u in lawyers
        ),
    ]
    if request.method == "GET":
        form.version.data = case_.version
    if form.validate_on_submit():
        lawyer_id = record_id(form.lawyer_id.data)
        try:
            services.assign_case(
                db_session(),
                case_,
                lawyer_id=lawyer_id,
                reason=form.reason.data or "",
                by=g.user.id,
                expected_version=form.version.data,
            )
        except ConflictError as error:
            rollback_request()
            return _conflict_page(case_id, "cases/assign.html", form, str(error))
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "lawyer_id")
        else:
            flash(_("Case %(number)s reassigned.", number=case_.number), "success")
            if request.form.get("back") == "caseload":
                return redirect(url_for("caseloads.caseload"))
            return redirect(url_for("cases.view", case_id=case_id))
    record_event(db_session(), "case.viewed", object_type="case", object_id=case_id)
    return render_template("cases/assign.html", form=form, case=case_)

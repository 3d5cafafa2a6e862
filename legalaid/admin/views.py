"""Administration pages: clinics and staff accounts. Administrators see no case content."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from legalaid.accounts import services as account_services
from legalaid.accounts.forms import EmptyForm
from legalaid.accounts.models import User
from legalaid.accounts.setup_delivery import Delivery, deliver_setup_code
from legalaid.admin.forms import AccountEditForm, AccountForm, ClinicForm
from legalaid.clinics import services as clinic_services
from legalaid.clinics.models import Clinic
from legalaid.clinics.queries import all_clinics, clinic_choices
from legalaid.confirmations import confirmation_page, confirmed
from legalaid.database import db_session, rollback_request
from legalaid.errors import ConflictError, DomainError, show_on_form
from legalaid.pagination import Page, paginate
from legalaid.routing import record_id
from legalaid.settings import Settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _clinic_or_404(clinic_id: int) -> Clinic:
    clinic = db_session().get(Clinic, clinic_id)
    if clinic is None:
        abort(404)
    return clinic


def _user_or_404(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/clinics")
def clinics() -> str:
    return render_template("admin/clinics.html", clinics=all_clinics(db_session()))


@bp.route("/clinics/new", methods=["GET", "POST"])
def clinic_new() -> str | BaseResponse:
    form = ClinicForm()
    if form.validate_on_submit():
        try:
            clinic = clinic_services.create_clinic(
                db_session(),
                code=form.code.data or "",
                name=form.name.data or "",
                economic_region=form.economic_region.data or "",
                city=form.city.data or "",
                opened_on=form.opened_on.data,
                status=form.status.data or "pilot",
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "code")
        else:
            flash(_("Clinic %(code)s created.", code=clinic.code), "success")
            return redirect(url_for("admin.clinics"))
    return render_template("admin/clinic_form.html", form=form, clinic=None)


@bp.route("/clinics/<int:clinic_id>", methods=["GET", "POST"])
def clinic_edit(clinic_id: int) -> str | BaseResponse | tuple[str, int]:
    clinic = _clinic_or_404(clinic_id)
    form = ClinicForm(obj=clinic) if request.method == "GET" else ClinicForm()
    del form.code  # permanent: part of every case number; a posted value is ignored
    if request.method == "GET":
        form.version.data = str(clinic.version)
    if form.validate_on_submit():
        try:
            clinic_services.update_clinic(
                db_session(),
                clinic,
                expected_version=int(form.version.data or 0),
                name=form.name.data or "",
                economic_region=form.economic_region.data or "",
                city=form.city.data or "",
                opened_on=form.opened_on.data,
                status=form.status.data or clinic.status,
            )
        except ConflictError as error:
            rollback_request()
            current = _clinic_or_404(clinic_id)
            # Saving again knowingly overwrites: the form now carries the current version.
            form.version.data = str(current.version)
            return (
                render_template(
                    "admin/clinic_form.html", form=form, clinic=current, conflict=str(error)
                ),
                409,
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "name")
        else:
            flash(_("Clinic %(code)s saved.", code=clinic.code), "success")
            return redirect(url_for("admin.clinics"))
    return render_template("admin/clinic_form.html", form=form, clinic=clinic)


def _account_filters() -> dict[str, str]:
    return {key: request.args.get(key, "").strip() for key in ("q", "role", "clinic")}


def accounts_list() -> str:
    filters = _account_filters()
    query = select(User).order_by(User.email)
    if filters["q"]:
        like = f"%{filters['q'].lower()}%"
        query = query.where(
            func.lower(User.email).like(like) | func.lower(User.full_name).like(like)
        )
    if filters["role"]:
        query = query.where(User.role == filters["role"])
    clinic_id = record_id(filters["clinic"])
    if clinic_id is not None:
        query = query.where(User.clinic_id == clinic_id)
    page: Page[User] = paginate(db_session(), query, request.args.get("page", "1"))
    return render_template(
        "admin/accounts.html", page=page, filters=filters, clinics=all_clinics(db_session())
    )


bp.add_url_rule("/accounts", endpoint="accounts", view_func=accounts_list)


def _clinic_id(value: str | None) -> int | None:
    return record_id(value)


@bp.route("/accounts/new", methods=["GET", "POST"])
def account_new() -> str | BaseResponse:
    form = AccountForm()
    form.clinic_id.choices = clinic_choices(db_session(), blank_label=_("(none: national role)"))
    if form.validate_on_submit():
        try:
            issued = account_services.create_account(
                db_session(),
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=form.role.data or "",
                clinic_id=_clinic_id(form.clinic_id.data),
                preferred_language=form.preferred_language.data or "en",
            )
            delivery = _deliver(issued)
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "email")
        else:
            return render_template("admin/setup_code.html", user=issued.user, delivery=delivery)
    return render_template("admin/account_form.html", form=form, account=None)


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def account_edit(user_id: int) -> str | BaseResponse | tuple[str, int]:
    if request.method == "GET":
        user = account_services.account_for_admin(db_session(), user_id)
    else:
        user = _user_or_404(user_id)
    form = AccountEditForm(obj=user) if request.method == "GET" else AccountEditForm()
    form.clinic_id.choices = clinic_choices(db_session(), blank_label=_("(none: national role)"))
    if request.method == "GET":
        form.clinic_id.data = str(user.clinic_id or "")
        form.version.data = user.version
    if form.validate_on_submit():
        if form.version.data != user.version:
            form.version.data = user.version
            return (
                render_template(
                    "admin/account_form.html",
                    form=form,
                    account=user,
                    conflict=_("Someone else changed this account after you opened it."),
                    empty_form=EmptyForm(),
                ),
                409,
            )
        try:
            account_services.change_role_and_clinic(
                db_session(),
                user,
                role=form.role.data or "",
                clinic_id=_clinic_id(form.clinic_id.data),
                full_name=form.full_name.data or "",
                by=g.user,
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "role")
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("admin.accounts"))
    return render_template(
        "admin/account_form.html", form=form, account=user, empty_form=EmptyForm()
    )


def _state_change(user_id: int, active: bool) -> BaseResponse:
    user = _user_or_404(user_id)
    try:
        account_services.set_active(db_session(), user, active, by=g.user)
    except DomainError as error:
        rollback_request()
        flash(str(error), "error")
    else:
        flash(_("Account enabled.") if active else _("Account disabled and signed out."), "success")
    return redirect(url_for("admin.account_edit", user_id=user_id))


@bp.post("/accounts/<int:user_id>/disable")
def account_disable(user_id: int) -> str | BaseResponse:
    if not confirmed():
        user = _user_or_404(user_id)
        return confirmation_page(
            title=_("Disable %(name)s?", name=user.full_name),
            consequence=_(
                "She is signed out everywhere at once and cannot sign in until an "
                "administrator enables the account again. Her API tokens stop working."
            ),
            action_label=_("Disable account"),
            cancel_url=url_for("admin.account_edit", user_id=user_id),
        )
    return _state_change(user_id, False)


@bp.post("/accounts/<int:user_id>/enable")
def account_enable(user_id: int) -> BaseResponse:
    return _state_change(user_id, True)


@bp.post("/accounts/<int:user_id>/reset")
def account_reset(user_id: int) -> str | BaseResponse:
    user = _user_or_404(user_id)
    if not confirmed():
        return confirmation_page(
            title=_("Reset %(name)s's sign-in?", name=user.full_name),
            consequence=_(
                "Her password and two-step sign-in stop working at once and she is signed "
                "out everywhere. She signs in again only with the new setup code."
            ),
            action_label=_("Reset password and two-step sign-in"),
            cancel_url=url_for("admin.account_edit", user_id=user_id),
        )
    try:
        delivery = _deliver(account_services.reset_account(db_session(), user))
    except DomainError as error:
        rollback_request()
        flash(str(error), "error")
        return redirect(url_for("admin.account_edit", user_id=user_id))
    return render_template("admin/setup_code.html", user=user, delivery=delivery, reset=True)


def _deliver(issued: account_services.IssuedCode) -> Delivery:
    """The code of a lawyer or manager never reaches this (an administrator's) page."""
    settings: Settings = current_app.extensions["legalaid.settings"]
    mail = settings.mail
    setup_url = (
        f"{mail.base_url}{url_for('accounts.setup')}"
        if mail.base_url
        else url_for("accounts.setup", _external=True)
    )
    return deliver_setup_code(db_session(), issued, mail, setup_url)

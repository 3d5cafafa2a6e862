"""The provider directory and referrals out of a case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select

from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.casefile.page import (
    case_or_404,
    case_record_or_404,
    provider_choices,
    render_case_page,
)
from legalaid.casefile.referral_forms import ProviderForm, ReferralForm, ReferralStatusForm
from legalaid.caseloads.queries import ACTIVE_STATUSES
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.database import db_session, rollback_request
from legalaid.errors import ConflictError, DomainError, add_rule_errors, show_on_form
from legalaid.pagination import Page, paginate
from legalaid.providers import services as directory
from legalaid.providers.models import ServiceProvider
from legalaid.referrals import services
from legalaid.referrals.models import Referral
from legalaid.routing import record_id
from legalaid.vocabulary.casework import REFERRAL_SERVICES
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.web_types import Rendered

bp = Blueprint("referrals", __name__)


# --- the directory ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderFilters:
    service: str = ""
    region: str = ""
    inactive: bool = False

    @classmethod
    def from_args(cls) -> ProviderFilters:
        """Unknown codes are ignored: the list always shows something sensible."""
        service = request.args.get("service", "").strip()
        region = request.args.get("region", "").strip()
        return cls(
            service=service if service in REFERRAL_SERVICES.codes else "",
            region=region if region in ECONOMIC_REGIONS.codes else "",
            inactive=request.args.get("inactive") == "1",
        )

    @property
    def active(self) -> bool:
        return bool(self.service or self.region or self.inactive)


@bp.get("/providers")
def providers() -> str:
    filters = ProviderFilters.from_args()
    query = select(ServiceProvider).order_by(ServiceProvider.name, ServiceProvider.id)
    if filters.service:
        query = query.where(ServiceProvider.service_type == filters.service)
    if filters.region:
        query = query.where(ServiceProvider.economic_region == filters.region)
    if not filters.inactive:
        query = query.where(ServiceProvider.active.is_(True))
    page: Page[ServiceProvider] = paginate(db_session(), query, request.args.get("page"))
    return render_template("referrals/providers.html", page=page, filters=filters)


def _provider_or_404(provider_id: int) -> ServiceProvider:
    provider = db_session().get(ServiceProvider, provider_id)
    if provider is None:
        abort(404)
    return provider


@bp.route("/providers/new", methods=["GET", "POST"])
def provider_new() -> Rendered:
    form = ProviderForm()
    del form.active  # a new provider is in use; retiring it is an edit
    if form.validate_on_submit():
        try:
            provider = directory.create_provider(
                db_session(),
                name=form.name.data or "",
                service_type=form.service_type.data or "",
                economic_region=form.economic_region.data or "",
                contact=form.contact.data or "",
                by=g.user.id,
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "name")
        else:
            flash(_("Provider %(name)s added.", name=provider.name), "success")
            return redirect(url_for("referrals.providers"))
    return render_template("referrals/provider_form.html", form=form, provider=None)


@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
def provider_edit(provider_id: int) -> Rendered:
    provider = _provider_or_404(provider_id)
    form = ProviderForm(obj=provider) if request.method == "GET" else ProviderForm()
    if form.validate_on_submit():
        try:
            directory.update_provider(
                db_session(),
                provider,
                expected_version=form.version.data or 0,
                name=form.name.data or "",
                service_type=form.service_type.data or "",
                economic_region=form.economic_region.data or "",
                contact=form.contact.data or "",
                active=bool(form.active.data),
            )
        except ConflictError as error:
            rollback_request()
            current = _provider_or_404(provider_id)
            # Saving again knowingly overwrites: the form now carries the current version.
            form.version.data = current.version
            return (
                render_template(
                    "referrals/provider_form.html",
                    form=form,
                    provider=current,
                    conflict=str(error),
                ),
                409,
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "name")
        else:
            flash(_("Provider %(name)s saved.", name=provider.name), "success")
            return redirect(url_for("referrals.providers"))
    return render_template("referrals/provider_form.html", form=form, provider=provider)


# --- referrals awaiting an answer ---------------------------------------------------------


@bp.get("/referrals/waiting")
def waiting() -> str:
    """Referrals sent and not yet answered, on the cases the user sees, the longest waiting
    first: the home page's count, as a list to work through (numbers only, no names)."""
    session = db_session()
    query = cast(
        Select[Any],
        select(Referral, Case.number, Case.id, ServiceProvider.name)
        .join(Case, Case.id == Referral.case_id)
        .join(ServiceProvider, ServiceProvider.id == Referral.provider_id)
        .where(
            case_condition(g.user),
            Case.status.in_(ACTIVE_STATUSES),
            Referral.status == "sent",
        )
        .order_by(Referral.sent_on, Referral.id),
    )
    page: Page[Any] = paginate(session, query, request.args.get("page"))
    record_event(session, "referral.listed", object_type="case")
    return render_template("referrals/waiting.html", page=page, as_of=today())


# --- referrals out of a case --------------------------------------------------------------


@bp.post("/cases/<int:case_id>/referrals")
def add(case_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    form = ReferralForm()
    form.provider_id.choices = provider_choices(db_session())
    if form.validate_on_submit():
        provider_id = str(form.provider_id.data or "")
        try:
            services.refer(
                db_session(),
                case_,
                provider_id=record_id(provider_id),
                service_type=form.service_type.data or None,
                sent_on=form.sent_on.data,
                by=g.user.id,
                today=today(),
            )
        except DomainError as error:
            rollback_request()  # the service's record of a refusal outlives it
            case_ = case_or_404(case_id)
            show_on_form(form, error, "provider_id")
        else:
            flash(_("Referral recorded."), "success")
            return redirect(url_for("cases.view", case_id=case_id, _anchor="referrals"))
    else:
        add_rule_errors(
            form,
            lambda: services.check_referral(
                db_session(),
                case_,
                provider_id=record_id(str(form.provider_id.data or "")),
                service_type=form.service_type.data or None,
                sent_on=form.sent_on.data,
                today=today(),
            ),
            "provider_id",
        )
    return render_case_page(case_, status=400, referral_form=form)


@bp.post("/cases/<int:case_id>/referrals/<int:referral_id>/status")
def status(case_id: int, referral_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    referral = case_record_or_404(Referral, referral_id, case_.id)
    form = ReferralStatusForm()
    forms = {"referral_status_form": form, "referral_status_id": referral_id}
    if form.validate_on_submit():
        try:
            services.set_referral_status(
                db_session(),
                case_,
                referral,
                status=form.status.data or "",
                expected_version=form.version.data or 0,
                today=today(),
            )
        except ConflictError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            # Saving again knowingly overwrites: the form now carries the current version.
            form.version.data = case_record_or_404(Referral, referral_id, case_id).version
            return render_case_page(case_, status=409, conflict=str(error), **forms)
        except DomainError as error:
            rollback_request()
            case_ = case_or_404(case_id)
            show_on_form(form, error, "status")
        else:
            flash(_("Referral status saved."), "success")
            return redirect(url_for("cases.view", case_id=case_id, _anchor="referrals"))
    return render_case_page(case_, status=400, **forms)

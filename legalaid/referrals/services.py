"""Referrals out, only with consent (the provider directory is `providers/`)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.cases.models import Case
from legalaid.errors import ConflictError, DomainError, NotFoundError, Problems, given
from legalaid.providers.models import ServiceProvider
from legalaid.referrals.models import Referral
from legalaid.vocabulary.casework import REFERRAL_SERVICES, REFERRAL_STATUSES


def check_referral(
    session: Session,
    case_: Case,
    *,
    provider_id: int | None,
    service_type: str | None,
    sent_on: date | None,
    today: date,
) -> tuple[ServiceProvider, str, date]:
    """Every refusal of what was typed at once (ManyProblemsError): provider, service, date."""
    problems = Problems()
    provider = session.get(ServiceProvider, provider_id or 0)
    if provider is None or not provider.active:
        problems.add(_("Choose one of the listed values."), "provider_id")
    service_type = service_type or (provider.service_type if provider is not None else "")
    if service_type:
        with problems.check():
            REFERRAL_SERVICES.require(service_type, "service_type")
    sent_on = sent_on or today
    problems.date_within(
        sent_on,
        "sent_on",
        latest=(today, _("The date cannot be in the future.")),
        earliest=(case_.intake_on, _("The date cannot be before the intake.")),
    )
    problems.done()
    return given(provider, "provider_id"), service_type, sent_on


def refer(
    session: Session,
    case_: Case,
    *,
    provider_id: int | None,
    service_type: str | None,
    sent_on: date | None,
    by: int | None,
    today: date,
) -> Referral:
    """Send a referral out. Without the client's consent to sharing, nothing is sent."""
    if not case_.client.consent_sharing:
        record_event(
            session,
            "case.referral_refused",
            object_type="case",
            object_id=case_.id,
            outcome="failure",
        )
        raise DomainError(
            _(
                "The client has not consented to sharing her data with referral partners. "
                "Record her consent on the client page first."
            ),
            field="provider_id",
        )
    if case_.status == "closed":
        raise DomainError(_("The case is closed; reopen it first."))
    provider, service_type, sent_on = check_referral(
        session,
        case_,
        provider_id=provider_id,
        service_type=service_type,
        sent_on=sent_on,
        today=today,
    )
    referral = Referral(
        case_id=case_.id,
        provider_id=provider.id,
        service_type=service_type,
        status="sent",
        sent_on=sent_on,
        status_on=sent_on,
        created_by_id=by,
    )
    session.add(referral)
    session.flush()
    record_event(session, "case.referral_sent", object_type="case", object_id=case_.id)
    return referral


def set_referral_status(
    session: Session,
    case_: Case,
    referral: Referral,
    *,
    status: str,
    expected_version: int,
    today: date,
) -> Referral:
    if referral.case_id != case_.id:
        raise NotFoundError()
    if referral.version != expected_version:
        raise ConflictError(_("Someone else changed this referral after you opened it."))
    REFERRAL_STATUSES.require(status, "status")
    if status != referral.status:
        # status_on dates the status now recorded (LA08 reads it): saving the same
        # status again must not move it.
        referral.status, referral.status_on = status, today
    session.flush()
    record_event(session, "case.referral_updated", object_type="case", object_id=case_.id)
    return referral

"""The provider directory, kept by managers: organisations, not persons."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.errors import ConflictError, DomainError
from legalaid.providers.models import ServiceProvider
from legalaid.vocabulary.casework import REFERRAL_SERVICES
from legalaid.vocabulary.regions import ECONOMIC_REGIONS


def _provider_fields(
    name: str, service_type: str, economic_region: str, contact: str
) -> tuple[str, str]:
    name, contact = name.strip(), contact.strip()
    if not name:
        raise DomainError(_("This field is required."), field="name")
    if len(name) > 200:
        raise DomainError(_("At most %(limit)d characters, please.", limit=200), field="name")
    if len(contact) > 300:
        raise DomainError(_("At most %(limit)d characters, please.", limit=300), field="contact")
    REFERRAL_SERVICES.require(service_type, "service_type")
    ECONOMIC_REGIONS.require(economic_region, "economic_region")
    return name, contact


def create_provider(
    session: Session,
    *,
    name: str,
    service_type: str,
    economic_region: str,
    contact: str,
    by: int | None,
) -> ServiceProvider:
    name, contact = _provider_fields(name, service_type, economic_region, contact)
    provider = ServiceProvider(
        name=name,
        service_type=service_type,
        economic_region=economic_region,
        contact=contact,
        created_by_id=by,
    )
    session.add(provider)
    session.flush()
    record_event(session, "provider.created", object_type="provider", object_id=provider.id)
    return provider


def update_provider(
    session: Session,
    provider: ServiceProvider,
    *,
    expected_version: int,
    name: str,
    service_type: str,
    economic_region: str,
    contact: str,
    active: bool,
) -> ServiceProvider:
    if provider.version != expected_version:
        raise ConflictError(_("Someone else changed this provider after you opened it."))
    name, contact = _provider_fields(name, service_type, economic_region, contact)
    provider.name, provider.contact = name, contact
    provider.service_type, provider.economic_region = service_type, economic_region
    provider.active = active
    session.flush()
    record_event(session, "provider.updated", object_type="provider", object_id=provider.id)
    return provider

"""Clinic operations: plain functions that validate, change state and flush."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.clinics.models import CLINIC_STATUSES, Clinic
from legalaid.errors import ConflictError, DomainError
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

CODE_PATTERN = re.compile(r"^[A-Z]{2,8}$")


def create_clinic(
    session: Session,
    *,
    code: str,
    name: str,
    economic_region: str,
    city: str = "",
    opened_on: date | None = None,
    status: str = "pilot",
) -> Clinic:
    code = code.strip().upper()
    name = name.strip()
    if not CODE_PATTERN.match(code):
        raise DomainError(
            _("The clinic code must be 2 to 8 Latin letters, e.g. BAK."), field="code"
        )
    if not name or len(name) > 200:
        raise DomainError(_("The clinic name must have 1 to 200 characters."), field="name")
    if economic_region not in ECONOMIC_REGIONS:
        raise DomainError(_("Unknown economic region."), field="economic_region")
    if status not in CLINIC_STATUSES:
        raise DomainError(_("Unknown clinic status."), field="status")
    exists = session.scalar(select(func.count()).select_from(Clinic).where(Clinic.code == code))
    if exists:
        raise DomainError(_("A clinic with this code already exists."), field="code")
    clinic = Clinic(
        code=code,
        name=name,
        economic_region=economic_region,
        city=city.strip(),
        opened_on=opened_on,
        status=status,
    )
    session.add(clinic)
    session.flush()
    record_event(session, "clinic.created", object_type="clinic", object_id=clinic.id)
    return clinic


def update_clinic(
    session: Session,
    clinic: Clinic,
    *,
    expected_version: int,
    name: str,
    economic_region: str,
    city: str,
    opened_on: date | None,
    status: str,
) -> Clinic:
    """Edit a clinic (its code is permanent: it is part of every case number)."""
    if clinic.version != expected_version:
        raise ConflictError(_("Someone else changed this clinic after you opened it."))
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainError(_("The clinic name must have 1 to 200 characters."), field="name")
    if economic_region not in ECONOMIC_REGIONS:
        raise DomainError(_("Unknown economic region."), field="economic_region")
    if status not in CLINIC_STATUSES:
        raise DomainError(_("Unknown clinic status."), field="status")
    changed_status = status != clinic.status
    clinic.name = name
    clinic.economic_region = economic_region
    clinic.city = city.strip()
    clinic.opened_on = opened_on
    clinic.status = status
    session.flush()
    action = "clinic.closed" if changed_status and status == "closed" else "clinic.updated"
    record_event(session, action, object_type="clinic", object_id=clinic.id)
    return clinic

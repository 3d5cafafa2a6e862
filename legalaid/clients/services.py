"""Client operations: validate, encrypt (by the column type), index names, audit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.clients.models import Client, ClientKeyPopulation
from legalaid.clinics.models import Clinic
from legalaid.clinics.numbers import client_number, next_number
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.names import birth_year_key, name_keys
from legalaid.database import Base, utcnow
from legalaid.errors import ConflictError, DomainError
from legalaid.vocabulary.casework import (
    AGE_BANDS,
    CLIENT_LANGUAGES,
    CONTACT_CHANNELS,
    DISABILITY,
    GENDER_IDENTITIES,
    INTERPRETER_NEEDS,
    KEY_POPULATIONS,
    SETTLEMENTS,
)
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{5,30}$")
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass
class ClientDetails:
    full_name: str
    gender_identity: str
    economic_region: str
    settlement: str
    age_band: str | None = None
    other_names: str = ""
    name_to_use: str = ""
    language: str | None = None
    interpreter: str | None = None
    access_needs: str = ""
    date_of_birth: date | None = None
    birth_year: int | None = None
    phone: str = ""
    address: str = ""
    may_call: bool = False
    may_leave_message: bool = False
    contact_channel: str | None = None
    contact_hours: str = ""
    contact_notes: str = ""
    disability: str = "unknown"
    key_populations: list[str] = field(default_factory=list)
    consent_services: bool = False
    consent_statistics: bool = False
    consent_sharing: bool = False

    @property
    def known_birth_year(self) -> int | None:
        return self.date_of_birth.year if self.date_of_birth else self.birth_year


def age_band_on(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for limit, band in ((18, "under_18"), (25, "18_24"), (30, "25_29"), (40, "30_39")):
        if age < limit:
            return band
    for limit, band in ((50, "40_49"), (60, "50_59")):
        if age < limit:
            return band
    return "60_plus"


def _text(value: str, limit: int, field_name: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field_name)
    if len(value) > limit:
        raise DomainError(_("At most %(limit)d characters, please.", limit=limit), field=field_name)
    return value


def validate_client(details: ClientDetails, today: date) -> ClientDetails:
    """Check and normalise; raises DomainError naming the field at fault."""
    details.full_name = _text(details.full_name, 200, "full_name", required=True)
    details.other_names = _text(details.other_names, 300, "other_names")
    details.name_to_use = _text(details.name_to_use, 200, "name_to_use")
    details.access_needs = _text(details.access_needs, 500, "access_needs")
    details.language = CLIENT_LANGUAGES.optional(details.language, "language")
    details.interpreter = INTERPRETER_NEEDS.optional(details.interpreter, "interpreter")
    details.phone = _text(details.phone, 30, "phone")
    if details.phone and not PHONE_PATTERN.match(details.phone):
        raise DomainError(
            _("Digits, spaces, brackets, dashes and a leading + only."), field="phone"
        )
    details.address = _text(details.address, 300, "address")
    details.contact_hours = _text(details.contact_hours, 100, "contact_hours")
    details.contact_notes = _text(details.contact_notes, 500, "contact_notes")
    details.contact_channel = CONTACT_CHANNELS.optional(details.contact_channel, "contact_channel")
    GENDER_IDENTITIES.require(details.gender_identity, "gender_identity")
    ECONOMIC_REGIONS.require(details.economic_region, "economic_region")
    SETTLEMENTS.require(details.settlement, "settlement")
    DISABILITY.require(details.disability, "disability")
    details.key_populations = KEY_POPULATIONS.require_all(
        details.key_populations, "key_populations"
    )
    if details.date_of_birth is not None:
        if details.date_of_birth > today:
            raise DomainError(
                _("The date of birth cannot be in the future."), field="date_of_birth"
            )
        if details.date_of_birth < EARLIEST_BIRTH:
            raise DomainError(_("Please check the date of birth."), field="date_of_birth")
        band = age_band_on(details.date_of_birth, today)
        if details.age_band and details.age_band != band:
            raise DomainError(_("The age band does not match the date of birth."), field="age_band")
        details.age_band = band
    if details.birth_year is not None and not (
        EARLIEST_BIRTH.year <= details.birth_year <= today.year
    ):
        raise DomainError(_("Please check the birth year."), field="birth_year")
    if not details.age_band:
        raise DomainError(_("Choose an age band, or give the date of birth."), field="age_band")
    AGE_BANDS.require(details.age_band, "age_band")
    return details


def index_client_names(session: Session, client: Client, *, new: bool = False) -> None:
    """Her name keys, written in one statement (a new client has none to remove)."""
    if not new:
        session.execute(delete(NameKey).where(NameKey.client_id == client.id))
    keys = name_keys(client.full_name, client.other_names, client.name_to_use)
    if keys:
        session.execute(
            insert(Base.metadata.tables["name_key"]),
            [
                {
                    "key": key,
                    "words": len(keys),
                    "clinic_id": client.clinic_id,
                    "client_id": client.id,
                    "respondent_id": None,
                }
                for key in keys
            ],
        )


def _apply(client: Client, details: ClientDetails, recorded_by: int | None, today: date) -> None:
    client.full_name = details.full_name
    client.other_names = details.other_names or None
    client.name_to_use = details.name_to_use or None
    client.language = details.language
    client.interpreter = details.interpreter
    client.access_needs = details.access_needs or None
    client.date_of_birth = details.date_of_birth.isoformat() if details.date_of_birth else None
    client.birth_year_key = birth_year_key(details.known_birth_year)
    client.phone = details.phone or None
    client.address = details.address or None
    client.may_call = details.may_call
    client.may_leave_message = details.may_leave_message
    client.contact_channel = details.contact_channel
    client.contact_hours = details.contact_hours or None
    client.contact_notes = details.contact_notes or None
    client.gender_identity = details.gender_identity
    client.age_band = str(details.age_band)
    client.economic_region = details.economic_region
    client.settlement = details.settlement
    client.disability = details.disability
    for kind in ("services", "statistics", "sharing"):
        given = bool(getattr(details, f"consent_{kind}"))
        # A consent is dated and signed by whoever recorded a change of it.
        if (
            given != bool(getattr(client, f"consent_{kind}"))
            or getattr(client, f"consent_{kind}_on") is None
        ):
            setattr(client, f"consent_{kind}", given)
            setattr(client, f"consent_{kind}_on", today)
            setattr(client, f"consent_{kind}_by_id", recorded_by)
    wanted = set(details.key_populations)
    client.key_populations = [row for row in client.key_populations if row.population in wanted]
    have = {row.population for row in client.key_populations}
    client.key_populations.extend(
        ClientKeyPopulation(population=code) for code in sorted(wanted - have)
    )


def create_client(
    session: Session, clinic: Clinic, details: ClientDetails, *, created_by: int | None, today: date
) -> Client:
    validate_client(details, today)
    client = Client(clinic_id=clinic.id, created_by_id=created_by, key_populations=[])
    client.number = client_number(clinic.code, next_number(session, clinic.id, "client"))
    _apply(client, details, created_by, today)
    session.add(client)
    session.flush()
    index_client_names(session, client, new=True)
    record_event(session, "client.created", object_type="client", object_id=client.id)
    return client


def update_client(
    session: Session,
    client: Client,
    details: ClientDetails,
    *,
    expected_version: int,
    recorded_by: int | None,
    today: date,
) -> Client:
    if client.version != expected_version:
        raise ConflictError(_("Someone else changed this client after you opened it."))
    validate_client(details, today)
    _apply(client, details, recorded_by, today)
    # Touch the row even when only the groups changed: the version must move on every edit.
    client.updated_at = utcnow()
    session.flush()
    index_client_names(session, client)
    record_event(session, "client.updated", object_type="client", object_id=client.id)
    return client

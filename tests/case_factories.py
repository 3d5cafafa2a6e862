"""Build clients and cases through the real services, as an intake would."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.cases.services import CaseDetails, RespondentInput, open_case, take_intake
from legalaid.clients.services import ClientDetails
from legalaid.clinics.models import Clinic

_counter = itertools.count(1)


def client_details(full_name: str | None = None, **overrides: object) -> ClientDetails:
    n = next(_counter)
    values: dict[str, object] = {
        "full_name": full_name or f"Synthetic Person{n} Testova",
        "gender_identity": "woman",
        "economic_region": "baku",
        "settlement": "urban",
        "age_band": "25_29",
        "consent_services": True,
        "consent_statistics": True,
        "consent_sharing": True,
    }
    values.update(overrides)
    return ClientDetails(**values)  # type: ignore[arg-type]


def make_case(
    session: Session,
    lawyer: User,
    *,
    full_name: str | None = None,
    respondents: tuple[tuple[str, str], ...] = (),
    risk: str = "medium",
    category: str = "gbv",
    open_it: bool = True,
    on: date | None = None,
    **client_overrides: object,
) -> Case:
    """A case of ``lawyer``'s clinic assigned to her, opened unless ``open_it`` is false."""
    clinic = session.get(Clinic, lawyer.clinic_id)
    assert clinic is not None
    day = on or today()
    details = CaseDetails(
        category=category,
        risk_level=risk,
        gbv_type="physical_assault" if category == "gbv" else None,
        grounds=["hiv_status"] if category == "discrimination" else [],
        discrimination_domain="health_care" if category == "discrimination" else None,
        incident_date=day - timedelta(days=3),
    )
    result = take_intake(
        session,
        lawyer,
        clinic=clinic,
        existing_client=None,
        client_details=client_details(full_name, **client_overrides),
        case_details=details,
        respondents=[RespondentInput(name, relation) for name, relation in respondents],
        assigned_lawyer_id=lawyer.id,
        decision="proceed",
        decline_reason="",
        today=day,
    )
    if open_it:
        open_case(
            session, result.case, expected_version=result.case.version, by=lawyer.id, today=day
        )
    session.commit()
    return result.case

"""Build clients and cases through the real services, as an intake would."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import NamedTuple

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.cases.services import (
    CaseDetails,
    RespondentInput,
    close_case,
    open_case,
    take_intake,
)
from legalaid.clients.models import Client
from legalaid.clients.services import ClientDetails
from legalaid.clinics.models import Clinic
from tests.factories import create_user, signed_in_client
from tests.helpers import post_form

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
    details: CaseDetails | None = None,
    existing_client: Client | None = None,
    decline: bool = False,
    commit: bool = True,
    **client_overrides: object,
) -> Case:
    """A case of ``lawyer``'s clinic assigned to her, taken through the intake service.

    Opened unless ``open_it`` is false or the intake is declined (``decline``); ``details``
    replaces the case details made from ``category`` and ``risk``; ``existing_client`` takes
    the case for a client already registered. ``commit=False`` only flushes.
    """
    clinic = session.get(Clinic, lawyer.clinic_id)
    assert clinic is not None
    day = on or today()
    if details is None:
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
        existing_client=existing_client,
        client_details=(None if existing_client else client_details(full_name, **client_overrides)),
        case_details=details,
        respondents=[RespondentInput(name, relation) for name, relation in respondents],
        assigned_lawyer_id=lawyer.id,
        decision="decline" if decline else "proceed",
        decline_reason="Synthetic conflict" if decline else "",
        today=day,
    )
    if open_it and not decline:
        open_case(
            session, result.case, expected_version=result.case.version, by=lawyer.id, today=day
        )
    if commit:
        session.commit()
    else:
        session.flush()
    return result.case


def close_years_ago(
    session: Session,
    case_: Case,
    years: int,
    *,
    today: date,
    closed_on: date,
    outcome: str = "resolved_favour",
) -> None:
    """Close ``case_`` through the service on ``closed_on``, then move its closing date to
    ``years`` before ``today``: a client whose case closed long ago, due for erasure."""
    close_case(
        session,
        case_,
        expected_version=case_.version,
        outcome=outcome,
        closed_on=closed_on,
        by=case_.assigned_lawyer_id,
        today=closed_on,
    )
    session.execute(
        update(Case)
        .where(Case.id == case_.id)
        .values(closed_on=today.replace(year=today.year - years))
    )
    session.commit()


class CaseAtHand(NamedTuple):
    """A signed-in lawyer's test client, her case and herself (by id)."""

    client: FlaskClient
    case_id: int
    lawyer_id: int


def lawyer_with_case(app: Flask, session: Session, *, language: str = "en") -> CaseAtHand:
    """A lawyer (speaking ``language``) signed in, with an open case of her own."""
    lawyer = create_user(session, "lawyer")
    lawyer.preferred_language = language
    case_ = make_case(session, lawyer)
    return CaseAtHand(signed_in_client(app, session, lawyer), case_.id, lawyer.id)


def post_hearing(client: FlaskClient, case_id: int, fields: dict[str, str]) -> TestResponse:
    """Post the case page's hearing form with ``fields``, as she would."""
    return post_form(client, f"/cases/{case_id}/hearings", fields, page=f"/cases/{case_id}")

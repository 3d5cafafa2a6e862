"""Case, client, casework and referral services, called directly (no request, no view).

What is checked is what the services promise: numbers, validation that names the field
and saves nothing, the lifecycle with its history, assignment, record scoping, stale
edits refused, corrections kept, consent before referral, and encryption at rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.cases.models import (
    Case,
    CaseAssignment,
    CaseDiscriminationGround,
    CaseStatusChange,
    Respondent,
)
from legalaid.cases.scope import (
    get_visible_case,
    get_visible_client,
    visible_cases,
    visible_clients,
)
from legalaid.cases.services import (
    CaseDetails,
    IntakeResult,
    RespondentInput,
    assign_case,
    close_case,
    open_case,
    reopen_case,
    take_intake,
    update_case,
)
from legalaid.casework.models import Hearing, Note, NoteRevision, ServiceDelivery
from legalaid.casework.services import (
    add_hearing,
    add_note,
    add_service,
    correct_note,
    record_order_result,
    set_hearing_done,
)
from legalaid.clients.models import Client, ClientKeyPopulation
from legalaid.clients.services import ClientDetails, age_band_on, create_client, update_client
from legalaid.clinics.models import Clinic, NumberCounter
from legalaid.conflicts.models import ConflictCheck, NameKey
from legalaid.conflicts.names import birth_year_key
from legalaid.errors import ConflictError, DomainError, NotFoundError
from legalaid.providers.models import ServiceProvider
from legalaid.providers.services import create_provider, update_provider
from legalaid.referrals.models import Referral
from legalaid.referrals.services import refer, set_referral_status
from tests.factories import create_clinic, create_user

TODAY = date(2026, 3, 10)
NAME = "Aynur Məmmədova"


@dataclass
class World:
    baku: Clinic
    ganja: Clinic
    lawyer: User
    lawyer_2: User
    manager: User
    ganja_lawyer: User
    ganja_manager: User


@pytest.fixture
def world(session: Session) -> World:
    baku = create_clinic(session, "BAK")
    ganja = create_clinic(session, "GNJ", region="ganja_dashkasan")
    return World(
        baku=baku,
        ganja=ganja,
        lawyer=create_user(session, "lawyer", clinic=baku),
        lawyer_2=create_user(session, "lawyer", clinic=baku),
        manager=create_user(session, "manager", clinic=baku),
        ganja_lawyer=create_user(session, "lawyer", clinic=ganja),
        ganja_manager=create_user(session, "manager", clinic=ganja),
    )


def client_details(**overrides: Any) -> ClientDetails:
    values: dict[str, Any] = {
        "full_name": NAME,
        "gender_identity": "woman",
        "economic_region": "baku",
        "settlement": "urban",
        "age_band": "30_39",
    }
    values.update(overrides)
    return ClientDetails(**values)


def case_details(**overrides: Any) -> CaseDetails:
    values: dict[str, Any] = {
        "category": "gbv",
        "risk_level": "high",
        "gbv_type": "physical_assault",
        "summary": "She was beaten by her husband.",
    }
    values.update(overrides)
    return CaseDetails(**values)


def intake(
    session: Session,
    user: User,
    clinic: Clinic,
    *,
    lawyer: User | None = None,
    client: ClientDetails | None = None,
    case: CaseDetails | None = None,
    respondents: list[RespondentInput] | None = None,
    existing: Client | None = None,
    decision: str = "proceed",
    reason: str = "",
    today: date = TODAY,
) -> IntakeResult:
    return take_intake(
        session,
        user,
        clinic=clinic,
        existing_client=existing,
        client_details=None if existing else (client or client_details()),
        case_details=case or case_details(),
        respondents=respondents or [],
        assigned_lawyer_id=(lawyer or user).id,
        decision=decision,
        decline_reason=reason,
        today=today,
    )


def opened(session: Session, world: World, **kw: Any) -> Case:
    case_ = intake(session, world.lawyer, world.baku, **kw).case
    return open_case(
        session, case_, expected_version=case_.version, by=world.lawyer.id, today=TODAY
    )


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


TABLES = (
    Case,
    Client,
    ClientKeyPopulation,
    Respondent,
    NameKey,
    ConflictCheck,
    CaseStatusChange,
    CaseAssignment,
    NumberCounter,
    AuditEntry,
)


def counts(session: Session) -> dict[str, int]:
    return {model.__name__: count(session, model) for model in TABLES}


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


# --- numbers ----------------------------------------------------------------------------------


def test_case_and_client_numbers_run_per_clinic_and_year(session: Session, world: World) -> None:
    first = intake(session, world.lawyer, world.baku)
    second = intake(session, world.lawyer, world.baku, client=client_details(full_name="Leyla"))
    other = intake(session, world.ganja_lawyer, world.ganja)
    next_year = intake(
        session,
        world.lawyer,
        world.baku,
        client=client_details(full_name="Səbinə Əliyeva"),
        today=date(2027, 1, 2),
    )
    again = intake(session, world.lawyer, world.baku, existing=first.client)

    assert [first.case.number, second.case.number] == ["BAK-2026-0001", "BAK-2026-0002"]
    assert (first.case.year, first.case.seq, second.case.seq) == (2026, 1, 2)
    assert other.case.number == "GNJ-2026-0001"
    assert next_year.case.number == "BAK-2027-0001"
    assert again.case.number == "BAK-2026-0003"
    assert [first.client.number, second.client.number, next_year.client.number] == [
        "BAK-C-00001",
        "BAK-C-00002",
        "BAK-C-00003",
    ]
    assert other.client.number == "GNJ-C-00001"
    assert again.client.number == "BAK-C-00001"


def test_a_declined_intake_takes_a_number_too(session: Session, world: World) -> None:
    declined = intake(session, world.lawyer, world.baku, decision="decline", reason="conflict")
    following = intake(session, world.lawyer, world.baku, client=client_details(full_name="Leyla"))
    assert declined.case.number == "BAK-2026-0001"
    assert following.case.number == "BAK-2026-0002"


# --- validation -----------------------------------------------------------------------------


FUTURE = TODAY + timedelta(days=1)

INVALID_INTAKES = [
    # (what, client overrides, case overrides, respondents, field named)
    ("incident in the future", {}, {"incident_date": FUTURE}, [], "incident_date"),
    ("born in the future", {"date_of_birth": FUTURE, "age_band": None}, {}, [], "date_of_birth"),
    ("born before 1900", {"date_of_birth": date(1899, 12, 31)}, {}, [], "date_of_birth"),
    ("birth year ahead", {"birth_year": 2027}, {}, [], "birth_year"),
    ("age band disagrees", {"date_of_birth": date(2000, 1, 1)}, {}, [], "age_band"),
    ("no age band at all", {"age_band": None}, {}, [], "age_band"),
    ("unknown age band", {"age_band": "30_40"}, {}, [], "age_band"),
    ("unknown gender", {"gender_identity": "female"}, {}, [], "gender_identity"),
    ("unknown region", {"economic_region": "moscow"}, {}, [], "economic_region"),
    ("unknown settlement", {"settlement": "suburb"}, {}, [], "settlement"),
    ("unknown group", {"key_populations": ["hiv", "msm"]}, {}, [], "key_populations"),
    ("unknown channel", {"contact_channel": "pigeon"}, {}, [], "contact_channel"),
    ("no name", {"full_name": "   "}, {}, [], "full_name"),
    ("over-long name", {"full_name": "x" * 201}, {}, [], "full_name"),
    ("over-long address", {"address": "x" * 301}, {}, [], "address"),
    ("over-long notes", {"contact_notes": "x" * 501}, {}, [], "contact_notes"),
    ("not a phone", {"phone": "call her at home"}, {}, [], "phone"),
    ("unknown category", {}, {"category": "civil"}, [], "category"),
    ("unknown risk", {}, {"risk_level": "extreme"}, [], "risk_level"),
    ("unknown gbv type", {}, {"gbv_type": "slap"}, [], "gbv_type"),
    ("gbv without its type", {}, {"gbv_type": None}, [], "gbv_type"),
    (
        "discrimination without grounds",
        {},
        {"category": "discrimination", "discrimination_domain": "health_care"},
        [],
        "grounds",
    ),
    (
        "discrimination without domain",
        {},
        {"category": "discrimination", "grounds": ["hiv_status"]},
        [],
        "discrimination_domain",
    ),
    (
        "unknown ground",
        {},
        {"category": "discrimination", "grounds": ["race"], "discrimination_domain": "courts"},
        [],
        "grounds",
    ),
    (
        "unknown domain",
        {},
        {"category": "discrimination", "grounds": ["sex"], "discrimination_domain": "moon"},
        [],
        "discrimination_domain",
    ),
    ("unknown incident region", {}, {"incident_region": "paris"}, [], "incident_region"),
    ("over-long summary", {}, {"summary": "x" * 5001}, [], "summary"),
    ("unknown referral source", {}, {"referral_source": "tv"}, [], "referral_source"),
    (
        "unknown provider",
        {},
        {"referral_source_provider_id": 987654},
        [],
        "referral_source_provider_id",
    ),
    (
        "respondent without relation",
        {},
        {},
        [RespondentInput("Rəşad Əliyev", "")],
        "respondents-0-relation",
    ),
    (
        "respondent with unknown relation",
        {},
        {},
        [RespondentInput("", "stranger"), RespondentInput("Rəşad Əliyev", "neighbour")],
        "respondents-1-relation",
    ),
    (
        "over-long respondent name",
        {},
        {},
        [RespondentInput("x" * 201, "stranger")],
        "respondents-0-name",
    ),
]


@pytest.mark.parametrize(
    ("client_overrides", "case_overrides", "respondents", "field"),
    [row[1:] for row in INVALID_INTAKES],
    ids=[row[0] for row in INVALID_INTAKES],
)
def test_an_invalid_intake_names_the_field_and_saves_nothing(
    session: Session,
    world: World,
    client_overrides: dict[str, Any],
    case_overrides: dict[str, Any],
    respondents: list[RespondentInput],
    field: str,
) -> None:
    before = counts(session)
    with pytest.raises(DomainError) as caught:
        intake(
            session,
            world.lawyer,
            world.baku,
            client=client_details(**client_overrides),
            case=case_details(**case_overrides),
            respondents=respondents,
        )
    assert caught.value.field == field
    assert str(caught.value)  # a message for the form, not an empty error
    assert counts(session) == before


@pytest.mark.parametrize("who", ["ganja_lawyer", "manager", "inactive", "nobody"])
def test_an_intake_is_assigned_to_an_active_lawyer_of_the_clinic(
    session: Session, world: World, who: str
) -> None:
    assignee: Any
    if who == "inactive":
        assignee = create_user(session, "lawyer", clinic=world.baku, active=False)
    elif who == "nobody":
        assignee = User(id=0)
    else:
        assignee = getattr(world, who)
    before = counts(session)
    with pytest.raises(DomainError) as caught:
        intake(session, world.manager, world.baku, lawyer=assignee)
    assert caught.value.field == "assigned_lawyer_id"
    assert counts(session) == before


def test_an_intake_without_client_details_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as caught:
        take_intake(
            session,
            world.lawyer,
            clinic=world.baku,
            existing_client=None,
            client_details=None,
            case_details=case_details(),
            respondents=[],
            assigned_lawyer_id=world.lawyer.id,
            decision="proceed",
            decline_reason="",
            today=TODAY,
        )
    assert caught.value.field == "full_name"
    assert count(session, Case) == 0


def test_an_intake_keeps_what_was_given(session: Session, world: World) -> None:
    result = intake(
        session,
        world.lawyer,
        world.baku,
        client=client_details(full_name="  Aynur Məmmədova  ", phone="+994 (50) 123-45-67"),
        case=case_details(
            category="discrimination",
            gbv_type="rape",  # dropped: not a GBV case
            intimate_partner_violence=True,
            grounds=["sex_work", "hiv_status", "sex_work"],
            discrimination_domain="health_care",
            incident_date=TODAY,
            incident_region="ganja_dashkasan",
            referral_source="community",
        ),
        respondents=[
            RespondentInput(" Rəşad Əliyev ", "health_worker"),
            RespondentInput("", ""),  # an empty row of the form is no respondent
            RespondentInput("", "institution"),
        ],
    )
    case_ = result.case
    assert case_.status == "intake"
    assert case_.intake_on == TODAY
    assert case_.opened_on is None
    assert case_.clinic_id == world.baku.id
    assert case_.client_id == result.client.id
    assert case_.assigned_lawyer_id == world.lawyer.id
    assert case_.created_by_id == world.lawyer.id
    assert case_.gbv_type is None
    assert case_.intimate_partner_violence is False
    assert case_.ground_codes == ["hiv_status", "sex_work"]
    assert case_.discrimination_domain == "health_care"
    assert case_.incident_region == "ganja_dashkasan"
    assert result.client.full_name == "Aynur Məmmədova"
    assert result.client.phone == "+994 (50) 123-45-67"
    respondents = session.scalars(
        select(Respondent).where(Respondent.case_id == case_.id).order_by(Respondent.id)
    ).all()
    assert [(row.name, row.relation) for row in respondents] == [
        ("Rəşad Əliyev", "health_worker"),
        (None, "institution"),
    ]
    (change,) = session.scalars(
        select(CaseStatusChange).where(CaseStatusChange.case_id == case_.id)
    ).all()
    assert (change.from_status, change.to_status, change.outcome) == (None, "intake", None)
    (assignment,) = session.scalars(
        select(CaseAssignment).where(CaseAssignment.case_id == case_.id)
    ).all()
    assert (assignment.from_lawyer_id, assignment.to_lawyer_id) == (None, world.lawyer.id)
    assert "case.created" in actions(session)


def test_a_gbv_case_keeps_its_context_flags(session: Session, world: World) -> None:
    case_ = intake(
        session,
        world.lawyer,
        world.baku,
        case=case_details(
            gbv_type="forced_marriage",
            early_marriage=True,
            intimate_partner_violence=True,
            grounds=["sex"],  # dropped: not a discrimination case
            discrimination_domain="family",
        ),
    ).case
    assert case_.gbv_type == "forced_marriage"
    assert case_.early_marriage
    assert case_.intimate_partner_violence
    assert case_.ground_codes == []
    assert case_.discrimination_domain is None
    assert count(session, CaseDiscriminationGround) == 0


# --- clients: age, groups, consents --------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2008, 3, 11), "under_18"),
        (date(2008, 3, 10), "18_24"),
        (date(2001, 3, 11), "18_24"),
        (date(2001, 3, 10), "25_29"),
        (date(1996, 3, 10), "30_39"),
        (date(1986, 3, 11), "30_39"),
        (date(1986, 3, 10), "40_49"),
        (date(1976, 3, 10), "50_59"),
        (date(1966, 3, 11), "50_59"),
        (date(1966, 3, 10), "60_plus"),
        (date(1930, 1, 1), "60_plus"),
    ],
)
def test_the_age_band_comes_from_the_date_of_birth(
    session: Session, world: World, born: date, band: str
) -> None:
    assert age_band_on(born, TODAY) == band
    client = create_client(
        session,
        world.baku,
        client_details(date_of_birth=born, age_band=None),
        created_by=world.lawyer.id,
        today=TODAY,
    )
    assert client.age_band == band
    assert client.date_of_birth == born.isoformat()
    # The stored key is the keyed hash of the year, never the year itself (a hex digest can
    # contain any four digits by chance, so the test compares with the hash, not a substring).
    assert client.birth_year_key is not None
    assert client.birth_year_key == birth_year_key(born.year)
    assert client.birth_year_key != str(born.year)
    assert len(client.birth_year_key) == 64


def test_an_age_band_alone_keeps_no_birth_year(session: Session, world: World) -> None:
    client = create_client(
        session, world.baku, client_details(), created_by=world.lawyer.id, today=TODAY
    )
    assert client.age_band == "30_39"
    assert client.date_of_birth is None
    assert client.birth_year_key is None


def test_key_populations_are_stored_as_rows(session: Session, world: World) -> None:
    client = create_client(
        session,
        world.baku,
        client_details(key_populations=["sex_work", "hiv", "hiv"], gender_identity="trans_woman"),
        created_by=world.lawyer.id,
        today=TODAY,
    )
    stored = session.execute(
        select(ClientKeyPopulation.population)
        .where(ClientKeyPopulation.client_id == client.id)
        .order_by(ClientKeyPopulation.population)
    ).scalars()
    assert list(stored) == ["hiv", "sex_work"]
    assert client.population_codes == ["hiv", "sex_work"]

    update_client(
        session,
        client,
        client_details(key_populations=["drug_use", "hiv"]),
        expected_version=client.version,
        recorded_by=world.lawyer.id,
        today=TODAY,
    )
    session.expire_all()
    assert session.get(Client, client.id).population_codes == ["drug_use", "hiv"]  # type: ignore[union-attr]

    update_client(
        session,
        client,
        client_details(key_populations=[]),
        expected_version=client.version,
        recorded_by=world.lawyer.id,
        today=TODAY,
    )
    assert count(session, ClientKeyPopulation) == 0


def test_consents_are_dated_and_signed(session: Session, world: World) -> None:
    client = create_client(
        session,
        world.baku,
        client_details(consent_services=True, consent_statistics=True),
        created_by=world.lawyer.id,
        today=TODAY,
    )
    for kind, given in (("services", True), ("statistics", True), ("sharing", False)):
        assert getattr(client, f"consent_{kind}") is given
        # A refusal is recorded as carefully as a consent.
        assert getattr(client, f"consent_{kind}_on") == TODAY
        assert getattr(client, f"consent_{kind}_by_id") == world.lawyer.id

    later = TODAY + timedelta(days=5)
    update_client(
        session,
        client,
        client_details(consent_services=True, consent_statistics=False, consent_sharing=True),
        expected_version=client.version,
        recorded_by=world.manager.id,
        today=later,
    )
    assert (client.consent_services_on, client.consent_services_by_id) == (TODAY, world.lawyer.id)
    assert client.consent_statistics is False
    assert (client.consent_statistics_on, client.consent_statistics_by_id) == (
        later,
        world.manager.id,
    )
    assert client.consent_sharing is True
    assert (client.consent_sharing_on, client.consent_sharing_by_id) == (later, world.manager.id)
    assert actions(session)[-1] == "client.updated"


def test_a_stale_client_edit_is_refused(session: Session, world: World) -> None:
    client = create_client(
        session, world.baku, client_details(), created_by=world.lawyer.id, today=TODAY
    )
    version = client.version
    update_client(
        session,
        client,
        client_details(phone="+994501234567"),
        expected_version=version,
        recorded_by=world.lawyer.id,
        today=TODAY,
    )
    with pytest.raises(ConflictError):
        update_client(
            session,
            client,
            client_details(phone="+994509999999"),
            expected_version=version,
            recorded_by=world.lawyer.id,
            today=TODAY,
        )
    assert client.phone == "+994501234567"


def test_a_change_of_groups_only_is_a_new_version(session: Session, world: World) -> None:
    client = create_client(
        session, world.baku, client_details(key_populations=["hiv"]), created_by=None, today=TODAY
    )
    stale = client.version
    update_client(
        session,
        client,
        client_details(key_populations=["hiv", "drug_use"]),
        expected_version=stale,
        recorded_by=None,
        today=TODAY,
    )
    assert client.version > stale


# --- lifecycle ------------------------------------------------------------------------------------


def _changes(session: Session, case_: Case) -> list[tuple[str | None, str, str | None, str | None]]:
    rows = session.scalars(
        select(CaseStatusChange)
        .where(CaseStatusChange.case_id == case_.id)
        .order_by(CaseStatusChange.id)
    )
    return [(row.from_status, row.to_status, row.outcome, row.reason) for row in rows]


def test_intake_open_close_reopen(session: Session, world: World) -> None:
    case_ = intake(session, world.lawyer, world.baku).case

    open_case(session, case_, expected_version=case_.version, by=world.lawyer.id, today=TODAY)
    assert (case_.status, case_.opened_on) == ("open", TODAY)
    with pytest.raises(DomainError):
        open_case(session, case_, expected_version=case_.version, by=world.lawyer.id, today=TODAY)

    closed_on = TODAY - timedelta(days=0)
    close_case(
        session,
        case_,
        expected_version=case_.version,
        outcome="resolved_favour",
        closed_on=closed_on,
        by=world.lawyer.id,
        today=TODAY,
    )
    assert (case_.status, case_.outcome, case_.closed_on) == ("closed", "resolved_favour", TODAY)
    with pytest.raises(DomainError):
        close_case(
            session,
            case_,
            expected_version=case_.version,
            outcome="withdrawn",
            closed_on=None,
            by=world.lawyer.id,
            today=TODAY,
        )

    reopen_case(
        session,
        case_,
        expected_version=case_.version,
        reason="The respondent appealed.",
        by=world.manager.id,
    )
    assert (case_.status, case_.outcome, case_.closed_on) == ("open", None, None)
    assert case_.opened_on == TODAY
    with pytest.raises(DomainError):
        reopen_case(session, case_, expected_version=case_.version, reason="again", by=None)

    assert _changes(session, case_) == [
        (None, "intake", None, None),
        ("intake", "open", None, None),
        ("open", "closed", "resolved_favour", None),
        ("closed", "open", None, "The respondent appealed."),
    ]
    reopened = session.scalars(
        select(CaseStatusChange).where(CaseStatusChange.to_status == "open")
    ).all()[-1]
    assert reopened.changed_by_id == world.manager.id
    assert [a for a in actions(session) if a.startswith("case.")] == [
        "case.created",
        "case.opened",
        "case.closed",
        "case.reopened",
    ]


def test_a_case_does_not_open_without_a_check_to_proceed(session: Session, world: World) -> None:
    case_ = intake(session, world.lawyer, world.baku).case
    for check in session.scalars(select(ConflictCheck).where(ConflictCheck.case_id == case_.id)):
        session.delete(check)
    session.flush()
    with pytest.raises(DomainError):
        open_case(session, case_, expected_version=case_.version, by=None, today=TODAY)
    assert case_.status == "intake"
    assert case_.opened_on is None
    assert _changes(session, case_) == [(None, "intake", None, None)]


def test_a_declined_case_reopens_to_intake_and_still_cannot_open(
    session: Session, world: World
) -> None:
    case_ = intake(
        session, world.lawyer, world.baku, decision="decline", reason="We act for her husband."
    ).case
    assert (case_.status, case_.outcome) == ("closed", "conflict_declined")
    reopen_case(
        session, case_, expected_version=case_.version, reason="Husband's file closed.", by=None
    )
    assert (case_.status, case_.outcome, case_.closed_on) == ("intake", None, None)
    # The check on file says decline: a new check must say proceed before it opens.
    with pytest.raises(DomainError):
        open_case(session, case_, expected_version=case_.version, by=None, today=TODAY)
    assert _changes(session, case_) == [
        (None, "closed", "conflict_declined", "We act for her husband."),
        ("closed", "intake", None, "Husband's file closed."),
    ]


@pytest.mark.parametrize(
    ("outcome", "closed_on", "field"),
    [
        ("won", None, "outcome"),
        ("", None, "outcome"),
        ("resolved_favour", TODAY + timedelta(days=1), "closed_on"),
        ("resolved_favour", TODAY - timedelta(days=1), "closed_on"),  # before the intake
    ],
)
def test_closing_needs_a_known_outcome_and_a_sensible_date(
    session: Session, world: World, outcome: str, closed_on: date | None, field: str
) -> None:
    case_ = opened(session, world)
    version = case_.version
    with pytest.raises(DomainError) as caught:
        close_case(
            session,
            case_,
            expected_version=version,
            outcome=outcome,
            closed_on=closed_on,
            by=None,
            today=TODAY,
        )
    assert caught.value.field == field
    session.flush()
    assert case_.status == "open"
    assert case_.outcome is None
    assert case_.version == version
    assert len(_changes(session, case_)) == 2


def test_closing_defaults_to_today(session: Session, world: World) -> None:
    case_ = opened(session, world)
    later = TODAY + timedelta(days=30)
    close_case(
        session,
        case_,
        expected_version=case_.version,
        outcome="lost_contact",
        closed_on=None,
        by=None,
        today=later,
    )
    assert case_.closed_on == later


@pytest.mark.parametrize(
    ("reason", "field"), [("", "reason"), ("  ", "reason"), ("x" * 1001, "reason")]
)
def test_reopening_needs_a_reason(session: Session, world: World, reason: str, field: str) -> None:
    case_ = opened(session, world)
    close_case(
        session,
        case_,
        expected_version=case_.version,
        outcome="withdrawn",
        closed_on=None,
        by=None,
        today=TODAY,
    )
    with pytest.raises(DomainError) as caught:
        reopen_case(session, case_, expected_version=case_.version, reason=reason, by=None)
    assert caught.value.field == field
    assert case_.status == "closed"
    assert case_.outcome == "withdrawn"


def test_a_closed_case_takes_no_new_work(session: Session, world: World) -> None:
    case_ = opened(session, world)
    close_case(
        session,
        case_,
        expected_version=case_.version,
        outcome="withdrawn",
        closed_on=None,
        by=None,
        today=TODAY,
    )
    with pytest.raises(DomainError):
        add_service(
            session,
            case_,
            service_type="advice",
            delivered_on=TODAY,
            order_kind=None,
            by=None,
            today=TODAY,
        )
    with pytest.raises(DomainError):
        add_hearing(session, case_, kind="hearing", due_on=TODAY, place="", by=None, today=TODAY)
    assert count(session, ServiceDelivery) == count(session, Hearing) == 0


# --- stale edits ----------------------------------------------------------------------------------


def test_stale_case_edits_are_refused(session: Session, world: World) -> None:
    case_ = opened(session, world)
    stale = case_.version
    update_case(
        session,
        case_,
        case_details(risk_level="medium"),
        expected_version=stale,
        today=TODAY,
    )
    assert case_.version > stale
    assert case_.risk_level == "medium"

    with pytest.raises(ConflictError):
        update_case(
            session, case_, case_details(risk_level="low"), expected_version=stale, today=TODAY
        )
    with pytest.raises(ConflictError):
        close_case(
            session,
            case_,
            expected_version=stale,
            outcome="withdrawn",
            closed_on=None,
            by=None,
            today=TODAY,
        )
    with pytest.raises(ConflictError):
        assign_case(
            session,
            case_,
            lawyer_id=world.lawyer_2.id,
            reason="leave",
            by=world.manager.id,
            expected_version=stale,
        )
    assert (case_.risk_level, case_.status, case_.assigned_lawyer_id) == (
        "medium",
        "open",
        world.lawyer.id,
    )

    close_case(
        session,
        case_,
        expected_version=case_.version,
        outcome="withdrawn",
        closed_on=None,
        by=None,
        today=TODAY,
    )
    with pytest.raises(ConflictError):
        reopen_case(session, case_, expected_version=stale, reason="back", by=None)
    assert case_.status == "closed"


def test_a_change_of_grounds_only_is_a_new_version(session: Session, world: World) -> None:
    details = {"category": "discrimination", "gbv_type": None, "discrimination_domain": "courts"}
    case_ = opened(session, world, case=case_details(grounds=["sex"], **details))
    stale = case_.version
    update_case(
        session,
        case_,
        case_details(grounds=["sex", "hiv_status"], **details),
        expected_version=stale,
        today=TODAY,
    )
    assert case_.version > stale


def test_a_stale_open_is_refused(session: Session, world: World) -> None:
    case_ = intake(session, world.lawyer, world.baku).case
    stale = case_.version
    update_case(session, case_, case_details(risk_level="low"), expected_version=stale, today=TODAY)
    with pytest.raises(ConflictError):
        open_case(session, case_, expected_version=stale, by=None, today=TODAY)
    assert case_.status == "intake"


def test_an_update_is_validated_like_an_intake(session: Session, world: World) -> None:
    case_ = opened(session, world)
    with pytest.raises(DomainError) as caught:
        update_case(
            session,
            case_,
            case_details(incident_date=TODAY + timedelta(days=1)),
            expected_version=case_.version,
            today=TODAY,
        )
    assert caught.value.field == "incident_date"
    session.refresh(case_)
    assert case_.incident_date is None
    assert case_.summary == "She was beaten by her husband."


# --- assignment -----------------------------------------------------------------------------------


def test_reassignment_keeps_its_history(session: Session, world: World) -> None:
    case_ = opened(session, world)
    assign_case(
        session,
        case_,
        lawyer_id=world.lawyer_2.id,
        reason="Her colleague speaks Russian.",
        by=world.manager.id,
    )
    assert case_.assigned_lawyer_id == world.lawyer_2.id
    history = session.scalars(
        select(CaseAssignment).where(CaseAssignment.case_id == case_.id).order_by(CaseAssignment.id)
    ).all()
    assert [(row.from_lawyer_id, row.to_lawyer_id, row.reason) for row in history] == [
        (None, world.lawyer.id, None),
        (world.lawyer.id, world.lawyer_2.id, "Her colleague speaks Russian."),
    ]
    assert history[1].assigned_by_id == world.manager.id
    assert actions(session)[-1] == "case.reassigned"


@pytest.mark.parametrize(
    ("who", "reason", "field"),
    [
        ("ganja_lawyer", "caseload", "lawyer_id"),
        ("manager", "caseload", "lawyer_id"),
        ("inactive", "caseload", "lawyer_id"),
        ("nobody", "caseload", "lawyer_id"),
        ("lawyer", "caseload", "lawyer_id"),  # she has it already
        ("lawyer_2", "", "reason"),
        ("lawyer_2", "   ", "reason"),
        ("lawyer_2", "x" * 1001, "reason"),
    ],
)
def test_reassignment_needs_an_active_lawyer_of_the_clinic_and_a_reason(
    session: Session, world: World, who: str, reason: str, field: str
) -> None:
    case_ = opened(session, world)
    if who == "inactive":
        lawyer_id: int | None = create_user(session, "lawyer", clinic=world.baku, active=False).id
    elif who == "nobody":
        lawyer_id = None
    else:
        lawyer_id = getattr(world, who).id
    history = count(session, CaseAssignment)
    with pytest.raises(DomainError) as caught:
        assign_case(session, case_, lawyer_id=lawyer_id, reason=reason, by=world.manager.id)
    assert caught.value.field == field
    assert case_.assigned_lawyer_id == world.lawyer.id
    assert count(session, CaseAssignment) == history


# --- scoping --------------------------------------------------------------------------------------


def _visible(session: Session, user: Any) -> set[int]:
    return set(session.scalars(visible_cases(user).with_only_columns(Case.id)))


def _visible_clients(session: Session, user: Any) -> set[int]:
    return set(session.scalars(visible_clients(user).with_only_columns(Client.id)))


def test_a_lawyer_sees_the_cases_assigned_to_her(session: Session, world: World) -> None:
    mine = intake(session, world.lawyer, world.baku)
    colleagues = intake(
        session, world.lawyer_2, world.baku, client=client_details(full_name="Leyla Əliyeva")
    )
    assert _visible(session, world.lawyer) == {mine.case.id}
    assert _visible_clients(session, world.lawyer) == {mine.client.id}
    assert get_visible_case(session, world.lawyer, mine.case.id) is mine.case
    assert get_visible_client(session, world.lawyer, mine.client.id) is mine.client
    with pytest.raises(NotFoundError):
        get_visible_case(session, world.lawyer, colleagues.case.id)
    with pytest.raises(NotFoundError):
        get_visible_client(session, world.lawyer, colleagues.client.id)

    assign_case(
        session, mine.case, lawyer_id=world.lawyer_2.id, reason="leave", by=world.manager.id
    )
    assert _visible(session, world.lawyer) == set()
    assert _visible_clients(session, world.lawyer) == set()
    assert _visible(session, world.lawyer_2) == {mine.case.id, colleagues.case.id}
    with pytest.raises(NotFoundError):
        get_visible_case(session, world.lawyer, mine.case.id)


def test_a_manager_sees_her_clinic_only(session: Session, world: World) -> None:
    first = intake(session, world.lawyer, world.baku)
    second = intake(
        session, world.lawyer_2, world.baku, client=client_details(full_name="Leyla Əliyeva")
    )
    elsewhere = intake(session, world.ganja_lawyer, world.ganja)
    assert _visible(session, world.manager) == {first.case.id, second.case.id}
    assert _visible_clients(session, world.manager) == {first.client.id, second.client.id}
    assert _visible(session, world.ganja_manager) == {elsewhere.case.id}
    with pytest.raises(NotFoundError):
        get_visible_case(session, world.manager, elsewhere.case.id)
    with pytest.raises(NotFoundError):
        get_visible_client(session, world.manager, elsewhere.client.id)


@pytest.mark.parametrize("role", ["task_force", "admin"])
def test_task_force_and_admin_see_no_case(session: Session, world: World, role: str) -> None:
    result = intake(session, world.lawyer, world.baku)
    user = create_user(session, role)
    assert _visible(session, user) == set()
    assert _visible_clients(session, user) == set()
    with pytest.raises(NotFoundError):
        get_visible_case(session, user, result.case.id)
    with pytest.raises(NotFoundError):
        get_visible_client(session, user, result.client.id)
    assert _visible(session, None) == set()


def test_a_missing_case_answers_like_a_hidden_one(session: Session, world: World) -> None:
    with pytest.raises(NotFoundError) as missing:
        get_visible_case(session, world.manager, 987654)
    hidden = intake(session, world.ganja_lawyer, world.ganja).case
    with pytest.raises(NotFoundError) as refused:
        get_visible_case(session, world.manager, hidden.id)
    assert (str(missing.value), missing.value.field) == (str(refused.value), refused.value.field)


# --- notes ----------------------------------------------------------------------------------------


def test_a_correction_keeps_the_earlier_text(session: Session, world: World) -> None:
    case_ = opened(session, world)
    note = add_note(session, case_, body="  Met her at the shelter.  ", by=world.lawyer.id)
    assert note.current.body == "Met her at the shelter."
    first_version = note.version

    correct_note(
        session,
        case_,
        note,
        body="Met her at the health centre.",
        expected_version=first_version,
        by=world.manager.id,
    )
    assert note.version > first_version
    session.expire_all()
    stored = session.get(Note, note.id)
    assert stored is not None
    assert [(r.revision, r.body, r.edited_by_id) for r in stored.revisions] == [
        (1, "Met her at the shelter.", world.lawyer.id),
        (2, "Met her at the health centre.", world.manager.id),
    ]
    assert stored.current.body == "Met her at the health centre."
    assert stored.author_id == world.lawyer.id

    # A second correction from the page loaded before the first one.
    with pytest.raises(ConflictError):
        correct_note(
            session,
            case_,
            stored,
            body="Met her at home.",
            expected_version=first_version,
            by=world.lawyer.id,
        )
    with pytest.raises(DomainError) as unchanged:
        correct_note(
            session,
            case_,
            stored,
            body="Met her at the health centre. ",
            expected_version=stored.version,
            by=world.lawyer.id,
        )
    assert unchanged.value.field == "body"
    assert count(session, NoteRevision) == 2
    assert [a for a in actions(session) if a.startswith("case.note")] == [
        "case.note_added",
        "case.note_corrected",
    ]


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001])
def test_a_note_needs_a_body_of_sensible_length(session: Session, world: World, body: str) -> None:
    case_ = opened(session, world)
    with pytest.raises(DomainError) as caught:
        add_note(session, case_, body=body, by=None)
    assert caught.value.field == "body"
    assert count(session, Note) == 0


def test_a_note_is_corrected_only_through_its_case(session: Session, world: World) -> None:
    case_ = opened(session, world)
    other = opened(session, world, client=client_details(full_name="Leyla Əliyeva"))
    note = add_note(session, case_, body="first", by=None)
    with pytest.raises(NotFoundError):
        correct_note(session, other, note, body="second", expected_version=note.version, by=None)


# --- services delivered ---------------------------------------------------------------------


def test_a_protection_order_needs_its_kind_and_gets_a_result(
    session: Session, world: World
) -> None:
    case_ = opened(session, world)
    with pytest.raises(DomainError) as caught:
        add_service(
            session,
            case_,
            service_type="protection_order",
            delivered_on=TODAY,
            order_kind=None,
            by=None,
            today=TODAY,
        )
    assert caught.value.field == "order_kind"
    assert count(session, ServiceDelivery) == 0

    applied = TODAY - timedelta(days=0)
    order = add_service(
        session,
        case_,
        service_type="protection_order",
        delivered_on=applied,
        order_kind="short_term",
        by=world.lawyer.id,
        today=TODAY,
    )
    assert (order.order_kind, order.order_result, order.order_result_on) == (
        "short_term",
        "pending",
        None,
    )
    assert order.provided_by_id == world.lawyer.id

    later = TODAY + timedelta(days=3)
    with pytest.raises(DomainError) as bad_result:
        record_order_result(
            session,
            case_,
            order,
            result="maybe",
            result_on=later,
            expected_version=order.version,
            today=later,
        )
    assert bad_result.value.field == "result"
    with pytest.raises(DomainError) as future:
        record_order_result(
            session,
            case_,
            order,
            result="granted",
            result_on=later + timedelta(days=1),
            expected_version=order.version,
            today=later,
        )
    assert future.value.field == "result_on"
    with pytest.raises(DomainError) as before_application:
        record_order_result(
            session,
            case_,
            order,
            result="granted",
            result_on=applied - timedelta(days=1),
            expected_version=order.version,
            today=later,
        )
    assert before_application.value.field == "result_on"

    stale = order.version
    record_order_result(
        session,
        case_,
        order,
        result="granted",
        result_on=None,
        expected_version=stale,
        today=later,
    )
    assert (order.order_result, order.order_result_on) == ("granted", later)
    with pytest.raises(ConflictError):
        record_order_result(
            session,
            case_,
            order,
            result="refused",
            result_on=later,
            expected_version=stale,
            today=later,
        )
    assert order.order_result == "granted"
    assert "case.order_result" in actions(session)


def test_other_services_carry_no_order(session: Session, world: World) -> None:
    case_ = opened(session, world)
    advice = add_service(
        session,
        case_,
        service_type="advice",
        delivered_on=TODAY,
        order_kind="long_term",
        by=None,
        today=TODAY,
    )
    assert (advice.order_kind, advice.order_result) == (None, None)
    with pytest.raises(NotFoundError):
        record_order_result(
            session,
            case_,
            advice,
            result="granted",
            result_on=None,
            expected_version=advice.version,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("service_type", "delivered_on", "order_kind", "field"),
    [
        ("tea", TODAY, None, "service_type"),
        ("advice", None, None, "delivered_on"),
        ("advice", TODAY + timedelta(days=1), None, "delivered_on"),
        ("advice", TODAY - timedelta(days=1), None, "delivered_on"),  # before the intake
        ("protection_order", TODAY, "forever", "order_kind"),
    ],
)
def test_a_service_needs_a_known_type_and_a_sensible_date(
    session: Session,
    world: World,
    service_type: str,
    delivered_on: date | None,
    order_kind: str | None,
    field: str,
) -> None:
    case_ = opened(session, world)
    with pytest.raises(DomainError) as caught:
        add_service(
            session,
            case_,
            service_type=service_type,
            delivered_on=delivered_on,
            order_kind=order_kind,
            by=None,
            today=TODAY,
        )
    assert caught.value.field == field
    assert count(session, ServiceDelivery) == 0


# --- hearings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "due_on", "place", "field"),
    [
        ("hearing", None, "", "due_on"),
        ("hearing", date(2206, 3, 10), "", "due_on"),  # a typo of the year
        ("hearing", TODAY + timedelta(days=4 * 366), "", "due_on"),
        ("party", TODAY, "", "kind"),
        ("hearing", TODAY, "x" * 201, "place"),
    ],
)
def test_a_hearing_needs_a_known_kind_and_a_plausible_date(
    session: Session, world: World, kind: str, due_on: date | None, place: str, field: str
) -> None:
    case_ = opened(session, world)
    with pytest.raises(DomainError) as caught:
        add_hearing(session, case_, kind=kind, due_on=due_on, place=place, by=None, today=TODAY)
    assert caught.value.field == field
    assert count(session, Hearing) == 0


def test_a_hearing_a_century_ago_is_refused(session: Session, world: World) -> None:
    case_ = opened(session, world)
    with pytest.raises(DomainError) as caught:
        add_hearing(
            session, case_, kind="hearing", due_on=date(1900, 1, 1), place="", by=None, today=TODAY
        )
    assert caught.value.field == "due_on"


def test_hearings_and_deadlines_are_kept_and_done(session: Session, world: World) -> None:
    case_ = opened(session, world)
    hearing = add_hearing(
        session,
        case_,
        kind="hearing",
        due_on=TODAY + timedelta(days=2 * 365),
        place="  Baku Grave Crimes Court  ",
        by=world.lawyer.id,
        today=TODAY,
    )
    deadline = add_hearing(
        session, case_, kind="appeal_deadline", due_on=TODAY, place="", by=None, today=TODAY
    )
    assert hearing.place == "Baku Grave Crimes Court"
    assert deadline.place is None
    assert hearing.created_by_id == world.lawyer.id

    set_hearing_done(session, case_, deadline, done=True, today=TODAY)
    assert (deadline.done, deadline.done_on) == (True, TODAY)
    set_hearing_done(session, case_, deadline, done=False, today=TODAY)
    assert (deadline.done, deadline.done_on) == (False, None)

    other = opened(session, world, client=client_details(full_name="Leyla Əliyeva"))
    with pytest.raises(NotFoundError):
        set_hearing_done(session, other, hearing, done=True, today=TODAY)
    assert hearing.done is False


# --- referrals ------------------------------------------------------------------------------------


def _provider(session: Session, world: World, **overrides: Any) -> ServiceProvider:
    values: dict[str, Any] = {
        "name": "Clean World shelter",
        "service_type": "shelter",
        "economic_region": "baku",
        "contact": "+994 12 000 00 00",
        "by": world.manager.id,
    }
    values.update(overrides)
    return create_provider(session, **values)


def test_no_referral_without_consent_to_sharing(session: Session, world: World) -> None:
    case_ = opened(session, world)
    provider = _provider(session, world)
    assert case_.client.consent_sharing is False
    with pytest.raises(DomainError) as caught:
        refer(
            session,
            case_,
            provider_id=provider.id,
            service_type=None,
            sent_on=None,
            by=world.lawyer.id,
            today=TODAY,
        )
    assert caught.value.field == "provider_id"
    assert count(session, Referral) == 0
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (last.action, last.outcome) == ("case.referral_refused", "failure")
    assert (last.object_type, last.object_id) == ("case", str(case_.id))


def test_a_referral_goes_out_with_consent(session: Session, world: World) -> None:
    result = intake(session, world.lawyer, world.baku, client=client_details(consent_sharing=True))
    case_ = open_case(
        session, result.case, expected_version=result.case.version, by=None, today=TODAY
    )
    provider = _provider(session, world)
    referral = refer(
        session,
        case_,
        provider_id=provider.id,
        service_type=None,
        sent_on=None,
        by=world.lawyer.id,
        today=TODAY,
    )
    assert (referral.service_type, referral.status) == ("shelter", "sent")
    assert referral.sent_on == referral.status_on == TODAY
    assert referral.created_by_id == world.lawyer.id
    assert actions(session)[-1] == "case.referral_sent"

    stale = referral.version
    later = TODAY + timedelta(days=2)
    set_referral_status(
        session, case_, referral, status="accepted", expected_version=stale, today=later
    )
    assert (referral.status, referral.status_on) == ("accepted", later)
    with pytest.raises(ConflictError):
        set_referral_status(
            session, case_, referral, status="declined", expected_version=stale, today=later
        )
    with pytest.raises(DomainError) as bad_status:
        set_referral_status(
            session,
            case_,
            referral,
            status="lost",
            expected_version=referral.version,
            today=later,
        )
    assert bad_status.value.field == "status"
    assert referral.status == "accepted"

    other = opened(session, world, client=client_details(full_name="Leyla Əliyeva"))
    with pytest.raises(NotFoundError):
        set_referral_status(
            session,
            other,
            referral,
            status="completed",
            expected_version=referral.version,
            today=later,
        )


def test_consent_given_later_allows_the_referral(session: Session, world: World) -> None:
    case_ = opened(session, world)
    provider = _provider(session, world, service_type="health")
    update_client(
        session,
        case_.client,
        client_details(consent_sharing=True),
        expected_version=case_.client.version,
        recorded_by=world.lawyer.id,
        today=TODAY,
    )
    referral = refer(
        session,
        case_,
        provider_id=provider.id,
        service_type="harm_reduction",
        sent_on=TODAY,
        by=None,
        today=TODAY,
    )
    assert referral.service_type == "harm_reduction"


@pytest.mark.parametrize(
    ("provider", "service_type", "sent_on", "field"),
    [
        ("inactive", None, None, "provider_id"),
        ("missing", None, None, "provider_id"),
        ("active", "tea", None, "service_type"),
        ("active", None, TODAY + timedelta(days=1), "sent_on"),
        ("active", None, TODAY - timedelta(days=1), "sent_on"),  # before the intake
    ],
)
def test_a_referral_needs_an_active_provider_and_a_sensible_date(
    session: Session,
    world: World,
    provider: str,
    service_type: str | None,
    sent_on: date | None,
    field: str,
) -> None:
    case_ = intake(
        session, world.lawyer, world.baku, client=client_details(consent_sharing=True)
    ).case
    chosen = _provider(session, world)
    if provider == "inactive":
        update_provider(
            session,
            chosen,
            expected_version=chosen.version,
            name=chosen.name,
            service_type=chosen.service_type,
            economic_region=chosen.economic_region,
            contact=chosen.contact,
            active=False,
        )
    provider_id = 987654 if provider == "missing" else chosen.id
    with pytest.raises(DomainError) as caught:
        refer(
            session,
            case_,
            provider_id=provider_id,
            service_type=service_type,
            sent_on=sent_on,
            by=None,
            today=TODAY,
        )
    assert caught.value.field == field
    assert count(session, Referral) == 0


def test_providers_are_validated_and_stale_edits_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as no_name:
        _provider(session, world, name="  ")
    assert no_name.value.field == "name"
    with pytest.raises(DomainError) as bad_type:
        _provider(session, world, service_type="tea")
    assert bad_type.value.field == "service_type"
    with pytest.raises(DomainError) as bad_region:
        _provider(session, world, economic_region="moscow")
    assert bad_region.value.field == "economic_region"
    assert count(session, ServiceProvider) == 0

    provider = _provider(session, world)
    stale = provider.version

    def rename(name: str) -> ServiceProvider:
        return update_provider(
            session,
            provider,
            expected_version=stale,
            name=name,
            service_type="shelter",
            economic_region="baku",
            contact="",
            active=True,
        )

    rename("Renamed shelter")
    assert provider.name == "Renamed shelter"
    with pytest.raises(ConflictError):
        rename("Other name")
    assert provider.name == "Renamed shelter"


# --- encryption at rest ---------------------------------------------------------------------------


def _raw(session: Session, sql: str) -> list[str]:
    return [row[0] for row in session.execute(text(sql)) if row[0] is not None]


def test_personal_data_is_stored_as_ciphertext(session: Session, world: World) -> None:
    result = intake(
        session,
        world.lawyer,
        world.baku,
        client=client_details(
            other_names="Aynur Rəşad qızı",
            date_of_birth=date(1990, 5, 1),
            age_band=None,
            phone="+994501112233",
            address="Nizami küçəsi 12",
            contact_notes="Only after 18:00",
        ),
        case=case_details(summary="Husband broke her arm"),
        respondents=[RespondentInput("Rəşad Əliyev", "intimate_partner")],
    )
    case_ = open_case(
        session, result.case, expected_version=result.case.version, by=None, today=TODAY
    )
    add_note(session, case_, body="Photos of the bruises are in the safe", by=None)
    add_hearing(
        session, case_, kind="hearing", due_on=TODAY, place="Yasamal court", by=None, today=TODAY
    )
    session.flush()

    stored = {
        "Aynur Məmmədova": _raw(session, "select full_name from client"),
        "Aynur Rəşad qızı": _raw(session, "select other_names from client"),
        "1990-05-01": _raw(session, "select date_of_birth from client"),
        "+994501112233": _raw(session, "select phone from client"),
        "Nizami küçəsi 12": _raw(session, "select address from client"),
        "Only after 18:00": _raw(session, "select contact_notes from client"),
        "Husband broke her arm": _raw(session, "select summary from legal_case"),
        "Rəşad Əliyev": _raw(session, "select name from respondent"),
        "Photos of the bruises are in the safe": _raw(
            session, "select body from case_note_revision"
        ),
        "Yasamal court": _raw(session, "select place from hearing"),
    }
    for plaintext, values in stored.items():
        assert len(values) == 1, plaintext
        (value,) = values
        assert value.startswith("v1:"), plaintext
        assert plaintext not in value
        # Base64 may spell a short word by chance; a longer one it will not.
        for word in plaintext.split():
            assert len(word) < 5 or word not in value, plaintext

    keys = _raw(session, "select key from name_key")
    assert keys
    assert all(len(key) == 64 for key in keys)
    # What the services read back is the plaintext.
    session.expire_all()
    client = session.get(Client, result.client.id)
    assert client is not None
    assert client.full_name == "Aynur Məmmədova"
    assert client.date_of_birth == "1990-05-01"

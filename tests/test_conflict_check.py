"""The conflict check (legalaid.cases.conflict_check) and how an intake records it.

A match inside the user's scope shows the record; a match anywhere else names only the
clinic. These tests call the services directly, in an app context without a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.cases.conflict_check import check_conflicts
from legalaid.cases.models import Case, CaseStatusChange, Respondent
from legalaid.cases.services import (
    CaseDetails,
    IntakeResult,
    RespondentInput,
    add_respondent,
    assign_case,
    open_case,
    take_intake,
)
from legalaid.clients.models import Client
from legalaid.clients.services import ClientDetails, update_client
from legalaid.clinics.models import Clinic
from legalaid.conflicts.models import ConflictCheck, ConflictHit, NameKey
from legalaid.conflicts.names import name_skeletons
from legalaid.conflicts.service import ConflictReport, Subject
from legalaid.errors import DomainError
from tests.factories import create_clinic, create_user

TODAY = date(2026, 3, 10)


@dataclass
class World:
    baku: Clinic
    ganja: Clinic
    baku_lawyer: User
    baku_lawyer_2: User
    baku_manager: User
    ganja_lawyer: User
    ganja_manager: User


@pytest.fixture
def world(session: Session) -> World:
    baku = create_clinic(session, "BAK")
    ganja = create_clinic(session, "GNJ", region="ganja_dashkasan")
    return World(
        baku=baku,
        ganja=ganja,
        baku_lawyer=create_user(session, "lawyer", clinic=baku),
        baku_lawyer_2=create_user(session, "lawyer", clinic=baku),
        baku_manager=create_user(session, "manager", clinic=baku),
        ganja_lawyer=create_user(session, "lawyer", clinic=ganja),
        ganja_manager=create_user(session, "manager", clinic=ganja),
    )


def intake(
    session: Session,
    user: User,
    clinic: Clinic,
    name: str,
    *,
    lawyer: User | None = None,
    respondents: tuple[tuple[str, str], ...] = (),
    decision: str = "proceed",
    reason: str = "",
    existing: Client | None = None,
    **client_fields: Any,
) -> IntakeResult:
    details = None
    if existing is None:
        values: dict[str, Any] = {
            "full_name": name,
            "gender_identity": "woman",
            "economic_region": clinic.economic_region,
            "settlement": "urban",
            "age_band": "30_39",
        }
        values.update(client_fields)
        details = ClientDetails(**values)
    return take_intake(
        session,
        user,
        clinic=clinic,
        existing_client=existing,
        client_details=details,
        case_details=CaseDetails(
            category="gbv", risk_level="high", gbv_type="physical_assault", summary="beaten"
        ),
        respondents=[RespondentInput(name=n, relation=r) for n, r in respondents],
        assigned_lawyer_id=(lawyer or user).id,
        decision=decision,
        decline_reason=reason,
        today=TODAY,
    )


def check_client(
    session: Session, user: User, name: str, birth_year: int | None = None
) -> ConflictReport:
    return check_conflicts(session, user, [Subject("client", (name,), birth_year, label="Client")])


def check_respondent(session: Session, user: User, name: str) -> ConflictReport:
    return check_conflicts(session, user, [Subject("respondent", (name,), label="Respondent 1")])


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- matches and what they reveal ------------------------------------------------------------


def test_another_clinics_client_in_another_script_shows_only_the_clinic(
    session: Session, world: World
) -> None:
    intake(
        session, world.baku_lawyer, world.baku, "Aynur Məmmədova", date_of_birth=date(1990, 5, 1)
    )

    for user in (world.ganja_lawyer, world.ganja_manager):
        report = check_client(session, user, "Айнур Мамедова", 1990)
        assert len(report.hits) == 1
        (hit,) = report.hits
        assert hit.matched_kind == "client"
        assert hit.subject.kind == "client"
        assert hit.clinic_id == world.baku.id
        assert hit.clinic_code == "BAK"
        assert hit.in_scope is False
        assert (hit.client_id, hit.client_number, hit.case_id, hit.case_number) == (
            None,
            None,
            None,
            None,
        )
        assert report.result == "possible"
        assert report.elsewhere == [("Client", "BAK")]
        assert report.in_scope == []
        assert report.existing_clients() == []


def test_in_scope_match_shows_the_record_to_her_lawyer_and_the_manager(
    session: Session, world: World
) -> None:
    result = intake(session, world.baku_lawyer, world.baku, "Xədicə Cəfərova")

    for user in (world.baku_lawyer, world.baku_manager):
        report = check_client(session, user, "Khadija Jafarova")
        (hit,) = report.hits
        assert hit.in_scope is True
        assert hit.client_id == result.client.id
        assert hit.client_number == result.client.number
        assert hit.clinic_code == "BAK"
        assert report.result == "in_scope"
        assert report.elsewhere == []
        assert report.existing_clients() == [hit]

    # Another lawyer of the same clinic, not assigned: only the clinic, like anywhere else.
    report = check_client(session, world.baku_lawyer_2, "Хадиджа Джафарова")
    (hit,) = report.hits
    assert hit.in_scope is False
    assert hit.client_id is None
    assert hit.client_number is None
    assert report.result == "possible"


def test_a_lawyer_loses_the_record_after_reassignment(session: Session, world: World) -> None:
    result = intake(session, world.baku_lawyer, world.baku, "Şəbnəm Hüseynova")
    assign_case(
        session,
        result.case,
        lawyer_id=world.baku_lawyer_2.id,
        reason="caseload",
        by=world.baku_manager.id,
    )

    (before,) = check_client(session, world.baku_lawyer, "Шабнам Гусейнова").hits
    (after,) = check_client(session, world.baku_lawyer_2, "Шабнам Гусейнова").hits
    assert before.in_scope is False
    assert before.client_id is None
    assert after.in_scope is True
    assert after.client_id == result.client.id


def test_nothing_to_find_is_clear(session: Session, world: World) -> None:
    intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova")
    report = check_client(session, world.ganja_lawyer, "Leyla Əliyeva")
    assert report.hits == []
    assert report.result == "clear"
    assert check_conflicts(session, world.ganja_lawyer, []).result == "clear"


def test_a_respondent_is_checked_against_clients(session: Session, world: World) -> None:
    client = intake(session, world.baku_lawyer, world.baku, "Gülnarə Qasımova").client

    (elsewhere,) = check_respondent(session, world.ganja_lawyer, "Гюльнара Гасымова").hits
    assert elsewhere.subject.kind == "respondent"
    assert elsewhere.matched_kind == "client"
    assert elsewhere.in_scope is False
    assert elsewhere.client_id is None
    assert elsewhere.clinic_code == "BAK"

    (own,) = check_respondent(session, world.baku_lawyer, "Gulnara Kasimova").hits
    assert own.matched_kind == "client"
    assert own.in_scope is True
    assert own.client_id == client.id


def test_a_client_is_checked_against_respondents(session: Session, world: World) -> None:
    case_ = intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Səbinə İsmayılova",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
    ).case

    (own,) = check_client(session, world.baku_manager, "Рашад Алиев").hits
    assert own.subject.kind == "client"
    assert own.matched_kind == "respondent"
    assert own.in_scope is True
    assert own.case_id == case_.id
    assert own.case_number == case_.number
    assert own.client_id is None

    (elsewhere,) = check_client(session, world.ganja_lawyer, "Rashad Aliyev").hits
    assert elsewhere.matched_kind == "respondent"
    assert elsewhere.in_scope is False
    assert (elsewhere.case_id, elsewhere.case_number) == (None, None)
    assert elsewhere.clinic_code == "BAK"


def test_a_respondent_is_checked_against_respondents(session: Session, world: World) -> None:
    intake(
        session,
        world.ganja_lawyer,
        world.ganja,
        "Nərgiz Quliyeva",
        respondents=(("Elçin Vüqar oğlu Məmmədov", "law_enforcement"),),
    )
    (hit,) = check_respondent(session, world.baku_lawyer, "Эльчин Мамедов").hits
    assert hit.matched_kind == "respondent"
    assert hit.clinic_code == "GNJ"
    assert hit.in_scope is False


def test_two_words_must_agree_when_both_names_have_two(session: Session, world: World) -> None:
    intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova")

    def found(name: str) -> bool:
        return bool(check_client(session, world.ganja_lawyer, name).hits)

    assert not found("Aynur Əliyeva")  # first name only
    assert not found("Leyla Məmmədova")  # surname only
    assert found("Мамедова Айнур")  # both, any order, any script
    assert found("Aynur Rəşad qızı Məmmədova")  # two of three words
    # A one-word name is compared on its one word inside the lawyer's own scope, but it
    # never reveals another clinic (issue 12: one common word is no specific subject).
    assert check_client(session, world.baku_lawyer, "Məmmədova").hits
    assert not found("Məmmədova")


def test_a_short_existing_name_can_still_match(session: Session, world: World) -> None:
    intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Zəhra Nəbiyeva",
        respondents=(("Tofiq", "known_person"),),
    )
    # In scope, the one-word respondent is still found; another clinic's is not revealed
    # on one agreeing word (issue 12).
    (hit,) = check_client(session, world.baku_lawyer, "Tofik Guliyev").hits
    assert hit.matched_kind == "respondent"
    assert not check_client(session, world.baku_lawyer, "Orxan Guliyev").hits
    assert not check_client(session, world.ganja_lawyer, "Tofik Guliyev").hits


def test_birth_year_disagreement_excludes_a_client(session: Session, world: World) -> None:
    intake(
        session, world.baku_lawyer, world.baku, "Aynur Məmmədova", date_of_birth=date(1990, 5, 1)
    )

    assert check_client(session, world.ganja_lawyer, "Aynur Mammadova", 1990).hits
    assert check_client(session, world.ganja_lawyer, "Aynur Mammadova", None).hits
    assert check_client(session, world.ganja_lawyer, "Aynur Mammadova", 1985).hits == []


def test_a_client_without_a_birth_year_matches_any_year(session: Session, world: World) -> None:
    intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova")
    assert check_client(session, world.ganja_lawyer, "Aynur Mammadova", 1985).hits


def test_a_birth_year_alone_is_compared_too(session: Session, world: World) -> None:
    intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova", birth_year=1990)
    assert check_client(session, world.ganja_lawyer, "Aynur Mammadova", 1990).hits
    assert check_client(session, world.ganja_lawyer, "Aynur Mammadova", 1991).hits == []


def test_birth_year_does_not_exclude_a_respondent(session: Session, world: World) -> None:
    intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Səbinə İsmayılova",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
    )
    (hit,) = check_client(session, world.ganja_lawyer, "Rashad Aliyev", 1985).hits
    assert hit.matched_kind == "respondent"


def test_a_renamed_client_is_found_by_her_new_name_only(session: Session, world: World) -> None:
    client = intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova").client
    details = ClientDetails(
        full_name="Aynur Əliyeva",
        other_names="",
        gender_identity="woman",
        economic_region="baku",
        settlement="urban",
        age_band="30_39",
    )
    update_client(
        session,
        client,
        details,
        expected_version=client.version,
        recorded_by=world.baku_lawyer.id,
        today=TODAY,
    )
    assert not check_client(session, world.ganja_lawyer, "Aynur Mammadova").hits
    assert check_client(session, world.ganja_lawyer, "Айнур Алиева").hits


def test_other_names_are_checked(session: Session, world: World) -> None:
    intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Aynur Əliyeva",
        other_names="Aynur Məmmədova",
    )
    assert check_client(session, world.ganja_lawyer, "Айнур Мамедова").hits


def test_name_keys_are_stored_blind(session: Session, world: World) -> None:
    result = intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Aynur Rəşad qızı Məmmədova",
        respondents=(("Elçin Məmmədov", "intimate_partner"),),
    )
    (respondent,) = session.scalars(
        select(Respondent).where(Respondent.case_id == result.case.id)
    ).all()
    client_keys = session.scalars(
        select(NameKey).where(NameKey.client_id == result.client.id)
    ).all()
    respondent_keys = session.scalars(
        select(NameKey).where(NameKey.respondent_id == respondent.id)
    ).all()
    assert len(client_keys) == 3  # the marker is not a word
    assert {row.words for row in client_keys} == {3}
    assert len(respondent_keys) == 2
    assert {row.words for row in respondent_keys} == {2}
    assert {row.clinic_id for row in [*client_keys, *respondent_keys]} == {world.baku.id}
    shapes = name_skeletons("Aynur Rəşad qızı Məmmədova Elçin Məmmədov")
    for row in [*client_keys, *respondent_keys]:
        assert len(row.key) == 64
        assert not any(shape in row.key for shape in shapes)


# --- an intake records its check ----------------------------------------------------------


def test_an_intake_records_the_check_and_out_of_scope_hits_keep_no_record(
    session: Session, world: World
) -> None:
    intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Aynur Məmmədova",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
    )
    result = intake(
        session,
        world.ganja_lawyer,
        world.ganja,
        "Айнур Мамедова",
        respondents=(("Rashad Aliyev", "former_partner"), ("", "stranger")),
    )
    assert result.report.result == "possible"

    check = session.scalars(
        select(ConflictCheck).where(ConflictCheck.case_id == result.case.id)
    ).one()
    assert check is result.check
    assert check.performed_by_id == world.ganja_lawyer.id
    assert check.names_checked == 2  # the client and the one named respondent
    assert check.result == "possible"
    assert check.decision == "proceed"
    assert check.decline_reason is None
    hits = {(hit.subject, hit.matched_kind) for hit in check.hits}
    assert hits == {("client", "client"), ("respondent", "respondent")}
    for hit in check.hits:
        assert hit.clinic_id == world.baku.id
        assert hit.in_scope is False
        assert hit.matched_case_id is None
        assert hit.matched_client_id is None

    # Proceeding after a possible conflict is the lawyer's call; the case can open.
    open_case(session, result.case, expected_version=result.case.version, by=None, today=TODAY)
    assert result.case.status == "open"


def test_an_in_scope_hit_keeps_the_matched_record(session: Session, world: World) -> None:
    first = intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Aynur Məmmədova",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
    )
    second = intake(
        session,
        world.baku_manager,
        world.baku,
        "Айнур Мамедова",
        lawyer=world.baku_lawyer,
        respondents=(("Rashad Aliyev", "intimate_partner"),),
    )
    check = second.check
    assert check.result == "in_scope"
    by_kind = {(hit.subject, hit.matched_kind): hit for hit in check.hits}
    assert set(by_kind) == {("client", "client"), ("respondent", "respondent")}
    assert by_kind["client", "client"].in_scope is True
    assert by_kind["client", "client"].matched_client_id == first.client.id
    assert by_kind["respondent", "respondent"].matched_case_id == first.case.id
    assert by_kind["respondent", "respondent"].matched_client_id is None


def test_a_clear_check_is_recorded_too(session: Session, world: World) -> None:
    result = intake(session, world.baku_lawyer, world.baku, "Leyla Həsənova")
    assert result.check.result == "clear"
    assert result.check.hits == []
    assert count(session, ConflictHit) == 0


def test_a_new_case_for_an_existing_client_finds_her(session: Session, world: World) -> None:
    first = intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova")
    second = intake(session, world.baku_lawyer, world.baku, "", existing=first.client)
    assert second.client.id == first.client.id
    assert second.case.client_id == first.client.id
    assert [hit.client_id for hit in second.report.existing_clients()] == [first.client.id]
    assert count(session, Client) == 1


def test_an_existing_client_of_another_clinic_is_refused(session: Session, world: World) -> None:
    client = intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova").client
    cases = count(session, Case)
    with pytest.raises(DomainError) as caught:
        intake(session, world.ganja_lawyer, world.ganja, "", existing=client)
    assert caught.value.field == "existing_client"
    assert count(session, Case) == cases


@pytest.mark.parametrize("reason", ["", "   "])
def test_declining_needs_a_reason(session: Session, world: World, reason: str) -> None:
    before = [count(session, model) for model in (Case, Client, ConflictCheck, AuditEntry)]
    with pytest.raises(DomainError) as caught:
        intake(
            session,
            world.baku_lawyer,
            world.baku,
            "Aynur Məmmədova",
            decision="decline",
            reason=reason,
        )
    assert caught.value.field == "decline_reason"
    assert [count(session, model) for model in (Case, Client, ConflictCheck, AuditEntry)] == before


def test_a_decision_is_required(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as caught:
        intake(session, world.baku_lawyer, world.baku, "Aynur Məmmədova", decision="maybe")
    assert caught.value.field == "decision"
    assert count(session, Case) == 0


def test_too_long_a_decline_reason_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as caught:
        intake(
            session,
            world.baku_lawyer,
            world.baku,
            "Aynur Məmmədova",
            decision="decline",
            reason="x" * 1001,
        )
    assert caught.value.field == "decline_reason"
    assert count(session, Case) == 0


def test_declining_keeps_a_closed_case_with_the_decision(session: Session, world: World) -> None:
    intake(
        session,
        world.ganja_lawyer,
        world.ganja,
        "Kamran Həsənov",
        respondents=(("Aynur Məmmədova", "intimate_partner"),),
    )
    result = intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Айнур Мамедова",
        decision="decline",
        reason="We represent the other party.",
    )
    case_ = result.case
    assert case_.status == "closed"
    assert case_.outcome == "conflict_declined"
    assert case_.closed_on == TODAY
    assert case_.opened_on is None
    assert result.check.decision == "decline"
    assert result.check.result == "possible"
    assert result.check.decline_reason == "We represent the other party."
    (change,) = session.scalars(
        select(CaseStatusChange).where(CaseStatusChange.case_id == case_.id)
    ).all()
    assert (change.from_status, change.to_status) == (None, "closed")
    assert change.outcome == "conflict_declined"
    assert change.reason == "We represent the other party."

    with pytest.raises(DomainError):
        open_case(session, case_, expected_version=case_.version, by=None, today=TODAY)


# --- respondents named later ----------------------------------------------------------------


def test_a_respondent_added_later_is_checked(session: Session, world: World) -> None:
    intake(session, world.ganja_lawyer, world.ganja, "Aynur Məmmədova")
    case_ = intake(session, world.baku_lawyer, world.baku, "Leyla Həsənova").case

    respondent, report = add_respondent(
        session, world.baku_lawyer, case_, RespondentInput("Айнур Мамедова", "family_member")
    )
    assert respondent.case_id == case_.id
    (hit,) = report.hits
    assert hit.matched_kind == "client"
    assert hit.clinic_code == "GNJ"
    assert hit.in_scope is False
    assert hit.client_id is None
    assert session.scalars(select(NameKey).where(NameKey.respondent_id == respondent.id)).all()


def test_a_respondent_of_the_same_case_is_not_a_conflict(session: Session, world: World) -> None:
    case_ = intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Leyla Həsənova",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
    ).case
    _respondent, report = add_respondent(
        session, world.baku_lawyer, case_, RespondentInput("Rashad Aliyev", "family_member")
    )
    assert report.hits == []


def test_an_unnamed_respondent_needs_a_relation(session: Session, world: World) -> None:
    case_ = intake(session, world.baku_lawyer, world.baku, "Leyla Həsənova").case
    with pytest.raises(DomainError) as caught:
        add_respondent(session, world.baku_lawyer, case_, RespondentInput("", ""))
    assert caught.value.field == "respondents-0-relation"
    respondent, report = add_respondent(
        session, world.baku_lawyer, case_, RespondentInput("", "stranger")
    )
    assert respondent.name is None
    assert report.subjects == []
    assert report.result == "clear"


# --- audit ------------------------------------------------------------------------------------


NAMES = ["Aynur", "Məmmədova", "Мамедова", "Айнур", "Rəşad", "Əliyev", "Rashad", "Aliyev"]


def test_checks_are_audited_without_names(session: Session, world: World) -> None:
    first = len(session.scalars(select(AuditEntry.id)).all())
    result = intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Aynur Məmmədova",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
    )
    check_client(session, world.ganja_lawyer, "Айнур Мамедова")
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()[first:]
    actions = [entry.action for entry in entries]
    assert actions == [
        "conflict.checked",
        "client.created",
        "conflict.recorded",
        "case.created",
        "conflict.checked",
    ]
    recorded = entries[actions.index("conflict.recorded")]
    assert recorded.object_type == "conflict_check"
    assert recorded.object_id == str(result.check.id)
    assert entries[0].object_type == "conflict_check"
    assert entries[0].object_id is None
    assert all(entry.outcome == "success" for entry in entries)
    shapes = name_skeletons(*NAMES)
    for entry in entries:
        stored = " ".join(
            str(getattr(entry, column.key)) for column in AuditEntry.__table__.columns
        )
        for word in [*NAMES, *shapes]:
            assert word.lower() not in stored.lower()

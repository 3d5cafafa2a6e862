"""Case operations: intake with its conflict check, lifecycle, edits and assignment.

Plain functions: they validate, change state, flush and write the audit entry; the
request's single commit happens at the edge. Only the arguments named here can change
a case: a posted clinic, lawyer, creator or version has no way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.calendar import today as clinic_today
from legalaid.cases import hooks
from legalaid.cases.conflict_check import check_conflicts
from legalaid.cases.models import (
    Case,
    CaseAssignment,
    CaseDiscriminationGround,
    CaseStatusChange,
    Respondent,
)
from legalaid.clients.models import Client
from legalaid.clients.services import ClientDetails, create_client, validate_client
from legalaid.clinics.models import Clinic
from legalaid.clinics.numbers import case_number, next_number
from legalaid.conflicts.models import ConflictCheck
from legalaid.conflicts.service import (
    ConflictReport,
    Subject,
    index_respondent_name,
    record_check,
)
from legalaid.crypto.blind_index import blind_index
from legalaid.database import utcnow
from legalaid.errors import ConflictError, DomainError
from legalaid.providers.models import ServiceProvider
from legalaid.viewer import Viewer
from legalaid.vocabulary.casework import (
    CASE_CATEGORIES,
    CASE_OUTCOMES,
    DISCRIMINATION_DOMAINS,
    DISCRIMINATION_GROUNDS,
    GBV_TYPES,
    REFERRAL_SOURCES,
    RESPONDENT_RELATIONS,
    RISK_LEVELS,
)
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

SUMMARY_LIMIT = 5000
REASON_LIMIT = 1000
RESPONDENT_NAME_LIMIT = 200


@dataclass
class CaseDetails:
    category: str
    risk_level: str
    gbv_type: str | None = None
    intimate_partner_violence: bool = False
    early_marriage: bool = False
    grounds: list[str] = field(default_factory=list)
    discrimination_domain: str | None = None
    incident_date: date | None = None
    incident_date_approximate: bool = False
    incident_region: str | None = None
    summary: str = ""
    referral_source: str | None = None
    referral_source_provider_id: int | None = None


@dataclass(frozen=True)
class RespondentInput:
    name: str
    relation: str


def validate_case(session: Session, details: CaseDetails, today: date) -> CaseDetails:
    CASE_CATEGORIES.require(details.category, "category")
    RISK_LEVELS.require(details.risk_level, "risk_level")
    details.gbv_type = GBV_TYPES.optional(details.gbv_type, "gbv_type")
    details.discrimination_domain = DISCRIMINATION_DOMAINS.optional(
        details.discrimination_domain, "discrimination_domain"
    )
    details.grounds = DISCRIMINATION_GROUNDS.require_all(details.grounds, "grounds")
    if details.category == "gbv" and not details.gbv_type:
        raise DomainError(_("Choose the type of violence."), field="gbv_type")
    if details.category == "discrimination":
        if not details.grounds:
            raise DomainError(_("Choose at least one ground."), field="grounds")
        if not details.discrimination_domain:
            raise DomainError(_("Choose where it happened."), field="discrimination_domain")
    if details.category != "gbv":
        details.gbv_type = None
        details.intimate_partner_violence = details.early_marriage = False
    if details.category != "discrimination":
        details.grounds, details.discrimination_domain = [], None
    if details.incident_date is not None and details.incident_date > today:
        raise DomainError(_("The incident date cannot be in the future."), field="incident_date")
    details.incident_region = ECONOMIC_REGIONS.optional(details.incident_region, "incident_region")
    details.summary = details.summary.strip()
    if len(details.summary) > SUMMARY_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=SUMMARY_LIMIT), field="summary"
        )
    details.referral_source = REFERRAL_SOURCES.optional(details.referral_source, "referral_source")
    if details.referral_source_provider_id is not None and (
        session.get(ServiceProvider, details.referral_source_provider_id) is None
    ):
        raise DomainError(
            _("Choose one of the listed values."), field="referral_source_provider_id"
        )
    return details


def validate_respondents(respondents: list[RespondentInput]) -> list[RespondentInput]:
    cleaned = []
    for index, row in enumerate(respondents):
        name = row.name.strip()
        if not name and not row.relation:
            continue
        if len(name) > RESPONDENT_NAME_LIMIT:
            raise DomainError(
                _("At most %(limit)d characters, please.", limit=RESPONDENT_NAME_LIMIT),
                field=f"respondents-{index}-name",
            )
        RESPONDENT_RELATIONS.require(row.relation, f"respondents-{index}-relation")
        cleaned.append(RespondentInput(name=name, relation=row.relation))
    return cleaned


def _apply(case_: Case, details: CaseDetails) -> None:
    case_.category = details.category
    case_.risk_level = details.risk_level
    case_.gbv_type = details.gbv_type
    case_.intimate_partner_violence = details.intimate_partner_violence
    case_.early_marriage = details.early_marriage
    case_.discrimination_domain = details.discrimination_domain
    case_.incident_date = details.incident_date
    case_.incident_date_approximate = details.incident_date_approximate
    case_.incident_region = details.incident_region
    case_.summary = details.summary or None
    case_.referral_source = details.referral_source
    case_.referral_source_provider_id = details.referral_source_provider_id
    wanted = set(details.grounds)
    case_.grounds = [row for row in case_.grounds if row.ground in wanted]
    have = {row.ground for row in case_.grounds}
    case_.grounds.extend(CaseDiscriminationGround(ground=code) for code in sorted(wanted - have))


def lawyer_of_clinic(
    session: Session, clinic_id: int, lawyer_id: int | None, *, field: str = "assigned_lawyer_id"
) -> User:
    lawyer = session.scalar(
        select(User).where(
            User.id == (lawyer_id or 0),
            User.role == "lawyer",
            User.clinic_id == clinic_id,
            User.active.is_(True),
        )
    )
    if lawyer is None:
        raise DomainError(_("Choose a lawyer of this clinic."), field=field)
    return lawyer


def intake_subjects(
    client_names: tuple[str, ...], birth_year: int | None, respondents: list[RespondentInput]
) -> list[Subject]:
    subjects = [Subject("client", client_names, birth_year, label=_("Client"))]
    subjects += [
        Subject(
            "respondent",
            (row.name,),
            label=_("Respondent %(number)d", number=index),
        )
        for index, row in enumerate(respondents, start=1)
        if row.name
    ]
    return subjects


@dataclass(frozen=True)
class IntakeCheck:
    """One conflict check of an intake and the fingerprint of the names it covered."""

    report: ConflictReport
    fingerprint: str


def intake_fingerprint(existing_client_id: int | None, subjects: list[Subject]) -> str:
    """A keyed digest of the names a check covered: editing them needs a new check.

    Labels are left out (they are translated); names are compared trimmed and casefolded.
    """
    parts = [f"client:{existing_client_id}" if existing_client_id is not None else "new"]
    for subject in subjects:
        parts.append(subject.kind)
        parts.append(str(subject.birth_year))
        parts.extend(name.strip().casefold() for name in subject.names)
    return blind_index("\x1f".join(parts), "intake.checked")


def _intake_names(
    existing_client: Client | None, names: tuple[str, ...], birth_year: int | None
) -> tuple[tuple[str, ...], int | None]:
    if existing_client is None:
        return tuple(name or "" for name in names), birth_year
    client_names = (
        existing_client.full_name,
        existing_client.other_names or "",
        existing_client.name_to_use or "",
    )
    return client_names, None


def check_intake(
    session: Session,
    user: Viewer,
    *,
    existing_client: Client | None,
    names: tuple[str, ...] = (),
    birth_year: int | None = None,
    respondents: list[RespondentInput],
) -> IntakeCheck:
    """The intake's conflict check: one check, one ``conflict.checked`` entry.

    For an existing client her recorded names are checked, whatever was typed.
    """
    client_names, year = _intake_names(existing_client, names, birth_year)
    rows = [RespondentInput(name=row.name.strip(), relation=row.relation) for row in respondents]
    subjects = intake_subjects(client_names, year, rows)
    report = check_conflicts(session, user, subjects)
    fingerprint = intake_fingerprint(
        existing_client.id if existing_client is not None else None, subjects
    )
    return IntakeCheck(report=report, fingerprint=fingerprint)


class NamesNotCheckedError(DomainError):
    """The save was asked for names the person has not seen checked.

    Raised after the check of the save has run and before anything is written but its
    audit entry: the caller keeps the transaction (the check counts towards the hourly
    limit) and shows ``check``.
    """

    def __init__(self, message: str, check: IntakeCheck) -> None:
        super().__init__(message)
        self.check = check


@dataclass
class IntakeResult:
    case: Case
    client: Client
    report: ConflictReport
    check: ConflictCheck


def take_intake(
    session: Session,
    user: Viewer,
    *,
    clinic: Clinic,
    existing_client: Client | None,
    client_details: ClientDetails | None,
    case_details: CaseDetails,
    respondents: list[RespondentInput],
    assigned_lawyer_id: int,
    decision: str,
    decline_reason: str,
    today: date,
    checked: str | None = None,
) -> IntakeResult:
    """Record an intake: the client (new or existing), the case and the conflict check.

    Everything is validated first; the check then runs once, here, on what is saved,
    whatever the page showed before. With ``checked`` (the fingerprint the person saw
    checked) a save whose names differ raises :class:`NamesNotCheckedError` carrying the
    new check instead of saving. Declining keeps the record (closed, "conflict of
    interest — declined") so that the decision and its reason stay on file.
    """
    if decision not in ("proceed", "decline"):
        raise DomainError(_("Choose whether to proceed or decline."), field="decision")
    decline_reason = decline_reason.strip()
    if decision == "decline" and not decline_reason:
        raise DomainError(_("Give the reason for declining."), field="decline_reason")
    if len(decline_reason) > REASON_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=REASON_LIMIT), field="decline_reason"
        )
    if existing_client is not None and existing_client.clinic_id != clinic.id:
        raise DomainError(_("This client belongs to another clinic."), field="existing_client")
    lawyer = lawyer_of_clinic(session, clinic.id, assigned_lawyer_id)
    validate_case(session, case_details, today)
    respondents = validate_respondents(respondents)
    names: tuple[str, ...] = ()
    birth_year: int | None = None
    if existing_client is None:
        if client_details is None:
            raise DomainError(_("This field is required."), field="full_name")
        validate_client(client_details, today)
        names = (
            client_details.full_name,
            client_details.other_names,
            client_details.name_to_use,
        )
        birth_year = client_details.known_birth_year
    # Nothing below raises a DomainError: the check's audit entry is never rolled back.
    intake_check = check_intake(
        session,
        user,
        existing_client=existing_client,
        names=names,
        birth_year=birth_year,
        respondents=respondents,
    )
    report = intake_check.report
    if checked is not None and checked != intake_check.fingerprint:
        raise NamesNotCheckedError(
            _("The names changed after the conflict check. Review the new result, then save.")
            if checked
            else _("The conflict check comes first. Review its result below, then save."),
            intake_check,
        )
    if client_details is not None and existing_client is None:
        client = create_client(session, clinic, client_details, created_by=user.id, today=today)
    else:
        assert existing_client is not None  # noqa: S101 - one of the two was checked above
        client = existing_client
    year = today.year
    seq = next_number(session, clinic.id, f"case-{year}")
    case_ = Case(
        clinic_id=clinic.id,
        number=case_number(clinic.code, year, seq),
        year=year,
        seq=seq,
        client_id=client.id,
        assigned_lawyer_id=lawyer.id,
        created_by_id=user.id,
        intake_on=today,
        status="intake",
        grounds=[],
    )
    _apply(case_, case_details)
    if decision == "decline":
        case_.status, case_.outcome, case_.closed_on = "closed", "conflict_declined", today
    session.add(case_)
    session.flush()
    for row in respondents:
        _add_respondent(session, case_, row, user.id)
    session.add(
        CaseAssignment(
            case_id=case_.id, to_lawyer_id=lawyer.id, assigned_by_id=user.id, reason=None
        )
    )
    session.add(
        CaseStatusChange(
            case_id=case_.id,
            from_status=None,
            to_status=case_.status,
            outcome=case_.outcome,
            reason=decline_reason or None,
            changed_by_id=user.id,
            effective_on=today,
        )
    )
    check = record_check(
        session,
        case_.id,
        report,
        decision=decision,
        decline_reason=decline_reason,
        performed_by=user.id,
    )
    record_event(session, "case.created", object_type="case", object_id=case_.id)
    return IntakeResult(case=case_, client=client, report=report, check=check)


def _add_respondent(
    session: Session, case_: Case, row: RespondentInput, by: int | None
) -> Respondent:
    respondent = Respondent(
        case_id=case_.id, name=row.name or None, relation=row.relation, created_by_id=by
    )
    session.add(respondent)
    session.flush()
    if respondent.name:
        index_respondent_name(session, respondent.id, respondent.name, case_.clinic_id)
    return respondent


def add_respondent(
    session: Session, user: Viewer, case_: Case, row: RespondentInput
) -> tuple[Respondent, ConflictReport]:
    """A respondent named later is checked against everyone at once, like at intake."""
    cleaned = validate_respondents([row])
    if not cleaned:
        raise DomainError(_("Choose one of the listed values."), field="respondents-0-relation")
    row = cleaned[0]
    subjects = [Subject("respondent", (row.name,), label=_("Respondent"))] if row.name else []
    report = check_conflicts(session, user, subjects, exclude_case_id=case_.id)
    respondent = _add_respondent(session, case_, row, user.id)
    record_event(session, "case.respondent_added", object_type="case", object_id=case_.id)
    return respondent, report


def _expect(case_: Case, expected_version: int) -> None:
    if case_.version != expected_version:
        raise ConflictError(_("Someone else changed this case after you opened it."))


def update_case(
    session: Session, case_: Case, details: CaseDetails, *, expected_version: int, today: date
) -> Case:
    _expect(case_, expected_version)
    validate_case(session, details, today)
    _apply(case_, details)
    # Touch the row even when only the grounds changed: the version must move on every edit.
    case_.updated_at = utcnow()
    session.flush()
    record_event(session, "case.updated", object_type="case", object_id=case_.id)
    return case_


def _status_change(
    session: Session,
    case_: Case,
    to_status: str,
    *,
    by: int | None,
    on: date,
    outcome: str | None = None,
    reason: str | None = None,
) -> None:
    session.add(
        CaseStatusChange(
            case_id=case_.id,
            from_status=case_.status,
            to_status=to_status,
            outcome=outcome,
            reason=reason,
            changed_by_id=by,
            effective_on=on,
        )
    )
    case_.status = to_status


def case_subjects(case_: Case) -> list[Subject]:
    """The names of a case as the conflict check sees them: its client and respondents."""
    client = case_.client
    born = client.birth_date.year if client.birth_date else None
    respondents = [RespondentInput(r.name or "", r.relation) for r in case_.respondents]
    names = (client.full_name, client.other_names or "", client.name_to_use or "")
    return intake_subjects(names, born, respondents)


def recheck_report(session: Session, user: Viewer, case_: Case) -> ConflictReport:
    return check_conflicts(
        session,
        user,
        case_subjects(case_),
        exclude_case_id=case_.id,
        exclude_client_id=case_.client_id,
    )


def recheck_case(
    session: Session,
    user: Viewer,
    case_: Case,
    *,
    expected_version: int,
    decision: str,
    decline_reason: str,
    today: date,
) -> ConflictCheck:
    """A new conflict check for a case back at intake (e.g. reopened after a decline)."""
    _expect(case_, expected_version)
    if case_.status != "intake":
        raise DomainError(_("Only a case at intake is checked again."))
    if decision not in ("proceed", "decline"):
        raise DomainError(_("Choose whether to proceed or decline."), field="decision")
    decline_reason = decline_reason.strip()
    if decision == "decline" and not decline_reason:
        raise DomainError(_("Give the reason for declining."), field="decline_reason")
    if len(decline_reason) > REASON_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=REASON_LIMIT), field="decline_reason"
        )
    report = recheck_report(session, user, case_)
    check = record_check(
        session,
        case_.id,
        report,
        decision=decision,
        decline_reason=decline_reason,
        performed_by=user.id,
    )
    if decision == "decline":
        _status_change(
            session,
            case_,
            "closed",
            by=user.id,
            on=today,
            outcome="conflict_declined",
            reason=decline_reason,
        )
        case_.outcome, case_.closed_on = "conflict_declined", today
    # The row is touched so that the version moves: an open from an older page is refused.
    case_.updated_at = utcnow()
    session.flush()
    return check


def latest_check(session: Session, case_: Case) -> ConflictCheck | None:
    return session.scalar(
        select(ConflictCheck)
        .where(ConflictCheck.case_id == case_.id)
        .order_by(ConflictCheck.id.desc())
        .limit(1)
    )


def open_case(
    session: Session, case_: Case, *, expected_version: int, by: int | None, today: date
) -> Case:
    _expect(case_, expected_version)
    if case_.status != "intake":
        raise DomainError(_("Only a case at intake can be opened."))
    check = latest_check(session, case_)
    if check is None or check.decision != "proceed":
        raise DomainError(_("Run the conflict check and decide to proceed first."))
    _status_change(session, case_, "open", by=by, on=today)
    case_.opened_on = today
    session.flush()
    record_event(session, "case.opened", object_type="case", object_id=case_.id)
    return case_


def close_case(
    session: Session,
    case_: Case,
    *,
    expected_version: int,
    outcome: str,
    closed_on: date | None,
    by: int | None,
    today: date,
    agenda_loss_confirmed: bool = False,
) -> Case:
    _expect(case_, expected_version)
    if case_.status == "closed":
        raise DomainError(_("This case is already closed."))
    coming = hooks.agenda_to_come(session, case_.id, today)
    if coming and not agenda_loss_confirmed:
        # Closing cannot be undone silently: its hearings would drop off every agenda.
        raise DomainError(
            ngettext(
                "This case has %(num)d hearing or deadline still to come; closing it takes "
                "it off the agenda. Tick the box below to close it anyway.",
                "This case has %(num)d hearings or deadlines still to come; closing it takes "
                "them off the agenda. Tick the box below to close it anyway.",
                coming,
            ),
            field="agenda_loss_confirmed",
        )
    CASE_OUTCOMES.require(outcome, "outcome")
    closed_on = closed_on or today
    if closed_on > today:
        raise DomainError(_("The closing date cannot be in the future."), field="closed_on")
    if closed_on < (case_.opened_on or case_.intake_on):
        raise DomainError(
            _("The closing date cannot be before the case was opened."), field="closed_on"
        )
    _status_change(session, case_, "closed", by=by, on=closed_on, outcome=outcome)
    case_.outcome, case_.closed_on = outcome, closed_on
    session.flush()
    record_event(session, "case.closed", object_type="case", object_id=case_.id)
    return case_


def reopen_case(
    session: Session,
    case_: Case,
    *,
    expected_version: int,
    reason: str,
    by: int | None,
    today: date | None = None,
) -> Case:
    _expect(case_, expected_version)
    if case_.status != "closed":
        raise DomainError(_("Only a closed case can be reopened."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for reopening."), field="reason")
    if len(reason) > REASON_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=REASON_LIMIT), field="reason"
        )
    # A case declined for a conflict never opened: it goes back to intake, to be checked.
    to_status = "intake" if case_.opened_on is None else "open"
    _status_change(session, case_, to_status, by=by, on=today or clinic_today(), reason=reason)
    case_.outcome, case_.closed_on = None, None
    session.flush()
    record_event(session, "case.reopened", object_type="case", object_id=case_.id)
    return case_


def assign_case(
    session: Session,
    case_: Case,
    *,
    lawyer_id: int | None,
    reason: str,
    by: int | None,
    expected_version: int | None = None,
) -> Case:
    """Give the case to another lawyer of its clinic; she loses nothing, the other gains."""
    if expected_version is not None:
        _expect(case_, expected_version)
    lawyer = lawyer_of_clinic(session, case_.clinic_id, lawyer_id, field="lawyer_id")
    if lawyer.id == case_.assigned_lawyer_id:
        raise DomainError(_("The case is already assigned to this lawyer."), field="lawyer_id")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for the reassignment."), field="reason")
    if len(reason) > REASON_LIMIT:
        raise DomainError(
            _("At most %(limit)d characters, please.", limit=REASON_LIMIT), field="reason"
        )
    session.add(
        CaseAssignment(
            case_id=case_.id,
            from_lawyer_id=case_.assigned_lawyer_id,
            to_lawyer_id=lawyer.id,
            reason=reason,
            assigned_by_id=by,
        )
    )
    previous = case_.assigned_lawyer_id
    case_.assigned_lawyer_id = lawyer.id
    session.flush()
    # Her pending tasks on the case go to the new lawyer, and their reminders with them: the
    # old lawyer no longer sees the case, so nobody would be reminded of them otherwise.
    # A manager of the clinic who held the case still sees it: her tasks stay hers.
    held_by = session.get(User, previous) if previous is not None else None
    still_sees = (
        held_by is not None and held_by.role == "manager" and held_by.clinic_id == case_.clinic_id
    )
    if held_by is not None and not still_sees:
        hooks.hand_over(session, case_.id, held_by.id, lawyer.id)
    record_event(session, "case.reassigned", object_type="case", object_id=case_.id)
    return case_

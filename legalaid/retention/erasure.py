"""Erasure: overwrite a client's personal data, keep the coded record the indicators count.

One call erases one client inside the caller's transaction (the request's single commit,
or one ``Database.transaction()`` per client in the retention job): a crash mid-way rolls
the whole client back, so she is either fully erased or untouched. Values are overwritten
(ciphertext replaced by NULL or by the encryption of an empty string, blind keys deleted),
never just flagged; SQLite runs with ``secure_delete`` so the freed bytes are zeroed too.

The audit entry says who, which client and under which rule, never what was erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from legalaid.audit.service import Actor, record_event
from legalaid.cases.models import Case, CaseAssignment, CaseStatusChange, Respondent
from legalaid.casework.models import CaseTask, Hearing, Note, NoteRevision
from legalaid.clients.models import Client
from legalaid.conflicts.models import ConflictCheck, NameKey
from legalaid.database import utcnow
from legalaid.documents.models import Document
from legalaid.documents.pending import remove_once_committed
from legalaid.errors import DomainError
from legalaid.retention.policy import RetentionPolicy

#: Why a client is erased: the retention job's rule, or a manager's reason on request.
RULE_RETENTION = "retention"
REQUEST_REASONS = ("client_request", "consent_withdrawn", "not_needed")
RULES = (RULE_RETENTION, *REQUEST_REASONS)


class ErasureRefusedError(DomainError):
    """An open case or a legal hold: nothing is erased."""


def retention_policy() -> RetentionPolicy:
    policy: RetentionPolicy = current_app.extensions["legalaid.policies"].retention
    return policy


@dataclass(frozen=True)
class Blockers:
    open_cases: int
    held_cases: int

    @property
    def any(self) -> bool:
        return bool(self.open_cases or self.held_cases)


def blockers(session: Session, client_id: int) -> Blockers:
    cases = session.execute(
        select(Case.status, Case.legal_hold).where(Case.client_id == client_id)
    ).all()
    return Blockers(
        open_cases=sum(1 for row in cases if row.status != "closed"),
        held_cases=sum(1 for row in cases if row.legal_hold),
    )


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due_clients(session: Session, policy: RetentionPolicy, today: date) -> list[int]:
    """Clients whose every case is closed for longer than its category keeps, none held."""
    too_recent = [
        and_(Case.category == category, Case.closed_on > years_before(today, years))
        for category, years in policy.keep_years.items()
    ]
    blocking = (
        select(Case.id)
        .where(
            Case.client_id == Client.id,
            or_(Case.status != "closed", Case.closed_on.is_(None), Case.legal_hold, *too_recent),
        )
        .correlate(Client)
    )
    has_case = select(Case.id).where(Case.client_id == Client.id).correlate(Client)
    query = (
        select(Client.id)
        .where(Client.erased_on.is_(None), exists(has_case), ~exists(blocking))
        .order_by(Client.id)
    )
    return list(session.scalars(query))


def erase_client(
    session: Session,
    client_id: int,
    *,
    rule: str,
    today: date,
    actor: Actor | None = None,
) -> None:
    """Overwrite everything personal about one client; refuse an open case or a hold."""
    if rule not in RULES:
        raise ValueError(f"unknown erasure rule {rule!r}")
    client = session.get(Client, client_id, with_for_update=True)
    if client is None:
        raise DomainError(_("No such client."))
    if client.erased_on is not None:
        raise ErasureRefusedError(_("This client's personal data is already erased."))
    found = blockers(session, client_id)
    if found.any:
        record_event(
            session,
            f"client.erase.{rule}",
            object_type="client",
            object_id=client_id,
            outcome="denied",
            actor=actor,
        )
        raise ErasureRefusedError(
            _("A case of this client is still open: close it before erasing.")
            if found.open_cases
            else _("A case of this client is under a legal hold: clear the hold first.")
        )
    case_ids = select(Case.id).where(Case.client_id == client_id).scalar_subquery()
    respondent_ids = select(Respondent.id).where(Respondent.case_id.in_(case_ids))

    # Blind keys first: the conflict check can no longer find her or her respondents.
    session.execute(
        delete(NameKey).where(
            or_(NameKey.client_id == client_id, NameKey.respondent_id.in_(respondent_ids))
        )
    )
    session.execute(update(Respondent).where(Respondent.case_id.in_(case_ids)).values(name=None))
    session.execute(update(Case).where(Case.id.in_(case_ids)).values(summary=None))
    note_ids = select(Note.id).where(Note.case_id.in_(case_ids))
    session.execute(update(NoteRevision).where(NoteRevision.note_id.in_(note_ids)).values(body=""))
    session.execute(update(Hearing).where(Hearing.case_id.in_(case_ids)).values(place=None))
    session.execute(update(CaseTask).where(CaseTask.case_id.in_(case_ids)).values(description=""))
    session.execute(
        update(CaseStatusChange).where(CaseStatusChange.case_id.in_(case_ids)).values(reason=None)
    )
    session.execute(
        update(CaseAssignment).where(CaseAssignment.case_id.in_(case_ids)).values(reason=None)
    )
    session.execute(
        update(ConflictCheck).where(ConflictCheck.case_id.in_(case_ids)).values(decline_reason=None)
    )
    _erase_documents(session, client_id, case_ids)
    # The client: identifiers overwritten; the age band (already coded) stays.
    client.full_name = ""
    client.other_names = None
    client.name_to_use = None
    client.language = None
    client.interpreter = None
    client.access_needs = None
    client.date_of_birth = None
    client.birth_year_key = None
    client.phone = None
    client.address = None
    client.contact_hours = None
    client.contact_notes = None
    client.may_call = False
    client.may_leave_message = False
    client.erased_on = today
    client.erasure_rule = rule
    session.flush()
    record_event(
        session, f"client.erased.{rule}", object_type="client", object_id=client_id, actor=actor
    )


def _erase_documents(session: Session, client_id: int, case_ids: Any) -> None:
    """Her documents' files are destroyed once the erasure commits (their keys go now, so
    a file left by a crash can never be read); each row keeps only that it existed."""
    store = current_app.extensions["legalaid.documents.store"]
    documents = session.scalars(
        select(Document).where(or_(Document.case_id.in_(case_ids), Document.client_id == client_id))
    ).all()
    for document in documents:
        if document.storage_name is not None:
            remove_once_committed(session, store, document.storage_name)
        document.storage_name = None
        document.data_key = None
        document.description = None
        document.original_filename = ""
        document.delete_reason = None
        if document.deleted_at is None:
            document.deleted_at = utcnow()


def set_legal_hold(
    session: Session, case: Case, *, hold: bool, today: date, actor: Actor | None = None
) -> None:
    case.legal_hold = hold
    case.legal_hold_since = today if hold else None
    session.flush()
    record_event(
        session,
        "case.legal_hold_set" if hold else "case.legal_hold_cleared",
        object_type="case",
        object_id=case.id,
        actor=actor,
    )

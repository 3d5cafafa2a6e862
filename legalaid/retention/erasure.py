"""Erasure: overwrite a client's personal data, keep the coded record the indicators count.

Two ways in, erasing the same columns of the same rows (tests/test_retention_batches.py
compares them row by row):

- :func:`erase_client`, one client inside the caller's transaction (a manager's erasure on
  request: the request's single commit), refusing an open case or a legal hold with a
  message;
- :func:`erase_clients`, a batch of clients with one set-based statement per table (the
  retention job, one transaction per batch): a client with an open case or a hold is left
  out of the batch and counted as refused.

Either way a crash mid-way rolls the whole transaction back, so every client in it is
either fully erased or untouched. Values are overwritten (ciphertext replaced by NULL or
by the encryption of an empty string, blind keys deleted), never just flagged; SQLite
runs with ``secure_delete`` so the freed bytes are zeroed too.

The audit entry (one per client) says who, which client and under which rule, never what
was erased.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
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
    _erase_case_records(session, [client_id])
    _erase_documents(session, client_id)
    # The client: identifiers overwritten; the age band (already coded) stays.
    for name, value in ERASED_CLIENT.items():
        setattr(client, name, value)
    client.erased_on = today
    client.erasure_rule = rule
    session.flush()
    record_event(
        session, f"client.erased.{rule}", object_type="client", object_id=client_id, actor=actor
    )


def _case_ids(client_ids: Sequence[int]) -> Any:
    return select(Case.id).where(Case.client_id.in_(client_ids)).scalar_subquery()


def _erase_case_records(session: Session, client_ids: Sequence[int]) -> None:
    """Her cases' personal text and her (and her respondents') blind keys, set-based."""
    case_ids = _case_ids(client_ids)
    respondent_ids = select(Respondent.id).where(Respondent.case_id.in_(case_ids))
    # Blind keys first: the conflict check can no longer find her or her respondents.
    session.execute(
        delete(NameKey).where(
            or_(NameKey.client_id.in_(client_ids), NameKey.respondent_id.in_(respondent_ids))
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


def _documents_of(client_ids: Sequence[int]) -> ColumnElement[bool]:
    return or_(Document.case_id.in_(_case_ids(client_ids)), Document.client_id.in_(client_ids))


#: A client's identifiers once erased; the age band (already coded) and the rest stay.
ERASED_CLIENT: dict[str, Any] = {
    "full_name": "",
    "other_names": None,
    "name_to_use": None,
    "language": None,
    "interpreter": None,
    "access_needs": None,
    "date_of_birth": None,
    "birth_year_key": None,
    "phone": None,
    "address": None,
    "contact_hours": None,
    "contact_notes": None,
    "may_call": False,
    "may_leave_message": False,
}

#: A document once erased: the row says only that it existed (kind, date, size, who).
ERASED_DOCUMENT: dict[str, Any] = {
    "storage_name": None,
    "data_key": None,
    "description": None,
    "original_filename": "",
    "delete_reason": None,
}


@dataclass(frozen=True)
class ErasedBatch:
    erased: tuple[int, ...]
    refused: tuple[int, ...]


def erase_clients(
    session: Session,
    client_ids: Sequence[int],
    *,
    rule: str,
    today: date,
    actor: Actor | None = None,
) -> ErasedBatch:
    """Erase a batch of clients inside the caller's transaction, one statement per table.

    What goes is what :func:`erase_client` erases for each of them. A client already
    erased is skipped; one with an open or held case is refused (audited as denied) and
    left untouched, the others are erased. The statements do not depend on the batch's
    size: 300 clients cost what one does, plus the rows themselves.
    """
    if rule not in RULES:
        raise ValueError(f"unknown erasure rule {rule!r}")
    wanted = sorted(set(client_ids))
    if not wanted:
        return ErasedBatch((), ())
    # Locked (on PostgreSQL) so that a hold or a reopening cannot slip in between.
    candidates = list(
        session.scalars(
            select(Client.id)
            .where(Client.id.in_(wanted), Client.erased_on.is_(None))
            .order_by(Client.id)
            .with_for_update()
        )
    )
    blocked = set(
        session.scalars(
            select(Case.client_id)
            .where(
                Case.client_id.in_(candidates),
                or_(Case.status != "closed", Case.legal_hold),
            )
            .distinct()
        )
    )
    for client_id in sorted(blocked):
        record_event(
            session,
            f"client.erase.{rule}",
            object_type="client",
            object_id=client_id,
            outcome="denied",
            actor=actor,
        )
    erasable = [client_id for client_id in candidates if client_id not in blocked]
    if not erasable:
        return ErasedBatch((), tuple(sorted(blocked)))

    _erase_case_records(session, erasable)
    store = current_app.extensions["legalaid.documents.store"]
    names = session.scalars(
        select(Document.storage_name).where(
            _documents_of(erasable), Document.storage_name.is_not(None)
        )
    )
    for storage_name in names:
        if storage_name is not None:
            remove_once_committed(session, store, storage_name)
    session.execute(
        update(Document)
        .where(_documents_of(erasable))
        .values(**ERASED_DOCUMENT, deleted_at=func.coalesce(Document.deleted_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Client)
        .where(Client.id.in_(erasable))
        .values(
            **ERASED_CLIENT,
            erased_on=today,
            erasure_rule=rule,
            version=Client.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    # Objects this session holds for them are stale now: read again if used.
    session.expire_all()
    for client_id in erasable:
        record_event(
            session,
            f"client.erased.{rule}",
            object_type="client",
            object_id=client_id,
            actor=actor,
        )
    return ErasedBatch(tuple(erasable), tuple(sorted(blocked)))


def _erase_documents(session: Session, client_id: int) -> None:
    """Her documents' files are destroyed once the erasure commits (their keys go now, so
    a file left by a crash can never be read); each row keeps only that it existed."""
    store = current_app.extensions["legalaid.documents.store"]
    documents = session.scalars(select(Document).where(_documents_of([client_id]))).all()
    for document in documents:
        if document.storage_name is not None:
            remove_once_committed(session, store, document.storage_name)
        for name, value in ERASED_DOCUMENT.items():
            setattr(document, name, value)
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

"""What a conflict check is about and what it found, on file: the subjects checked, the
report, the check with its decision and hits, and the respondents' name index.

The check itself (matching in SQL over the name index, within the user's scope) reads
clients and respondents, so it lives with them: :mod:`legalaid.cases.conflict_check`.
This module imports neither cases nor clients; both import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.conflicts.models import ConflictCheck
from legalaid.conflicts.names import name_keys
from legalaid.database import Base


@dataclass(frozen=True)
class Subject:
    """A name being checked: the client ("client") or one respondent ("respondent")."""

    kind: str
    names: tuple[str, ...]
    birth_year: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Hit:
    subject: Subject
    matched_kind: str
    clinic_id: int
    clinic_code: str
    in_scope: bool
    case_id: int | None = None
    case_number: str | None = None
    client_id: int | None = None
    client_number: str | None = None


@dataclass
class ConflictReport:
    subjects: list[Subject]
    hits: list[Hit] = field(default_factory=list)

    @property
    def result(self) -> str:
        if any(not hit.in_scope for hit in self.hits):
            return "possible"
        return "in_scope" if self.hits else "clear"

    @property
    def in_scope(self) -> list[Hit]:
        return [hit for hit in self.hits if hit.in_scope]

    @property
    def elsewhere(self) -> list[tuple[str, str]]:
        """(subject label, clinic code) pairs, once each: all another clinic's match shows."""
        seen: list[tuple[str, str]] = []
        for hit in self.hits:
            pair = (hit.subject.label, hit.clinic_code)
            if not hit.in_scope and pair not in seen:
                seen.append(pair)
        return seen

    def existing_clients(self) -> list[Hit]:
        """In-scope client matches for the client herself: she may already be ours."""
        return [
            hit
            for hit in self.hits
            if hit.in_scope and hit.subject.kind == "client" and hit.matched_kind == "client"
        ]


def record_check(
    session: Session,
    case_id: int,
    report: ConflictReport,
    *,
    decision: str,
    decline_reason: str | None,
    performed_by: int | None,
) -> ConflictCheck:
    """The check and its decision on file; every hit in one multi-row INSERT."""
    check = ConflictCheck(
        case_id=case_id,
        performed_by_id=performed_by,
        names_checked=len(report.subjects),
        result=report.result,
        decision=decision,
        decline_reason=decline_reason or None,
    )
    session.add(check)
    session.flush()
    if report.hits:
        session.execute(
            insert(Base.metadata.tables["conflict_hit"]),
            [
                {
                    "check_id": check.id,
                    "subject": hit.subject.kind,
                    "matched_kind": hit.matched_kind,
                    "clinic_id": hit.clinic_id,
                    "in_scope": hit.in_scope,
                    "matched_case_id": hit.case_id,
                    "matched_client_id": hit.client_id,
                }
                for hit in report.hits
            ],
        )
    # Read back when asked for; the check's hits were written around the ORM.
    session.expire(check, ["hits"])
    record_event(session, "conflict.recorded", object_type="conflict_check", object_id=check.id)
    return check


def index_respondent_name(session: Session, respondent_id: int, name: str, clinic_id: int) -> None:
    """The respondent's name words in the index (a client's: clients.services)."""
    keys = name_keys(name)
    if keys:
        session.execute(
            insert(Base.metadata.tables["name_key"]),
            [
                {
                    "key": key,
                    "words": len(keys),
                    "clinic_id": clinic_id,
                    "client_id": None,
                    "respondent_id": respondent_id,
                }
                for key in keys
            ],
        )


__all__ = ["ConflictReport", "Hit", "Subject", "index_respondent_name", "record_check"]

"""The conflict check: a client and each respondent against every client and respondent.

Matching runs in SQL over keyed name indexes (see :mod:`legalaid.conflicts.names`). A
match inside the user's scope shows the record; any other match names only the clinic,
so that a lawyer never learns another clinic's client from a check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from legalaid.accounts.services import security_policy
from legalaid.audit.service import Actor, record_event
from legalaid.cases.models import Case, Respondent
from legalaid.cases.scope import case_condition, client_condition
from legalaid.clients.models import Client
from legalaid.clinics.models import Clinic
from legalaid.conflicts.limits import enforce_hourly_limit
from legalaid.conflicts.models import ConflictCheck, ConflictHit, NameKey
from legalaid.conflicts.names import birth_year_key, name_keys

#: Words that must agree before two names match (fewer when a name has fewer words).
WORDS_TO_MATCH = 2
#: Words that must agree before another clinic's record is even mentioned: a given name
#: and a family name. One common word ("Sevinj") never reveals where someone is a client.
WORDS_TO_REVEAL_ELSEWHERE = 2
#: The most characters of matched clinic codes an audit entry holds.
_AUDIT_CODES_MAX = 64


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


def _matches(session: Session, subject: Subject) -> list[Any]:
    keys = name_keys(*subject.names)
    if not keys:
        return []
    needed = min(WORDS_TO_MATCH, len(keys))
    matched = func.count(func.distinct(NameKey.key))
    owner_words = func.max(NameKey.words)
    grouped = (
        select(
            NameKey.client_id, NameKey.respondent_id, NameKey.clinic_id, matched.label("agreeing")
        )
        .where(NameKey.key.in_(keys))
        .group_by(NameKey.client_id, NameKey.respondent_id, NameKey.clinic_id)
        .having(matched >= case((owner_words < needed, owner_words), else_=literal(needed)))
        .subquery()
    )
    year = birth_year_key(subject.birth_year)
    year_agrees = (
        or_(Client.birth_year_key.is_(None), Client.birth_year_key == year)
        if year is not None
        else literal(True)
    )
    clients = (
        select(
            literal("client").label("kind"),
            grouped.c.clinic_id,
            grouped.c.agreeing,
            Client.id.label("client_id"),
            literal(None).label("respondent_case_id"),
        )
        .join(Client, Client.id == grouped.c.client_id)
        .where(year_agrees)
    )
    respondents = select(
        literal("respondent").label("kind"),
        grouped.c.clinic_id,
        grouped.c.agreeing,
        literal(None).label("client_id"),
        Respondent.case_id.label("respondent_case_id"),
    ).join(Respondent, Respondent.id == grouped.c.respondent_id)
    return [
        *session.execute(clients.order_by(Client.id).limit(50)).all(),
        *session.execute(respondents.order_by(Respondent.id).limit(50)).all(),
    ]


def _audit_codes(report: ConflictReport) -> str | None:
    """The codes of the clinics that matched, for the check's audit entry (never names)."""
    codes = sorted({hit.clinic_code for hit in report.hits})
    text = ",".join(codes)
    while len(text) > _AUDIT_CODES_MAX and codes:
        codes.pop()
        text = ",".join(codes) + ",+"
    return text or None


def check_conflicts(
    session: Session,
    user: Any,
    subjects: list[Subject],
    *,
    exclude_case_id: int | None = None,
    exclude_client_id: int | None = None,
) -> ConflictReport:
    """Match every subject; the case being checked and its own client are left out.

    A match outside the user's scope counts only for a specific subject: at least a given
    and a family name agreeing (and the birth year, where both sides know it, as for any
    client match). Checks are limited per person and hour (``security.toml``).
    """
    enforce_hourly_limit(session, user, security_policy().conflict_checks.max_per_hour)
    report = ConflictReport(subjects=subjects)
    codes = dict(session.execute(select(Clinic.id, Clinic.code)).all())
    for subject in subjects:
        specific = len(name_keys(*subject.names)) >= WORDS_TO_REVEAL_ELSEWHERE
        for row in _matches(session, subject):
            reveals_elsewhere = specific and row.agreeing >= WORDS_TO_REVEAL_ELSEWHERE
            if row.kind == "client":
                if row.client_id == exclude_client_id:
                    continue
                client = session.scalar(
                    select(Client).where(Client.id == row.client_id, client_condition(user))
                )
                if client is None and not reveals_elsewhere:
                    continue
                report.hits.append(
                    Hit(
                        subject=subject,
                        matched_kind="client",
                        clinic_id=row.clinic_id,
                        clinic_code=codes[row.clinic_id],
                        in_scope=client is not None,
                        client_id=client.id if client else None,
                        client_number=client.number if client else None,
                    )
                )
            else:
                if row.respondent_case_id == exclude_case_id:
                    continue
                matched_case = session.scalar(
                    select(Case).where(Case.id == row.respondent_case_id, case_condition(user))
                )
                if matched_case is None and not reveals_elsewhere:
                    continue
                report.hits.append(
                    Hit(
                        subject=subject,
                        matched_kind="respondent",
                        clinic_id=row.clinic_id,
                        clinic_code=codes[row.clinic_id],
                        in_scope=matched_case is not None,
                        case_id=matched_case.id if matched_case else None,
                        case_number=matched_case.number if matched_case else None,
                    )
                )
    # The checker is named explicitly: the hourly limit counts these entries by actor.
    record_event(
        session,
        "conflict.checked",
        object_type="conflict_check",
        object_id=_audit_codes(report),
        actor=Actor.of(user),
    )
    return report


def record_check(
    session: Session,
    case_: Case,
    report: ConflictReport,
    *,
    decision: str,
    decline_reason: str | None,
    performed_by: int | None,
) -> ConflictCheck:
    check = ConflictCheck(
        case_id=case_.id,
        performed_by_id=performed_by,
        names_checked=len(report.subjects),
        result=report.result,
        decision=decision,
        decline_reason=decline_reason or None,
        hits=[
            ConflictHit(
                subject=hit.subject.kind,
                matched_kind=hit.matched_kind,
                clinic_id=hit.clinic_id,
                in_scope=hit.in_scope,
                matched_case_id=hit.case_id,
                matched_client_id=hit.client_id,
            )
            for hit in report.hits
        ],
    )
    session.add(check)
    session.flush()
    record_event(session, "conflict.recorded", object_type="conflict_check", object_id=check.id)
    return check


def index_respondent_name(session: Session, respondent: Respondent, clinic_id: int) -> None:
    keys = name_keys(respondent.name)
    session.add_all(
        NameKey(key=key, words=len(keys), clinic_id=clinic_id, respondent_id=respondent.id)
        for key in keys
    )


__all__ = ["ConflictReport", "Hit", "Subject", "check_conflicts", "record_check"]

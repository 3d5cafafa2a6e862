"""The conflict check: a client and each respondent against every client and respondent.

Matching runs in SQL over keyed name indexes (see :mod:`legalaid.conflicts.names`). A
match inside the user's scope shows the record; any other match names only the clinic,
so that a lawyer never learns another clinic's client from a check.

It lives with cases because it reads clients and respondents through the case scope
(:mod:`legalaid.cases.scope`); what it is about and what it found (subjects, report, the
check on file) are :mod:`legalaid.conflicts.service`, which knows no case or client.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Integer,
    String,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from legalaid.accounts.services import security_policy
from legalaid.audit.service import Actor, record_event
from legalaid.cases.models import Case, Respondent
from legalaid.cases.scope import case_condition, client_condition
from legalaid.clients.models import Client
from legalaid.clinics.models import Clinic
from legalaid.conflicts.limits import enforce_hourly_limit
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.names import birth_year_key, name_keys
from legalaid.conflicts.service import ConflictReport, Hit, Subject
from legalaid.viewer import Viewer

#: Words that must agree before two names match (fewer when a name has fewer words).
WORDS_TO_MATCH = 2
#: Words that must agree before another clinic's record is even mentioned: a given name
#: and a family name. One common word ("Sevinj") never reveals where someone is a client.
WORDS_TO_REVEAL_ELSEWHERE = 2
#: The most characters of matched clinic codes an audit entry holds.
_AUDIT_CODES_MAX = 64


#: How far the rarity of a word is counted: past this, a word is simply "common".
_RARITY_CAP = 500
#: The most client and the most respondent matches one subject brings back.
_MATCH_LIMIT = 50


@dataclass(frozen=True)
class _Match:
    kind: str
    clinic_id: int
    clinic_code: str
    agreeing: int
    in_scope: bool
    client_id: int | None
    client_number: str | None
    case_id: int | None
    case_number: str | None


def _rarity(session: Session, keys: set[str]) -> dict[str, int]:
    """How many names use each word, counted up to ``_RARITY_CAP`` (one statement).

    Each count stops at the cap, so a word in every tenth name of the country costs no
    more to weigh than a rare one.
    """
    if not keys:
        return {}
    ordered = sorted(keys)
    counts = [
        select(func.count())
        .select_from(select(literal(1)).where(NameKey.key == key).limit(_RARITY_CAP).subquery())
        .scalar_subquery()
        for key in ordered
    ]
    row = session.execute(select(*counts)).one()
    return dict(zip(ordered, (int(value) for value in row), strict=True))


def _matches(
    session: Session, user: Viewer, subject: Subject, rarity: dict[str, int]
) -> list[_Match]:
    """Every client and respondent the subject's words match, in one statement.

    A name matches when ``needed`` of its words agree (fewer for a shorter name). Such a
    name has at least one of the ``len(keys) - needed + 1`` rarest words, so only names
    with one of those are candidates; names shorter than ``needed`` are found through
    (key, words). Each candidate's agreeing words are then counted through its own keys,
    so the cost grows with the candidates, never with how common the commonest word is.
    Scope, numbers and clinic codes come in the same rows: no query per match.
    """
    keys = name_keys(*subject.names)
    if not keys:
        return []
    needed = min(WORDS_TO_MATCH, len(keys))
    rare = sorted(keys, key=lambda key: (rarity.get(key, 0), key))[: len(keys) - needed + 1]
    year = birth_year_key(subject.birth_year)
    year_agrees = (
        or_(Client.birth_year_key.is_(None), Client.birth_year_key == year)
        if year is not None
        else literal(True)
    )
    parts = []
    for owner, kind in ((NameKey.client_id, "client"), (NameKey.respondent_id, "respondent")):
        candidates = (
            select(owner.label("owner_id"), NameKey.clinic_id, NameKey.words)
            .where(
                owner.is_not(None),
                or_(NameKey.key.in_(rare), (NameKey.key.in_(keys)) & (NameKey.words < needed)),
            )
            .distinct()
            .subquery()
        )
        other = aliased(NameKey)
        other_owner = other.client_id if kind == "client" else other.respondent_id
        agreeing = (
            select(func.count(func.distinct(other.key)))
            .where(other_owner == candidates.c.owner_id, other.key.in_(keys))
            .scalar_subquery()
        )
        scored = select(
            candidates.c.owner_id,
            candidates.c.clinic_id,
            agreeing.label("agreeing"),
            case((candidates.c.words < needed, candidates.c.words), else_=literal(needed)).label(
                "needed"
            ),
        ).subquery()
        if kind == "client":
            part = (
                select(
                    literal("client").label("kind"),
                    scored.c.owner_id,
                    scored.c.clinic_id,
                    Clinic.code.label("clinic_code"),
                    scored.c.agreeing,
                    case((client_condition(user), literal(1)), else_=literal(0)).label("in_scope"),
                    Client.id.label("client_id"),
                    Client.number.label("client_number"),
                    cast(null(), Integer).label("case_id"),
                    cast(null(), String).label("case_number"),
                )
                .join(Client, Client.id == scored.c.owner_id)
                .join(Clinic, Clinic.id == scored.c.clinic_id)
                .where(scored.c.agreeing >= scored.c.needed, year_agrees)
                .order_by(Client.id)
                .limit(_MATCH_LIMIT)
            )
        else:
            part = (
                select(
                    literal("respondent").label("kind"),
                    scored.c.owner_id,
                    scored.c.clinic_id,
                    Clinic.code.label("clinic_code"),
                    scored.c.agreeing,
                    case((case_condition(user), literal(1)), else_=literal(0)).label("in_scope"),
                    cast(null(), Integer).label("client_id"),
                    cast(null(), String).label("client_number"),
                    Case.id.label("case_id"),
                    Case.number.label("case_number"),
                )
                .join(Respondent, Respondent.id == scored.c.owner_id)
                .join(Case, Case.id == Respondent.case_id)
                .join(Clinic, Clinic.id == scored.c.clinic_id)
                .where(scored.c.agreeing >= scored.c.needed)
                .order_by(Respondent.id)
                .limit(_MATCH_LIMIT)
            )
        parts.append(part.subquery())
    both = union_all(*(select(part) for part in parts))
    rows = sorted(session.execute(both), key=lambda row: (row.kind != "client", row.owner_id))
    return [
        _Match(
            kind=row.kind,
            clinic_id=int(row.clinic_id),
            clinic_code=row.clinic_code,
            agreeing=int(row.agreeing),
            in_scope=bool(row.in_scope),
            client_id=row.client_id,
            client_number=row.client_number,
            case_id=row.case_id,
            case_number=row.case_number,
        )
        for row in rows
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
    user: Viewer,
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
    rarity = _rarity(session, {key for subject in subjects for key in name_keys(*subject.names)})
    for subject in subjects:
        specific = len(name_keys(*subject.names)) >= WORDS_TO_REVEAL_ELSEWHERE
        for match in _matches(session, user, subject, rarity):
            reveals_elsewhere = specific and match.agreeing >= WORDS_TO_REVEAL_ELSEWHERE
            if match.kind == "client" and match.client_id == exclude_client_id:
                continue
            if match.kind == "respondent" and match.case_id == exclude_case_id:
                continue
            if not match.in_scope and not reveals_elsewhere:
                continue
            seen = match.in_scope
            report.hits.append(
                Hit(
                    subject=subject,
                    matched_kind=match.kind,
                    clinic_id=match.clinic_id,
                    clinic_code=match.clinic_code,
                    in_scope=seen,
                    case_id=match.case_id if seen else None,
                    case_number=match.case_number if seen else None,
                    client_id=match.client_id if seen else None,
                    client_number=match.client_number if seen else None,
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


__all__ = ["WORDS_TO_MATCH", "check_conflicts"]

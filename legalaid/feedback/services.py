"""Hand out a feedback code, take an answer, count the answers of a clinic.

The answer is not linkable to the client: the code row carries only the clinic and the
category of service, and is deleted when the answer is saved; the answer keeps the
clinic, the quarter and the category. A used, expired and mistyped code get the same
message, so the page tells nobody which codes exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from legalaid.audit.service import Actor, record_event
from legalaid.errors import DomainError
from legalaid.feedback.codes import code_key, new_code, normalized
from legalaid.feedback.models import FeedbackCode, FeedbackResponse
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.feedback.vocabulary import RECOMMEND, SATISFACTION, YES_PARTLY_NO
from legalaid.indicators.periods import quarter
from legalaid.vocabulary.casework import CASE_CATEGORIES

COMMENT_MAX = 2000


class UnknownCodeError(DomainError):
    """Used, expired or never issued: one answer for all three (no oracle)."""


@dataclass(frozen=True)
class Answers:
    satisfaction: str
    respected: str | None = None
    felt_safe: str | None = None
    would_recommend: str | None = None
    comment: str | None = None


def quarter_code(day: date) -> str:
    return quarter(day.year, (day.month - 1) // 3 + 1).code


def issue_code(
    session: Session,
    *,
    clinic_id: int,
    category: str | None,
    today: date,
    policy: FeedbackPolicy,
    actor: Actor | None = None,
) -> str:
    """A new code for the clinic; the plaintext is returned once, for the slip."""
    CASE_CATEGORIES.optional(category, "category")
    # Expired codes are of no use to anyone: they go whenever a new one is made.
    session.execute(delete(FeedbackCode).where(FeedbackCode.expires_on < today))
    code = new_code()
    session.add(
        FeedbackCode(
            clinic_id=clinic_id,
            code_key=code_key(code),
            category=category,
            expires_on=today + timedelta(days=policy.code_valid_days),
        )
    )
    session.flush()
    # The clinic only: an entry naming the case would tie the case to the quarter's answers.
    record_event(
        session, "feedback.code_issued", object_type="clinic", object_id=clinic_id, actor=actor
    )
    return code


def _checked(answers: Answers) -> Answers:
    SATISFACTION.require(answers.satisfaction, "satisfaction")
    comment = (answers.comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("Write at most %(max)d characters.", max=COMMENT_MAX), field="comment")
    return Answers(
        satisfaction=answers.satisfaction,
        respected=YES_PARTLY_NO.optional(answers.respected, "respected"),
        felt_safe=YES_PARTLY_NO.optional(answers.felt_safe, "felt_safe"),
        would_recommend=RECOMMEND.optional(answers.would_recommend, "would_recommend"),
        comment=comment or None,
    )


def submit_answers(session: Session, typed_code: str, answers: Answers, *, today: date) -> None:
    """Save the answers and use up the code, or refuse without saying why the code failed."""
    checked = _checked(answers)
    refused = UnknownCodeError(
        _(
            "This code does not work: it may be mistyped, already used or too old. "
            "Check it against your slip, or ask the clinic for a new one."
        ),
        field="code",
    )
    if not normalized(typed_code):
        raise refused
    row = session.execute(
        select(FeedbackCode.id, FeedbackCode.clinic_id, FeedbackCode.category).where(
            FeedbackCode.code_key == code_key(typed_code), FeedbackCode.expires_on >= today
        )
    ).one_or_none()
    if row is None:
        raise refused
    # Deleting first makes the code single use even when two answers race: only one
    # transaction deletes the row.
    used = session.execute(delete(FeedbackCode).where(FeedbackCode.id == row.id))
    if getattr(used, "rowcount", 1) != 1:
        raise refused
    session.add(
        FeedbackResponse(
            clinic_id=row.clinic_id,
            quarter=quarter_code(today),
            category=row.category,
            satisfaction=checked.satisfaction,
            respected=checked.respected,
            felt_safe=checked.felt_safe,
            would_recommend=checked.would_recommend,
            comment=checked.comment,
        )
    )
    session.flush()


def answer_count(session: Session, clinic_id: int, quarter: str | None) -> int:
    query = select(func.count()).where(FeedbackResponse.clinic_id == clinic_id)
    if quarter:
        query = query.where(FeedbackResponse.quarter == quarter)
    return int(session.scalar(query) or 0)


def quarters_with_answers(session: Session, clinic_id: int) -> list[str]:
    rows = session.scalars(
        select(FeedbackResponse.quarter)
        .where(FeedbackResponse.clinic_id == clinic_id)
        .distinct()
        .order_by(FeedbackResponse.quarter.desc())
    )
    return list(rows)

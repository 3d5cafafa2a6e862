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
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from legalaid.audit.service import Actor, record_event
from legalaid.calendar import quarter_of
from legalaid.errors import DomainError
from legalaid.feedback.codes import code_key, new_code, normalized
from legalaid.feedback.models import FeedbackAnswer, FeedbackCode, FeedbackResponse
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.vocabulary.casework import CASE_CATEGORIES

COMMENT_MAX = 2000


class UnknownCodeError(DomainError):
    """Used, expired or never issued: one answer for all three (no oracle)."""


@dataclass(frozen=True)
class Answers:
    """Answer codes by question code (empty or missing: not answered), and the free text."""

    chosen: dict[str, str]
    comment: str | None = None


def quarter_code(day: date) -> str:
    return quarter_of(day)


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


def _checked(answers: Answers, policy: FeedbackPolicy) -> Answers:
    """Only the policy's questions, each with one of its answers; required ones answered."""
    chosen: dict[str, str] = {}
    for question in policy.questions:
        code = answers.chosen.get(question.code) or ""
        if not code:
            if question.required:
                raise DomainError(_("Choose one answer."), field=question.code)
            continue
        if code not in question.answer_codes:
            raise DomainError(_("Choose one of the listed values."), field=question.code)
        chosen[question.code] = code
    comment = (answers.comment or "").strip() if policy.comment is not None else ""
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("Write at most %(max)d characters.", max=COMMENT_MAX), field="comment")
    return Answers(chosen=chosen, comment=comment or None)


def submit_answers(
    session: Session,
    typed_code: str,
    answers: Answers,
    *,
    today: date,
    policy: FeedbackPolicy,
) -> None:
    """Save the answers and use up the code, or refuse without saying why the code failed."""
    checked = _checked(answers, policy)
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
    response = FeedbackResponse(
        clinic_id=row.clinic_id,
        quarter=quarter_code(today),
        category=row.category,
        comment=checked.comment,
    )
    session.add(response)
    session.flush()
    session.add_all(
        FeedbackAnswer(response_id=response.id, question=question, answer=answer)
        for question, answer in checked.chosen.items()
    )
    session.flush()


def quarters_with_answers(session: Session, clinic_id: int) -> list[str]:
    rows = session.scalars(
        select(FeedbackResponse.quarter)
        .where(FeedbackResponse.clinic_id == clinic_id)
        .distinct()
        .order_by(FeedbackResponse.quarter.desc())
    )
    return list(rows)

"""A clinic's feedback as counts that disclosure control lets a manager see.

Below k answers in the period nothing is shown at all (not even the comments): with a
handful of answers a manager could guess who wrote which. From k on, each question is a
table of its answers ("not answered" included, so every table adds up to the same total)
protected by the same primary and complementary suppression as every release.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import protect
from legalaid.feedback.models import FeedbackAnswer, FeedbackResponse
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.indicators.dimensions import Dimension
from legalaid.indicators.periods import Period
from legalaid.indicators.tables import TOTAL, Table

NOT_ANSWERED = "none"
#: Answers with a code the policy no longer offers (kept, so that every table adds up).
RETIRED = "retired"


@dataclass(frozen=True)
class AnswerRow:
    code: str
    label: str
    count: int | None  # None: suppressed


@dataclass(frozen=True)
class QuestionResult:
    column: str
    question: str
    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class FeedbackResults:
    total: int
    k: int
    questions: tuple[QuestionResult, ...]
    comments: tuple[str, ...]

    @property
    def shown(self) -> bool:
        return self.total >= self.k


def _in_period(clinic_id: int, period: Period) -> list[object]:
    if period.kind == "quarter":
        return [FeedbackResponse.clinic_id == clinic_id, FeedbackResponse.quarter == period.code]
    return [
        FeedbackResponse.clinic_id == clinic_id,
        FeedbackResponse.quarter.startswith(period.code, autoescape=True),
    ]


def clinic_results(
    session: Session,
    clinic_id: int,
    period: Period,
    policy: DisclosurePolicy,
    feedback: FeedbackPolicy,
) -> FeedbackResults:
    where = _in_period(clinic_id, period)
    total = int(session.scalar(select(func.count()).where(*where)) or 0)  # type: ignore[arg-type]
    if total < policy.k:
        return FeedbackResults(total=total, k=policy.k, questions=(), comments=())
    # One statement for every question: answers counted in SQL, by question and code.
    counted = session.execute(
        select(FeedbackAnswer.question, FeedbackAnswer.answer, func.count())
        .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
        .where(*where)  # type: ignore[arg-type]
        .group_by(FeedbackAnswer.question, FeedbackAnswer.answer)
    ).all()
    by_question: dict[str, dict[str, int]] = {}
    for question_code, answer, n in counted:
        by_question.setdefault(str(question_code), {})[str(answer)] = int(n)
    tables: list[Table] = []
    for question in feedback.questions:
        found = by_question.get(question.code, {})
        counts = {code: found.get(code, 0) for code in question.answer_codes}
        retired = sum(n for code, n in found.items() if code not in counts)
        categories = [*question.answer_codes]
        if retired:
            categories.append(RETIRED)
            counts[RETIRED] = retired
        # "Not answered" makes every question's table add up to the same total.
        counts[NOT_ANSWERED] = total - sum(counts.values())
        categories.append(NOT_ANSWERED)
        tables.append(
            Table.from_counts(
                f"feedback_{question.code}",
                period,
                (Dimension(question.code, tuple(categories)),),
                {(code,): counts[code] for code in categories},
            )
        )
    protection = protect(tables, policy)
    language = str(get_locale() or "en")
    results = []
    for question, table in zip(feedback.questions, protection.tables, strict=True):
        labels = {a.code: a.text.get(language) for a in question.answers}
        labels[RETIRED] = _("An answer no longer offered")
        labels[NOT_ANSWERED] = _("Not answered")
        results.append(
            QuestionResult(
                question.code,
                question.text.get(language),
                tuple(
                    AnswerRow(key[0], labels[key[0]], table.value(key))
                    for key in table.cell_keys()
                    if key[0] != TOTAL
                ),
            )
        )
    comments = session.scalars(
        select(FeedbackResponse.comment).where(*where, FeedbackResponse.comment.is_not(None))  # type: ignore[arg-type]
    )
    # Sorted by their text, not stored order: the order of answers could hint at who wrote.
    return FeedbackResults(
        total=total,
        k=policy.k,
        questions=tuple(results),
        comments=tuple(sorted(c for c in comments if c)),
    )

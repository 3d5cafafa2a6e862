"""A clinic's feedback as counts that disclosure control lets a manager see.

Below k answers in the period nothing is shown at all (not even the comments): with a
handful of answers a manager could guess who wrote which. From k on, each question is a
table of its answers ("not answered" included, so every table adds up to the same total)
protected by the same primary and complementary suppression as every release.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.disclosure.suppression import protect
from legalaid.feedback.models import FeedbackResponse
from legalaid.feedback.vocabulary import QUESTIONS
from legalaid.indicators.dimensions import Dimension
from legalaid.indicators.periods import Period
from legalaid.indicators.tables import TOTAL, Table

NOT_ANSWERED = "none"


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
    session: Session, clinic_id: int, period: Period, policy: DisclosurePolicy
) -> FeedbackResults:
    where = _in_period(clinic_id, period)
    total = int(session.scalar(select(func.count()).where(*where)) or 0)  # type: ignore[arg-type]
    if total < policy.k:
        return FeedbackResults(total=total, k=policy.k, questions=(), comments=())
    tables: list[Table] = []
    for column, _question, vocabulary in QUESTIONS:
        attribute = getattr(FeedbackResponse, column)
        rows = session.execute(
            select(attribute, func.count()).where(*where).group_by(attribute)  # type: ignore[arg-type]
        ).all()
        counts = {(str(code) if code is not None else NOT_ANSWERED,): int(n) for code, n in rows}
        categories = (*vocabulary.codes, NOT_ANSWERED)
        tables.append(
            Table.from_counts(
                f"feedback_{column}",
                period,
                (Dimension(column, categories),),
                {(code,): counts.get((code,), 0) for code in categories},
            )
        )
    protection = protect(tables, policy)
    results = []
    for (column, question, vocabulary), table in zip(QUESTIONS, protection.tables, strict=True):
        labels = {code: vocabulary.label(code) for code in vocabulary.codes}
        labels[NOT_ANSWERED] = _("Not answered")
        results.append(
            QuestionResult(
                column,
                str(question),
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

"""``policies/feedback.toml``: the questions, how long a code is valid, how many wrong tries.

The questionnaire is policy: the network may reword, add or drop questions without a
code change. Each question has a stable code (stored with every answer, never reused for
another meaning) and its texts in English, Azerbaijani and Russian; so has each answer.
The satisfaction indicator (LA11) names the question it counts and the answers that
count as satisfied; start-up refuses a file where they do not exist.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from legalaid.policy.loader import PolicyModel, Translated

#: Stored with each answer (feedback_answer.question): short, lower case, a form field name.
QuestionCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
AnswerCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,16}$")]
#: Names the form already uses for its own fields.
RESERVED = frozenset({"code", "comment", "csrf_token", "submit"})


class Answer(PolicyModel):
    code: AnswerCode
    text: Translated


class Question(PolicyModel):
    code: QuestionCode
    required: bool = False
    text: Translated
    answers: tuple[Answer, ...] = Field(min_length=2, max_length=12)

    @property
    def answer_codes(self) -> tuple[str, ...]:
        return tuple(answer.code for answer in self.answers)

    @model_validator(mode="after")
    def _distinct_answers(self) -> Question:
        codes = self.answer_codes
        if len(set(codes)) != len(codes):
            raise ValueError(f"question {self.code!r} lists an answer code twice")
        if self.code in RESERVED:
            raise ValueError(f"question code {self.code!r} is reserved for the form itself")
        return self


class Comment(PolicyModel):
    """The one free-text question (optional); managers read it, it is stored encrypted."""

    text: Translated


class SatisfactionRule(PolicyModel):
    """What LA11 counts: answers to ``question`` that are one of ``satisfied``."""

    question: QuestionCode
    satisfied: tuple[AnswerCode, ...] = Field(min_length=1)


class FeedbackPolicy(PolicyModel):
    code_valid_days: int = Field(ge=1, le=365)
    wrong_codes_per_address_per_hour: int = Field(ge=1, le=1000)
    wrong_codes_per_hour: int = Field(ge=1, le=100_000)
    indicator: SatisfactionRule
    question: tuple[Question, ...] = Field(min_length=1, max_length=20)
    comment: Comment | None = None

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.question

    def find(self, code: str) -> Question | None:
        return next((q for q in self.question if q.code == code), None)

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackPolicy:
        codes = [q.code for q in self.question]
        if len(set(codes)) != len(codes):
            raise ValueError("a question code is listed twice")
        counted = self.find(self.indicator.question)
        if counted is None:
            raise ValueError(
                f"indicator.question {self.indicator.question!r} is not one of the questions"
            )
        if not counted.required:
            # Otherwise the share would be of answers to the form, not to the question.
            raise ValueError(f"the question LA11 counts ({counted.code!r}) must be required")
        unknown = set(self.indicator.satisfied) - set(counted.answer_codes)
        if unknown:
            raise ValueError(
                f"indicator.satisfied names answers {sorted(unknown)} that question "
                f"{counted.code!r} does not offer"
            )
        return self

"""Feedback codes and answers: nothing in any row points at a case or a client."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base
from legalaid.vocabulary.casework import CASE_CATEGORIES


class FeedbackCode(Base):
    """A code handed to a client, until it is used (then the row is deleted) or expires.

    Only the keyed hash of the code is stored; the code itself is printed once."""

    __tablename__ = "feedback_code"
    __table_args__ = (
        CheckConstraint(
            "category IS NULL OR " + CASE_CATEGORIES.sql_check("category"), name="category"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    code_key: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str | None] = mapped_column(String(16))
    expires_on: Mapped[date] = mapped_column(Date, index=True)


class FeedbackResponse(Base):
    """One client's answers: clinic, quarter and category of service only, no time stamp.

    The answers to the policy's questions are rows of :class:`FeedbackAnswer`; the free
    text is here, encrypted."""

    __tablename__ = "feedback_response"
    __table_args__ = (
        CheckConstraint(
            "category IS NULL OR " + CASE_CATEGORIES.sql_check("category"), name="category"
        ),
        Index("ix_feedback_response_clinic_quarter", "clinic_id", "quarter"),
    )

    # Random, not a sequence: a serial id would give the order answers came in, which beside
    # the audit log's times of handing out codes could line answers up with slips.
    id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=lambda: secrets.token_hex(16)
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    quarter: Mapped[str] = mapped_column(String(6))  # e.g. 2026Q4
    category: Mapped[str | None] = mapped_column(String(16))
    # Managers read it; it may name people, so it is encrypted like every free text.
    comment: Mapped[str | None] = mapped_column(EncryptedText("feedback_response.comment"))


class FeedbackAnswer(Base):
    """The answer to one question of ``policies/feedback.toml`` (codes from the policy)."""

    __tablename__ = "feedback_answer"
    __table_args__ = (Index("ix_feedback_answer_question_answer", "question", "answer"),)

    response_id: Mapped[str] = mapped_column(
        ForeignKey("feedback_response.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    answer: Mapped[str] = mapped_column(String(16))


class FeedbackThrottle(Base):
    """Wrong feedback codes in one hour, by a keyed hash of the address and that hour.

    ``key`` is HMAC(blind-index key, hour + address), so the same address gives an
    unrelated value every hour and no address can be read back or followed from hour to
    hour; ``*`` counts all addresses together. Only wrong codes are counted (a saved
    answer writes nothing here), and rows are deleted after two hours."""

    __tablename__ = "feedback_throttle"

    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # hours since the epoch
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrong: Mapped[int] = mapped_column(Integer, default=0)

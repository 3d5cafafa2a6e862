"""Feedback codes and answers: nothing in either row points at a case or a client."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base
from legalaid.feedback.vocabulary import RECOMMEND, SATISFACTION, YES_PARTLY_NO
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
    """One client's answers: clinic, quarter and category of service only, no time stamp."""

    __tablename__ = "feedback_response"
    __table_args__ = (
        CheckConstraint(
            "category IS NULL OR " + CASE_CATEGORIES.sql_check("category"), name="category"
        ),
        CheckConstraint(SATISFACTION.sql_check("satisfaction"), name="satisfaction"),
        CheckConstraint(
            "respected IS NULL OR " + YES_PARTLY_NO.sql_check("respected"), name="respected"
        ),
        CheckConstraint(
            "felt_safe IS NULL OR " + YES_PARTLY_NO.sql_check("felt_safe"), name="felt_safe"
        ),
        CheckConstraint(
            "would_recommend IS NULL OR " + RECOMMEND.sql_check("would_recommend"),
            name="would_recommend",
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
    satisfaction: Mapped[str] = mapped_column(String(1))
    respected: Mapped[str | None] = mapped_column(String(8))
    felt_safe: Mapped[str | None] = mapped_column(String(8))
    would_recommend: Mapped[str | None] = mapped_column(String(8))
    # Managers read it; it may name people, so it is encrypted like every free text.
    comment: Mapped[str | None] = mapped_column(EncryptedText("feedback_response.comment"))

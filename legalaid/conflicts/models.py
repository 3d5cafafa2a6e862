"""Blind name keys of clients and respondents, and the conflict checks made with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.clinics.models import Clinic
from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.casework import CONFLICT_DECISIONS, CONFLICT_RESULTS


class NameKey(Base):
    """One keyed index per name word of a client or respondent (see conflicts.names)."""

    __tablename__ = "name_key"
    __table_args__ = (
        CheckConstraint("(client_id IS NULL) <> (respondent_id IS NULL)", name="one_owner"),
        Index("ix_name_key_key_words", "key", "words"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    # How many distinct words the owner's names have: a short name can still match.
    words: Mapped[int] = mapped_column(Integer)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True
    )


class ConflictCheck(Base):
    """The check made before a case opens, its result and the lawyer's decision."""

    __tablename__ = "conflict_check"
    __table_args__ = (
        CheckConstraint(CONFLICT_RESULTS.sql_check("result"), name="result"),
        CheckConstraint(CONFLICT_DECISIONS.sql_check("decision"), name="decision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    performed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    names_checked: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(8))
    decline_reason: Mapped[str | None] = mapped_column(EncryptedText("conflict_check.reason"))

    hits: Mapped[list[ConflictHit]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ConflictHit.id"
    )


class ConflictHit(Base):
    """One match: which of the checked names, against a client or respondent, where."""

    __tablename__ = "conflict_hit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("conflict_check.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(16))  # "client" or "respondent"
    matched_kind: Mapped[str] = mapped_column(String(16))  # "client" or "respondent"
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    in_scope: Mapped[bool] = mapped_column(Boolean)
    # Only kept for matches the lawyer was allowed to see.
    matched_case_id: Mapped[int | None] = mapped_column(ForeignKey("legal_case.id"))
    matched_client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))

    clinic: Mapped[Clinic] = relationship()

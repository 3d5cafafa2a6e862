"""Cases and what hangs directly off them: respondents, status history, assignments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.models import User
from legalaid.clients.models import Client
from legalaid.clinics.models import Clinic
from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.casework import (
    CASE_CATEGORIES,
    CASE_OUTCOMES,
    CASE_STATUSES,
    DISCRIMINATION_DOMAINS,
    DISCRIMINATION_GROUNDS,
    GBV_TYPES,
    REFERRAL_SOURCES,
    RESPONDENT_RELATIONS,
    RISK_LEVELS,
)
from legalaid.vocabulary.regions import ECONOMIC_REGIONS


def _optional(vocabulary_check: str, column: str) -> str:
    return f"{column} IS NULL OR {vocabulary_check}"


class Case(Base):
    __tablename__ = "legal_case"
    __table_args__ = (
        CheckConstraint(CASE_CATEGORIES.sql_check("category"), name="category"),
        CheckConstraint(_optional(GBV_TYPES.sql_check("gbv_type"), "gbv_type"), name="gbv_type"),
        CheckConstraint(
            _optional(
                DISCRIMINATION_DOMAINS.sql_check("discrimination_domain"), "discrimination_domain"
            ),
            name="discrimination_domain",
        ),
        CheckConstraint(
            _optional(ECONOMIC_REGIONS.sql_check("incident_region"), "incident_region"),
            name="incident_region",
        ),
        CheckConstraint(RISK_LEVELS.sql_check("risk_level"), name="risk_level"),
        CheckConstraint(CASE_STATUSES.sql_check("status"), name="status"),
        CheckConstraint(_optional(CASE_OUTCOMES.sql_check("outcome"), "outcome"), name="outcome"),
        CheckConstraint("(status = 'closed') = (outcome IS NOT NULL)", name="closed_has_outcome"),
        CheckConstraint(
            _optional(REFERRAL_SOURCES.sql_check("referral_source"), "referral_source"),
            name="referral_source",
        ),
        Index("ix_legal_case_clinic_year_seq", "clinic_id", "year", "seq", unique=True),
        # The indicators: cases opened (and served), and closed, in a period, with every
        # column they are counted by, read from the index alone (migration 0006).
        Index(
            "ix_legal_case_opened_statistics",
            "opened_on",
            "closed_on",
            "category",
            "client_id",
            "clinic_id",
            "gbv_type",
            "discrimination_domain",
            "incident_region",
        ),
        Index(
            "ix_legal_case_closed_statistics",
            "closed_on",
            "category",
            "outcome",
            "client_id",
            "clinic_id",
        ),
        # The lists: a lawyer's cases and a clinic's cases, newest first, by status.
        Index("ix_legal_case_lawyer", "assigned_lawyer_id", "id"),
        Index("ix_legal_case_lawyer_status", "assigned_lawyer_id", "status", "id"),
        Index("ix_legal_case_clinic", "clinic_id", "id"),
        Index("ix_legal_case_clinic_status", "clinic_id", "status", "id"),
        # The caseload counts, read from the index alone.
        Index("ix_legal_case_caseload", "clinic_id", "status", "assigned_lawyer_id", "risk_level"),
        Index("ix_legal_case_opened_on", "opened_on"),
        Index("ix_legal_case_closed_on", "closed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    number: Mapped[str] = mapped_column(String(24), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)

    category: Mapped[str] = mapped_column(String(16))
    gbv_type: Mapped[str | None] = mapped_column(String(24))
    intimate_partner_violence: Mapped[bool] = mapped_column(Boolean, default=False)
    early_marriage: Mapped[bool] = mapped_column(Boolean, default=False)
    discrimination_domain: Mapped[str | None] = mapped_column(String(24))
    incident_date: Mapped[date | None] = mapped_column(Date)
    incident_date_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_region: Mapped[str | None] = mapped_column(String(32))
    risk_level: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str | None] = mapped_column(EncryptedText("legal_case.summary"))
    referral_source: Mapped[str | None] = mapped_column(String(24))
    referral_source_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_provider.id")
    )

    status: Mapped[str] = mapped_column(String(8), default="intake")
    intake_on: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(24))
    # Proceedings continue: the retention job and erasure on request leave the client alone.
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    legal_hold_since: Mapped[date | None] = mapped_column(Date)

    assigned_lawyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    clinic: Mapped[Clinic] = relationship()
    client: Mapped[Client] = relationship()
    assigned_lawyer: Mapped[User] = relationship(foreign_keys=[assigned_lawyer_id])
    grounds: Mapped[list[CaseDiscriminationGround]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CaseDiscriminationGround.ground"
    )
    respondents: Mapped[list[Respondent]] = relationship(
        cascade="all, delete-orphan", order_by="Respondent.id", back_populates="case"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def ground_codes(self) -> list[str]:
        return [row.ground for row in self.grounds]

    @property
    def is_high_risk(self) -> bool:
        return self.risk_level == "high"


class CaseDiscriminationGround(Base):
    __tablename__ = "case_discrimination_ground"
    __table_args__ = (CheckConstraint(DISCRIMINATION_GROUNDS.sql_check("ground"), name="ground"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), primary_key=True
    )
    ground: Mapped[str] = mapped_column(String(24), primary_key=True)


class Respondent(Base):
    """An opposing party. The name may be unknown (a stranger); the relation never is."""

    __tablename__ = "respondent"
    __table_args__ = (
        CheckConstraint(RESPONDENT_RELATIONS.sql_check("relation"), name="relation"),
        # Cases with a law-enforcement respondent (indicator LE01; migration 0006).
        Index("ix_respondent_case_relation", "case_id", "relation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(EncryptedText("respondent.name"))
    relation: Mapped[str] = mapped_column(String(24))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="respondents")


class CaseStatusChange(Base):
    """Every move of the lifecycle: open, close with an outcome, reopen with a reason."""

    __tablename__ = "case_status_change"
    __table_args__ = (
        Index("ix_case_status_change_closures", "to_status", "effective_on", "case_id"),
        # "Was this case ever reopened?" (clients served, LA01): one index range per count.
        Index("ix_case_status_change_reopenings", "from_status", "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(8))
    to_status: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(EncryptedText("case_status_change.reason"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The date the move takes effect: the closing date entered (it may be earlier than
    #: ``changed_at``); LA03 counts closures by it.
    effective_on: Mapped[date] = mapped_column(Date)

    changed_by: Mapped[User | None] = relationship()


class CaseAssignment(Base):
    """Who had the case, who has it now, who decided and why."""

    __tablename__ = "case_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    from_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    to_lawyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(EncryptedText("case_assignment.reason"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    from_lawyer: Mapped[User | None] = relationship(foreign_keys=[from_lawyer_id])
    to_lawyer: Mapped[User] = relationship(foreign_keys=[to_lawyer_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])

"""The directory of service providers and the referrals sent to them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.models import User
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.casework import REFERRAL_SERVICES, REFERRAL_STATUSES
from legalaid.vocabulary.regions import ECONOMIC_REGIONS


class ServiceProvider(Base):
    """An organisation, not a person: its name and contact are not personal data."""

    __tablename__ = "service_provider"
    __table_args__ = (
        CheckConstraint(REFERRAL_SERVICES.sql_check("service_type"), name="service_type"),
        CheckConstraint(ECONOMIC_REGIONS.sql_check("economic_region"), name="economic_region"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[str] = mapped_column(String(24), index=True)
    economic_region: Mapped[str] = mapped_column(String(32), index=True)
    contact: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(REFERRAL_SERVICES.sql_check("service_type"), name="service_type"),
        CheckConstraint(REFERRAL_STATUSES.sql_check("status"), name="status"),
        Index("ix_referral_sent_on", "sent_on", "service_type"),
        # Referrals sent and completed in a period (indicators; migration 0006).
        Index("ix_referral_sent_statistics", "sent_on", "status", "service_type", "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("service_provider.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="sent")
    sent_on: Mapped[date] = mapped_column(Date)
    status_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    provider: Mapped[ServiceProvider] = relationship()
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

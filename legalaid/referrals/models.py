"""The referrals sent to service providers (the directory is `providers/`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.models import User
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.providers.models import ServiceProvider
from legalaid.vocabulary.casework import REFERRAL_SERVICES, REFERRAL_STATUSES


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

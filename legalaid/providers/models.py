"""The directory of service providers that clients are referred to (kept by managers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.casework import REFERRAL_SERVICES
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

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.roles import ROLES
from legalaid.clinics.models import Clinic
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.i18n import LANGUAGES


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(ROLES.sql_check("role"), name="role"),
        CheckConstraint(LANGUAGES.sql_check("preferred_language"), name="preferred_language"),
        CheckConstraint(
            "(role IN ('lawyer', 'manager')) = (clinic_id IS NOT NULL)", name="clinic_for_role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    clinic: Mapped[Clinic | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary import Vocabulary
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

CLINIC_STATUSES = Vocabulary(
    "clinic_status",
    (("pilot", _l("Pilot")), ("active", _l("Active")), ("closed", _l("Closed"))),
)


class Clinic(Base):
    __tablename__ = "clinic"
    __table_args__ = (
        CheckConstraint(CLINIC_STATUSES.sql_check("status"), name="status"),
        CheckConstraint(ECONOMIC_REGIONS.sql_check("economic_region"), name="economic_region"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    economic_region: Mapped[str] = mapped_column(String(32), index=True)
    city: Mapped[str] = mapped_column(String(100), default="")
    opened_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pilot")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Clinic {self.code}>"


class NumberCounter(Base):
    """The last number given per clinic and series ("case-2026", "client")."""

    __tablename__ = "number_counter"

    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), primary_key=True)
    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)

"""Law-enforcement sensitivity training sessions (Objective 2.3) and their participants.

How the indicators count, in plain SQL over indexed, coded columns:

- **Sessions**: rows of ``training_session``; every session belongs to the clinic that
  recorded it (``clinic_id``), also when a partner organisation delivered it
  (``delivered_by = 'partner'``). Period: ``starts_on``; place: ``economic_region``;
  who was trained: ``agency``.
- **Officers trained** (by sex): ``SUM(officers_total)``, ``SUM(officers_female)``,
  ``SUM(officers_male)`` over sessions, whatever the ``participation_mode``:

  * ``'counts'``: only totals are known; the manager typed them (female + male = total,
    a CHECK constraint holds it);
  * ``'rows'``: one ``training_participant`` row per officer (no names); the services
    recompute the session's three counts and ``officers_full_attendance`` from the rows
    whenever the rows change, so they always equal ``COUNT(*)`` of the rows by sex.

  Figures that need rows (rank group, years of service, test scores) come from
  ``training_participant`` joined to its session; count-only sessions have none.
- **Improvement**: among rows with both scores (``pre_score IS NOT NULL AND post_score IS
  NOT NULL``), improved by at least 10 points is ``post_score - pre_score >= 10``.
- **Hours**: ``duration_minutes`` (the form takes hours; minutes keep the sum exact).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.models import User
from legalaid.clinics.models import Clinic
from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.vocabulary.trainings import (
    DELIVERY_KINDS,
    LAW_ENFORCEMENT_AGENCIES,
    OFFICER_SEXES,
    PARTICIPATION_MODES,
    RANK_GROUPS,
    SERVICE_YEARS,
    TRAINING_MODULES,
)


def _optional(vocabulary_check: str, column: str) -> str:
    return f"{column} IS NULL OR {vocabulary_check}"


def _score(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 100)"


class TrainingSession(Base):
    """One session: when, where, who delivered it, who was trained, what it covered."""

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint(ECONOMIC_REGIONS.sql_check("economic_region"), name="economic_region"),
        CheckConstraint(LAW_ENFORCEMENT_AGENCIES.sql_check("agency"), name="agency"),
        CheckConstraint(DELIVERY_KINDS.sql_check("delivered_by"), name="delivered_by"),
        CheckConstraint(
            PARTICIPATION_MODES.sql_check("participation_mode"), name="participation_mode"
        ),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint(
            "(delivered_by = 'partner') = (partner_name IS NOT NULL)", name="partner_named"
        ),
        CheckConstraint("duration_minutes > 0", name="duration"),
        CheckConstraint(
            "officers_female >= 0 AND officers_male >= 0 "
            "AND officers_total = officers_female + officers_male",
            name="officers_by_sex",
        ),
        CheckConstraint(
            "officers_full_attendance IS NULL OR "
            "(officers_full_attendance >= 0 AND officers_full_attendance <= officers_total)",
            name="officers_full_attendance",
        ),
        # The list (a clinic's sessions, newest first) and the indicators' dimensions.
        Index("ix_training_session_clinic_starts_on", "clinic_id", "starts_on"),
        Index("ix_training_session_starts_on", "starts_on"),
        Index("ix_training_session_economic_region", "economic_region"),
        Index("ix_training_session_agency", "agency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    economic_region: Mapped[str] = mapped_column(String(32))
    venue: Mapped[str] = mapped_column(String(200))
    delivered_by: Mapped[str] = mapped_column(String(8))
    partner_name: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(EncryptedText("training_session.notes"))

    participation_mode: Mapped[str] = mapped_column(String(8), default="rows")
    officers_total: Mapped[int] = mapped_column(Integer, default=0)
    officers_female: Mapped[int] = mapped_column(Integer, default=0)
    officers_male: Mapped[int] = mapped_column(Integer, default=0)
    officers_full_attendance: Mapped[int | None] = mapped_column(Integer)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    clinic: Mapped[Clinic] = relationship()
    modules: Mapped[list[TrainingSessionModule]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TrainingSessionModule.module"
    )
    trainers: Mapped[list[TrainingTrainer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TrainingTrainer.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def module_codes(self) -> list[str]:
        """In the vocabulary's order, as the form and the page list them."""
        chosen = {row.module for row in self.modules}
        return [code for code in TRAINING_MODULES.codes if code in chosen]

    @property
    def hours(self) -> float:
        return self.duration_minutes / 60

    @property
    def trainer_user_ids(self) -> list[int]:
        return [row.user_id for row in self.trainers if row.user_id is not None]

    @property
    def external_trainer_names(self) -> list[str]:
        return [row.name for row in self.trainers if row.name is not None]


class TrainingSessionModule(Base):
    __tablename__ = "training_session_module"
    __table_args__ = (
        CheckConstraint(TRAINING_MODULES.sql_check("module"), name="module"),
        Index("ix_training_session_module_module", "module"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    module: Mapped[str] = mapped_column(String(24), primary_key=True)


class TrainingTrainer(Base):
    """A trainer of a session: an account of the clinic, or an external trainer by name."""

    __tablename__ = "training_trainer"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (name IS NULL)", name="account_or_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User | None] = relationship(lazy="selectin")

    @property
    def display_name(self) -> str:
        return self.user.full_name if self.user is not None else (self.name or "")


class TrainingParticipant(Base):
    """One officer of a session, without a name: coded attributes and test scores only."""

    __tablename__ = "training_participant"
    __table_args__ = (
        CheckConstraint(OFFICER_SEXES.sql_check("sex"), name="sex"),
        CheckConstraint(_optional(RANK_GROUPS.sql_check("rank_group"), "rank_group"), name="rank"),
        CheckConstraint(
            _optional(SERVICE_YEARS.sql_check("service_years"), "service_years"),
            name="service_years",
        ),
        CheckConstraint(_score("pre_score"), name="pre_score"),
        CheckConstraint(_score("post_score"), name="post_score"),
        Index("ix_training_participant_session_line", "session_id", "line", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    #: The row's number in the imported sheet (the header is row 1).
    line: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(8))
    rank_group: Mapped[str | None] = mapped_column(String(16))
    service_years: Mapped[str | None] = mapped_column(String(8))
    pre_score: Mapped[int | None] = mapped_column(Integer)
    post_score: Mapped[int | None] = mapped_column(Integer)
    attended_full: Mapped[bool] = mapped_column(Boolean)

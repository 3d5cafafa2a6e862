"""Clients: direct identifiers encrypted, coded attributes plain for counting in SQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.casework import (
    AGE_BANDS,
    CONTACT_CHANNELS,
    DISABILITY,
    GENDER_IDENTITIES,
    KEY_POPULATIONS,
    SETTLEMENTS,
)
from legalaid.vocabulary.regions import ECONOMIC_REGIONS


class Client(Base):
    __tablename__ = "client"
    __table_args__ = (
        CheckConstraint(GENDER_IDENTITIES.sql_check("gender_identity"), name="gender_identity"),
        CheckConstraint(AGE_BANDS.sql_check("age_band"), name="age_band"),
        CheckConstraint(ECONOMIC_REGIONS.sql_check("economic_region"), name="economic_region"),
        CheckConstraint(SETTLEMENTS.sql_check("settlement"), name="settlement"),
        CheckConstraint(DISABILITY.sql_check("disability"), name="disability"),
        CheckConstraint(
            "contact_channel IS NULL OR " + CONTACT_CHANNELS.sql_check("contact_channel"),
            name="contact_channel",
        ),
        # The indicators read a client's categories from the index alone (migration 0006).
        Index(
            "ix_client_statistics",
            "id",
            "consent_statistics",
            "gender_identity",
            "age_band",
            "economic_region",
            "settlement",
            "disability",
            "clinic_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    # Pseudonymous: what staff say and write instead of the name (e.g. BAK-C-00042).
    number: Mapped[str] = mapped_column(String(24), unique=True)

    full_name: Mapped[str] = mapped_column(EncryptedText("client.full_name"))
    # The name she uses (a trans woman's name, a working name): shown first everywhere,
    # matched by the conflict check like her legal name.
    name_to_use: Mapped[str | None] = mapped_column(EncryptedText("client.name_to_use"))
    other_names: Mapped[str | None] = mapped_column(EncryptedText("client.other_names"))
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText("client.date_of_birth"))
    # Keyed index of the birth year: lets the conflict check compare years blind.
    birth_year_key: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(EncryptedText("client.phone"))
    address: Mapped[str | None] = mapped_column(EncryptedText("client.address"))

    # Safe contact: a call or a message at the wrong moment can put her in danger.
    may_call: Mapped[bool] = mapped_column(Boolean, default=False)
    may_leave_message: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_channel: Mapped[str | None] = mapped_column(String(24))
    contact_hours: Mapped[str | None] = mapped_column(EncryptedText("client.contact_hours"))
    contact_notes: Mapped[str | None] = mapped_column(EncryptedText("client.contact_notes"))

    # Language and accessibility: codes (CLIENT_LANGUAGES, INTERPRETER_NEEDS, checked by
    # the service; no CHECK constraint, which SQLite could only add by rebuilding the
    # table) and free text (which may reveal a health condition) encrypted.
    language: Mapped[str | None] = mapped_column(String(8))
    interpreter: Mapped[str | None] = mapped_column(String(8))
    access_needs: Mapped[str | None] = mapped_column(EncryptedText("client.access_needs"))

    gender_identity: Mapped[str] = mapped_column(String(16))
    age_band: Mapped[str] = mapped_column(String(8))
    economic_region: Mapped[str] = mapped_column(String(32))
    settlement: Mapped[str] = mapped_column(String(8))
    disability: Mapped[str] = mapped_column(String(8), default="unknown")

    consent_services: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_services_on: Mapped[date | None] = mapped_column(Date)
    consent_services_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_statistics: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_statistics_on: Mapped[date | None] = mapped_column(Date)
    consent_statistics_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_sharing: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_sharing_on: Mapped[date | None] = mapped_column(Date)
    consent_sharing_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Retention (legalaid/retention): personal data overwritten on this day, under this rule
    # ("retention" or "request"); the coded record above stays for the statistics.
    erased_on: Mapped[date | None] = mapped_column(Date)
    erasure_rule: Mapped[str | None] = mapped_column(String(16))

    key_populations: Mapped[list[ClientKeyPopulation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ClientKeyPopulation.population"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        """The name to use first, her legal name after it when they differ."""
        if self.name_to_use and self.name_to_use != self.full_name:
            return f"{self.name_to_use} ({self.full_name})" if self.full_name else self.name_to_use
        return self.full_name

    @property
    def birth_date(self) -> date | None:
        return date.fromisoformat(self.date_of_birth) if self.date_of_birth else None

    @property
    def population_codes(self) -> list[str]:
        return [row.population for row in self.key_populations]


class ClientKeyPopulation(Base):
    """Several groups may apply; none of them is no row at all."""

    __tablename__ = "client_key_population"
    __table_args__ = (
        CheckConstraint(KEY_POPULATIONS.sql_check("population"), name="population"),
        Index("ix_client_key_population_population", "population", "client_id"),
    )

    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    population: Mapped[str] = mapped_column(String(16), primary_key=True)

"""Work on a case: services delivered, notes with their revisions, hearings and deadlines."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.models import User
from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.casework import (
    HEARING_KINDS,
    LEGAL_SERVICES,
    PROTECTION_ORDER_KINDS,
    PROTECTION_ORDER_RESULTS,
)


class ServiceDelivery(Base):
    __tablename__ = "service_delivery"
    __table_args__ = (
        CheckConstraint(LEGAL_SERVICES.sql_check("service_type"), name="service_type"),
        CheckConstraint(
            "order_kind IS NULL OR " + PROTECTION_ORDER_KINDS.sql_check("order_kind"),
            name="order_kind",
        ),
        CheckConstraint(
            "order_result IS NULL OR " + PROTECTION_ORDER_RESULTS.sql_check("order_result"),
            name="order_result",
        ),
        CheckConstraint(
            "(service_type = 'protection_order') = (order_kind IS NOT NULL)",
            name="order_only_for_orders",
        ),
        Index("ix_service_delivery_delivered_on", "delivered_on", "service_type"),
        # Protection orders granted in a period (indicator LA06; migration 0006).
        Index(
            "ix_service_delivery_order_statistics",
            "order_result",
            "order_result_on",
            "order_kind",
            "case_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    service_type: Mapped[str] = mapped_column(String(24))
    delivered_on: Mapped[date] = mapped_column(Date)
    provided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    order_kind: Mapped[str | None] = mapped_column(String(16))
    order_result: Mapped[str | None] = mapped_column(String(16))
    order_result_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    provided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Note(Base):
    """A case note; a correction adds a revision, the earlier text is kept."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    author: Mapped[User | None] = relationship()
    revisions: Mapped[list[NoteRevision]] = relationship(
        cascade="all, delete-orphan", order_by="NoteRevision.revision", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def current(self) -> NoteRevision:
        return self.revisions[-1]


class NoteRevision(Base):
    __tablename__ = "case_note_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("case_note.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(EncryptedText("case_note.body"))
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edited_by: Mapped[User | None] = relationship()


class Hearing(Base):
    """A hearing or a deadline of a case."""

    __tablename__ = "hearing"
    __table_args__ = (
        CheckConstraint(HEARING_KINDS.sql_check("kind"), name="kind"),
        # The agenda and the caseload page: what is due, by date, not yet done; per case too.
        Index("ix_hearing_done_due_on", "done", "due_on"),
        Index("ix_hearing_case_open", "case_id", "done", "due_on"),
        # The upcoming agenda: the window's dates done or not, in its order (migration 0025).
        Index("ix_hearing_due_on", "due_on", "id"),
        CheckConstraint(
            "duration_minutes IS NULL OR (duration_minutes > 0 AND duration_minutes <= 1440"
            " AND starts_at IS NOT NULL)",
            name="duration",
        ),
        # A deadline suggested by a rule of policies/deadlines.toml is accepted once.
        UniqueConstraint("case_id", "rule_code", "rule_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("legal_case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    due_on: Mapped[date] = mapped_column(Date)
    # Clinic time (Asia/Baku) of day; none for a deadline that runs to the end of the day.
    starts_at: Mapped[time | None] = mapped_column(Time)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(EncryptedText("hearing.place"))
    # The court or venue, a code of policies/venues.toml (the network extends the list, so
    # no CHECK here: the service admits only listed codes). The calendar feed shows its
    # name; the free-text place above, which may name people, never leaves the app.
    venue: Mapped[str | None] = mapped_column(String(32))
    # The deadline rule this date was computed by, and what it ran from ("service:12").
    rule_code: Mapped[str | None] = mapped_column(String(48))
    rule_source: Mapped[str | None] = mapped_column(String(32))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseTask(Base):
    """A to-do on a case ("call the client back on Friday"), for someone who sees the case."""

    __tablename__ = "case_task"
    __table_args__ = (Index("ix_case_task_assignee_open", "assignee_id", "done", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("legal_case.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(EncryptedText("case_task.description"))
    due_on: Mapped[date] = mapped_column(Date)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}

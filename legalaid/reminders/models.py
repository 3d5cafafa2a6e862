"""One row per reminder handed to the mail server: the unique key makes sending idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from legalaid.database import Base, UTCDateTime, utcnow


class ReminderDelivery(Base):
    """A reminder claimed (``sent_at`` empty) or sent to one user.

    The key names what the reminder is about and when it is due ("hearing:12:7d:2026-12-14
    10:00"), never what it says; a moved hearing has a new key and is reminded again.
    """

    __tablename__ = "reminder_delivery"
    __table_args__ = (UniqueConstraint("user_id", "reminder_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reminder_key: Mapped[str] = mapped_column(String(80))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderSeen(Base):
    """When she last looked at her reminders in the app: those due since are "new" (the
    bell's count). A row of its own, so that looking never touches the versioned account."""

    __tablename__ = "reminder_seen"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

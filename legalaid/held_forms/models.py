from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow


class HeldForm(Base):
    """What a user sent after her session expired, encrypted, for a few minutes.

    The browser keeps only a random id in its signed session cookie; the database keeps
    the id's SHA-256, so a copy of the database cannot be matched to a cookie.
    """

    __tablename__ = "held_form"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(500))
    fields: Mapped[str] = mapped_column(EncryptedText("held_form.fields"))
    had_files: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

"""A personal access token of a task-force member, for the API only.

The token itself is shown once, when it is made; only its SHA-256 is kept (a token is
32 random bytes, so a fast hash is enough: there is nothing to guess). ``prefix`` is
the token's first characters, shown in lists so its owner can tell tokens apart.

Rate limiting counts requests in fixed windows on the token's own row, so every worker
process of the app sees the same count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.models import User
from legalaid.database import Base, UTCDateTime, utcnow


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        CheckConstraint("window_requests >= 0", name="window_requests_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The owner's label for it ("DHIS2 import"); a label, not a secret.
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_requests: Mapped[int] = mapped_column(Integer, default=0)
    # The owner's credentials epoch when the token was made; a later epoch ends it.
    credentials_epoch: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    user: Mapped[User] = relationship()

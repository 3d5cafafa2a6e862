"""Documents kept on a case (or on a client, for identity papers): metadata only.

The file itself is ciphertext in the document store (:mod:`legalaid.documents.storage`)
under a random name; this row holds what is needed to open it: the file id bound into
every chunk and the per-file data key, wrapped by the key ring (an ``EncryptedText``
value names the ring key that wraps it, ``v1:<key id>:...``), so `legalaid keys rotate`
re-wraps it like any other encrypted column and never touches the file.

A deleted document keeps its row (who deleted it, when, why) but loses its content: the
stored file is removed and the wrapped key set to NULL, so even a backup of the store
cannot be opened with this database any more.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.accounts.models import User
from legalaid.crypto.fields import EncryptedText
from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.vocabulary.documents import DOCUMENT_KINDS


class Document(Base):
    __tablename__ = "case_document"
    __table_args__ = (
        CheckConstraint(DOCUMENT_KINDS.sql_check("kind"), name="kind"),
        CheckConstraint("(case_id IS NULL) <> (client_id IS NULL)", name="case_or_client"),
        # Content and key go together: both present, or both destroyed with the deletion.
        CheckConstraint(
            "(storage_name IS NULL) = (data_key IS NULL)", name="content_and_key_together"
        ),
        CheckConstraint(
            "deleted_at IS NOT NULL OR storage_name IS NOT NULL", name="live_has_content"
        ),
        Index("ix_case_document_case", "case_id", "id"),
        Index("ix_case_document_client", "client_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("legal_case.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))
    kind: Mapped[str] = mapped_column(String(24))
    document_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(EncryptedText("case_document.description"))
    original_filename: Mapped[str] = mapped_column(EncryptedText("case_document.original_filename"))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    # Random, never derived from the file name; NULL once the content is destroyed.
    storage_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Hex of the 16-byte id sealed into the file's header and every chunk's AAD.
    file_id: Mapped[str] = mapped_column(String(32))
    # The data key (URL-safe base64) wrapped by the key ring; NULL once destroyed.
    data_key: Mapped[str | None] = mapped_column(EncryptedText("case_document.data_key"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("case_document.id"), unique=True)

    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    delete_reason: Mapped[str | None] = mapped_column(EncryptedText("case_document.delete_reason"))

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])
    replaces: Mapped[Document | None] = relationship(remote_side=[id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

"""After `legalaid keys rotate`: every document still opens with its re-wrapped key.

Rotation re-wraps the data keys (``case_document.data_key`` is an encrypted column
like any other) and never rewrites a file. This check proves it for each live
document: the key unwraps under the current ring, and the stored file's header and
first chunk authenticate with it. Reading one chunk per file keeps it quick.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.crypto.keyring import DecryptionError
from legalaid.documents.models import Document
from legalaid.documents.storage import DocumentStore
from legalaid.documents.streaming import DocumentDecryptionError, decrypt_chunks


@dataclass(frozen=True)
class DocumentKeyReport:
    opened: int
    # Document ids only: never a file name.
    failed: tuple[int, ...]


def check_document_keys(session: Session, store: DocumentStore) -> DocumentKeyReport:
    opened, failed = 0, []
    ids = session.scalars(
        select(Document.id).where(Document.storage_name.is_not(None)).order_by(Document.id)
    ).all()
    for document_id in ids:
        already_loaded = session.identity_key(Document, document_id) in session.identity_map
        document = session.get_one(Document, document_id)
        try:
            assert document.storage_name is not None and document.data_key is not None  # noqa: S101
            with store.open(document.storage_name) as handle:
                next(
                    decrypt_chunks(
                        handle,
                        base64.urlsafe_b64decode(document.data_key),
                        bytes.fromhex(document.file_id),
                    )
                )
        except (DecryptionError, DocumentDecryptionError, OSError, ValueError):
            failed.append(document_id)
        else:
            opened += 1
        # One document in memory at a time, however many the database holds.
        if not already_loaded:
            session.expunge(document)
    return DocumentKeyReport(opened, tuple(failed))

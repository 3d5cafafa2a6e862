"""Keeping, reading, replacing and deleting the documents of a case or of a client.

A document belongs to exactly one owner: a case (its papers) or a client (her identity
documents). The caller has already loaded the owner through its scope.

Plain service functions: they take domain arguments, change state, write the audit
entry and only flush; the request's one commit (or rollback) decides, and the stored
files follow it (:mod:`legalaid.documents.pending`).
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.cases.models import Case
from legalaid.clients.models import Client
from legalaid.database import utcnow
from legalaid.documents import filetypes, images
from legalaid.documents.filetypes import FileRefusedError, FileType
from legalaid.documents.models import Document
from legalaid.documents.pending import remove_once_committed, remove_unless_committed
from legalaid.documents.policy import MB, DocumentPolicy
from legalaid.documents.scan import Scanner, ScanUnavailableError
from legalaid.documents.storage import DocumentStore, new_storage_name
from legalaid.documents.streaming import (
    decrypt_chunks,
    encrypt_stream,
    new_data_key,
    new_file_id,
)
from legalaid.errors import DomainError
from legalaid.vocabulary.documents import DOCUMENT_KINDS

MAX_FILENAME = 200
MAX_DESCRIPTION = 2000
MAX_REASON = 1000

#: What a document belongs to: a case, or a client (identity documents).
Owner = Case | Client


def _of(owner: Owner) -> Any:
    """The condition selecting the documents of ``owner``."""
    if isinstance(owner, Client):
        return Document.client_id == owner.id
    return Document.case_id == owner.id


class FileTooLargeError(FileRefusedError):
    status_code = 413


class InfectedFileError(FileRefusedError):
    """The virus scanner found something: refused, and audited after the rollback."""

    audit_action = "document.refused_infected"


class ScanFailedError(FileRefusedError):
    """A scanner is configured but gave no verdict: refused (fails closed), audited."""

    status_code = 503
    audit_action = "document.scan_failed"


def audit_refusal(session: Session, error: DomainError) -> None:
    """After the request's rollback: an infected or unscanned file leaves an entry."""
    action = getattr(error, "audit_action", None)
    if action is not None:
        record_event(session, action, object_type="document", outcome="denied")


@dataclass(frozen=True)
class Upload:
    """One file of a request: its stream (seekable, a :class:`SealedSpool`) and name."""

    filename: str
    stream: BinaryIO
    too_large: bool = False


@dataclass(frozen=True)
class _Checked:
    upload: Upload
    found: FileType
    content: BinaryIO
    size: int


def clean_filename(raw: str, extension: str) -> str:
    """A file name safe to show and to offer in a download; never used as a path.

    Only the last path segment is kept, control and format characters (including bidi
    overrides that disguise ``exe.pdf``) are dropped, and the extension is the one the
    content proved, not the one the name claimed.
    """
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[: MAX_FILENAME - 8] or _("document")
    return f"{stem}.{extension}"


def _optional_text(value: str, limit: int, field: str) -> str | None:
    text = value.strip()
    if len(text) > limit:
        raise DomainError(_("At most %(n)d characters.", n=limit), field=field)
    return text or None


def _check(upload: Upload, kind: str, policy: DocumentPolicy) -> _Checked:
    if upload.too_large:
        raise FileTooLargeError(
            _(
                "The file “%(name)s” is larger than %(limit)d MB; nothing was saved.",
                name=clean_filename(upload.filename, "…")[:-2],
                limit=policy.max_file_mb,
            )
        )
    found = filetypes.detect(upload.stream, policy)
    filetypes.require_allowed(found, kind, policy)
    content: BinaryIO = upload.stream
    if found.code in ("jpeg", "png", "heic"):
        image_format = "HEIF" if found.code == "heic" else found.code.upper()
        content = images.strip_metadata(upload.stream, image_format, policy.max_image_megapixels)
        if found.code == "heic":
            found = filetypes.TYPES["jpeg"]  # kept as a JPEG, its name's extension too
    size = content.seek(0, 2)
    content.seek(0)
    if size > policy.max_file_bytes:
        raise FileTooLargeError(
            _("A file may be at most %(limit)d MB; nothing was saved.", limit=policy.max_file_mb)
        )
    return _Checked(upload, found, content, size)


def _scan(scanner: Scanner, item: _Checked) -> None:
    """The file as it was sent (before any photo is re-encoded) goes to the scanner."""
    name = clean_filename(item.upload.filename, item.found.extension)
    try:
        found = scanner.scan(item.upload.stream)
    except ScanUnavailableError:
        raise ScanFailedError(
            _(
                "The virus check could not be done just now, so “%(name)s” was not saved. "
                "Try again in a few minutes; if it goes on, tell your administrator.",
                name=name,
            )
        ) from None
    if found is not None:
        raise InfectedFileError(
            _(
                "The virus check found malware in “%(name)s”; nothing was saved. "
                "Do not open the file; ask for a clean copy.",
                name=name,
            )
        )


def stored_bytes_of(session: Session, owner: Owner) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(Document.size_bytes), 0)).where(
            _of(owner), Document.deleted_at.is_(None)
        )
    )
    return int(total or 0)


def add_documents(
    session: Session,
    store: DocumentStore,
    policy: DocumentPolicy,
    owner: Owner,
    *,
    kind: str,
    document_date: date | None,
    description: str,
    uploads: Sequence[Upload],
    by: int,
    replaces: Document | None = None,
    scanner: Scanner | None = None,
) -> list[Document]:
    """Check every file first, then encrypt and store each; all or nothing."""
    if isinstance(owner, Client) and owner.erased_on is not None:
        raise FileRefusedError(_("This client's personal data is erased; no documents are added."))
    kind = DOCUMENT_KINDS.require(kind, "kind")
    text = _optional_text(description, MAX_DESCRIPTION, "description")
    if not uploads:
        raise FileRefusedError(_("Choose at least one file."))
    if len(uploads) > policy.max_files_per_upload:
        raise FileRefusedError(_("At most %(n)d files at a time.", n=policy.max_files_per_upload))
    if replaces is not None and (len(uploads) != 1 or replaces.is_deleted):
        raise FileRefusedError(_("A document is replaced by exactly one file."))
    checked = [_check(upload, kind, policy) for upload in uploads]
    if scanner is not None:
        for item in checked:
            _scan(scanner, item)
    incoming = sum(item.size for item in checked)
    if stored_bytes_of(session, owner) + incoming > policy.max_case_bytes:
        if isinstance(owner, Client):
            message = _(
                "The documents of a client may take at most %(limit)d MB together; "
                "nothing was saved.",
                limit=policy.max_case_mb,
            )
        else:
            message = _(
                "The documents of a case may take at most %(limit)d MB together; "
                "nothing was saved.",
                limit=policy.max_case_mb,
            )
        raise FileTooLargeError(message)
    documents = []
    for item in checked:
        document = _store(session, store, owner, item, kind, document_date, text, by, replaces)
        documents.append(document)
        record_event(
            session,
            "document.replaced" if replaces is not None else "document.uploaded",
            object_type="document",
            object_id=document.id,
        )
    return documents


def _store(
    session: Session,
    store: DocumentStore,
    owner: Owner,
    item: _Checked,
    kind: str,
    document_date: date | None,
    description: str | None,
    by: int,
    replaces: Document | None,
) -> Document:
    data_key, file_id, name = new_data_key(), new_file_id(), new_storage_name()
    remove_unless_committed(session, store, name)
    with store.write(name) as sink:
        size = encrypt_stream(item.content, sink, data_key, file_id)
    document = Document(
        case_id=owner.id if isinstance(owner, Case) else None,
        client_id=owner.id if isinstance(owner, Client) else None,
        kind=kind,
        document_date=document_date,
        description=description,
        original_filename=clean_filename(item.upload.filename, item.found.extension),
        size_bytes=size,
        content_type=item.found.content_type,
        storage_name=name,
        file_id=file_id.hex(),
        data_key=base64.urlsafe_b64encode(data_key).decode("ascii"),
        replaces_id=replaces.id if replaces is not None else None,
        uploaded_by_id=by,
    )
    session.add(document)
    session.flush()
    return document


def documents_of(session: Session, owner: Owner) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(_of(owner))
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
    )


def owned_documents(owner: Owner) -> Select[Document]:
    """The documents of ``owner``: one is opened only through its own owner (a case's id
    never opens a client's document)."""
    return select(Document).where(_of(owner))


def read_document(session: Session, store: DocumentStore, document: Document) -> Iterator[bytes]:
    """The plaintext chunk by chunk (the first one already checked); audited as a download.

    The first chunk is decrypted before this returns, so a file swapped in from another
    document, or opened with the wrong key, fails here with
    :class:`~legalaid.documents.streaming.DocumentDecryptionError` instead of midway
    through a response.
    """
    if document.storage_name is None or document.data_key is None:
        raise DomainError(_("This document was deleted; its content no longer exists."))
    handle = store.open(document.storage_name)
    chunks = decrypt_chunks(
        handle, base64.urlsafe_b64decode(document.data_key), bytes.fromhex(document.file_id)
    )
    try:
        first = next(chunks)
    except BaseException:
        handle.close()
        raise
    record_event(session, "document.downloaded", object_type="document", object_id=document.id)

    def rest() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            handle.close()

    return rest()


def delete_document(
    session: Session, store: DocumentStore, document: Document, *, reason: str, by: int
) -> None:
    """Destroy the content and the key; the row stays with who, when and why."""
    text = _optional_text(reason, MAX_REASON, "reason")
    if text is None:
        raise DomainError(_("Say why the document is deleted."), field="reason")
    if document.is_deleted:
        raise DomainError(_("This document was already deleted."), field="reason")
    if document.storage_name is not None:
        remove_once_committed(session, store, document.storage_name)
    document.storage_name = None
    document.data_key = None
    document.deleted_at = utcnow()
    document.deleted_by_id = by
    document.delete_reason = text
    session.flush()
    record_event(session, "document.deleted", object_type="document", object_id=document.id)


def size_label(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"

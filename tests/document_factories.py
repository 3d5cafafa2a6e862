"""Documents on a case, added through the real service (what an upload does)."""

from __future__ import annotations

import io
from typing import BinaryIO, cast

from flask import current_app
from sqlalchemy.orm import Session

from legalaid.cases.models import Case
from legalaid.clients.models import Client
from legalaid.documents.models import Document
from legalaid.documents.services import Upload, add_documents
from legalaid.documents.spool import SealedSpool


def minimal_pdf(marker: str = "synthetic") -> bytes:
    """A small, valid one-page PDF whose text holds ``marker``."""
    stream = f"BT /F1 12 Tf 72 720 Td ({marker}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def spooled(data: bytes) -> SealedSpool:
    spool = SealedSpool()
    spool.write(data)
    spool.seek(0)
    return spool


def add_document(
    session: Session,
    case_: Case | Client,
    user_id: int,
    *,
    content: bytes | None = None,
    filename: str = "certificate.pdf",
    kind: str = "medical_certificate",
    description: str = "",
) -> Document:
    spool = spooled(content or minimal_pdf())
    try:
        (document,) = _add(session, case_, user_id, spool, filename, kind, description)
    finally:
        spool.close()
    session.commit()
    return document


def _add(
    session: Session,
    case_: Case | Client,
    user_id: int,
    spool: SealedSpool,
    filename: str,
    kind: str,
    description: str,
) -> list[Document]:
    return add_documents(
        session,
        current_app.extensions["legalaid.documents.store"],
        current_app.extensions["legalaid.policies"].documents,
        case_,
        kind=kind,
        document_date=None,
        description=description,
        # A SealedSpool is a binary stream (io.RawIOBase); typing.BinaryIO is nominal.
        uploads=[Upload(filename, cast(BinaryIO, spool))],
        by=user_id,
    )

"""What an uploaded file is, decided by its content; the file name is never believed.

PDF, JPEG, PNG and HEIC/HEIF (a phone's photos) are recognised by their signatures
(``filetype``). A ZIP is a DOCX
only with ``[Content_Types].xml`` and ``word/document.xml``, an ODT only when its
``mimetype`` member says so; either is refused when its members would unpack to more
than the policy allows (a zip bomb disguised as a letter). Plain text must be UTF-8
without control characters. Anything else is refused, whatever its extension.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from flask_babel import gettext as _

from legalaid.documents.policy import DocumentPolicy
from legalaid.errors import DomainError

SNIFF_BYTES = 8192
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_TEXT_CONTROLS = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f"} | {"\x7f"}


@dataclass(frozen=True)
class FileType:
    code: str
    content_type: str
    extension: str


TYPES = {
    "pdf": FileType("pdf", "application/pdf", "pdf"),
    "jpeg": FileType("jpeg", "image/jpeg", "jpg"),
    "png": FileType("png", "image/png", "png"),
    # Accepted, then kept as a JPEG without its metadata (legalaid/documents/images.py).
    "heic": FileType("heic", "image/heic", "heic"),
    "docx": FileType(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "odt": FileType("odt", "application/vnd.oasis.opendocument.text", "odt"),
    "text": FileType("text", "text/plain; charset=utf-8", "txt"),
}


class FileRefusedError(DomainError):
    """A file the app will not keep; the message is translated and names no content."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="files")


def detect(stream: BinaryIO, policy: DocumentPolicy) -> FileType:
    """The type of ``stream`` (seekable; left at its start), or :class:`FileRefusedError`."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if not head:
        raise FileRefusedError(_("The file is empty."))
    guess = filetype.guess(head)
    mime = guess.mime if guess is not None else None
    if mime == "application/pdf":
        return TYPES["pdf"]
    if mime == "image/jpeg":
        return TYPES["jpeg"]
    if mime == "image/png":
        return TYPES["png"]
    if mime in ("image/heic", "image/heif"):
        return TYPES["heic"]
    if head.startswith(b"PK\x03\x04"):
        return _office_document(stream, policy)
    if guess is None and _is_text(stream):
        return TYPES["text"]
    raise FileRefusedError(_not_accepted())


def require_allowed(found: FileType, kind: str, policy: DocumentPolicy) -> None:
    if found.code not in policy.allowed_types.get(kind, ()):
        raise FileRefusedError(
            _(
                "This kind of document does not take this type of file. Accepted: %(types)s.",
                types=", ".join(
                    TYPES[code].extension.upper() for code in policy.allowed_types[kind]
                ),
            )
        )


def _not_accepted() -> str:
    return str(
        _(
            "This type of file is not accepted (checked by its content, not its name). "
            "Use PDF, JPEG, PNG, HEIC, DOCX, ODT or plain text."
        )
    )


def _office_document(stream: BinaryIO, policy: DocumentPolicy) -> FileType:
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if (
                len(infos) > policy.max_archive_entries
                or sum(info.file_size for info in infos) > policy.max_unpacked_mb * 1024 * 1024
            ):
                raise FileRefusedError(
                    _("The document unpacks to far more than its size (a zip bomb?); refused.")
                )
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                found = TYPES["docx"]
            elif "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE:
                found = TYPES["odt"]
            else:
                raise FileRefusedError(_not_accepted())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise FileRefusedError(_("The document could not be read: it seems damaged.")) from None
    finally:
        stream.seek(0)
    return found


def _is_text(stream: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while piece := stream.read(64 * 1024):
            if _TEXT_CONTROLS & set(decoder.decode(piece)):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True

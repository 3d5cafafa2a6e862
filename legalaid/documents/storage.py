"""Where document ciphertext is kept: a small interface, a local folder or an S3 bucket.

Names are random hex chosen by the app (:func:`new_storage_name`), never a user's file
name, and every name is checked before it becomes a path or a key. The local folder
lives in the instance folder by default, outside the package and its ``static/``
folder, so no web server route can reach it; files are read only through the download
view.

:class:`S3Store` keeps the same ciphertext in an S3-compatible bucket (AWS S3, MinIO,
Ceph, ...) through boto3: the app encrypts before a byte leaves, so the bucket (and
whoever runs it) holds nothing readable; a write is a multipart upload that becomes
visible only once complete, as the folder's is a rename.

Both list what they hold with its time (:meth:`listing`) and remove interrupted writes
(:meth:`remove_partial`) for the orphan sweep (:mod:`legalaid.documents.sweep`).
"""

from __future__ import annotations

import io
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

if TYPE_CHECKING:
    from legalaid.settings import S3Settings, Settings

_NAME = re.compile(r"[0-9a-f]{64}")
_PARTIAL = re.compile(r"\.([0-9a-f]{64})\.partial")


def new_storage_name() -> str:
    return secrets.token_hex(32)


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError("not a storage name of this application")
    return name


class DocumentStore(Protocol):
    def write(self, name: str) -> AbstractContextManager[BinaryIO]: ...

    def open(self, name: str) -> BinaryIO: ...

    def delete(self, name: str) -> None: ...

    def names(self) -> Iterator[str]: ...

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Every complete file's name with when it was written (UTC)."""
        ...

    def remove_partial(self, older_than: datetime) -> int:
        """Remove writes begun before ``older_than`` and never finished; how many."""
        ...


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


class LocalStore:
    """A folder (mode 0700) of files (mode 0600); a write is visible only once complete."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        return self.root / _checked(name)

    @contextmanager
    def write(self, name: str) -> Iterator[BinaryIO]:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self._path(name)
        partial = self.root / f".{name}.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, name: str) -> BinaryIO:
        return self._path(name).open("rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        for name, _when in self.listing():
            yield name

    def listing(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.is_dir():
            return
        for entry in os.scandir(self.root):
            if _NAME.fullmatch(entry.name):
                try:
                    yield entry.name, _utc(entry.stat().st_mtime)
                except FileNotFoundError:
                    continue  # deleted meanwhile

    def remove_partial(self, older_than: datetime) -> int:
        if not self.root.is_dir():
            return 0
        removed = 0
        for entry in os.scandir(self.root):
            if _PARTIAL.fullmatch(entry.name):
                try:
                    if _utc(entry.stat().st_mtime) < older_than:
                        os.unlink(entry.path)
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed


#: S3's smallest part (but the last); parts are buffered one at a time, so memory stays
#: at one part whatever the file's size.
PART_BYTES = 5 * 1024 * 1024


class _MultipartSink(io.RawIOBase):
    """A write-only file whose bytes go to S3 as parts of one multipart upload."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.buffer = bytearray()
        self.parts: list[dict[str, Any]] = []
        self.upload_id: str | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) >= PART_BYTES:
            with memoryview(self.buffer) as view:
                part = bytes(view[:PART_BYTES])  # one copy of the part, sent, then dropped
            del self.buffer[:PART_BYTES]
            self._send(part)
            del part
        return len(data)

    def _send(self, body: bytes) -> None:
        if self.upload_id is None:
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        sent = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=body,
        )
        self.parts.append({"ETag": sent["ETag"], "PartNumber": number})

    def finish(self) -> None:
        if self.upload_id is None:
            # A small file: one request, visible only once it is all there.
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer))
            return
        if self.buffer:
            self._send(bytes(self.buffer))
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def abort(self) -> None:
        if self.upload_id is not None:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )


class S3Store:
    """Objects ``<prefix><name>`` in one bucket of an S3-compatible service."""

    def __init__(self, settings: S3Settings, client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client(
                "s3", endpoint_url=settings.endpoint_url, region_name=settings.region
            )
        self.client = client
        self.bucket = settings.bucket
        self.prefix = settings.prefix

    def _key(self, name: str) -> str:
        return self.prefix + _checked(name)

    @contextmanager
    def write(self, name: str) -> Iterator[BinaryIO]:
        sink = _MultipartSink(self.client, self.bucket, self._key(name))
        try:
            yield sink  # type: ignore[misc]
            sink.finish()
        except BaseException:
            sink.abort()
            raise

    def open(self, name: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            body: BinaryIO = self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"]
        except ClientError as error:
            # The download view answers an OSError with its integrity-failure page.
            raise FileNotFoundError(error.response.get("Error", {}).get("Code", "")) from None
        return body

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def names(self) -> Iterator[str]:
        for name, _when in self.listing():
            yield name

    def listing(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                name = item["Key"][len(self.prefix) :]
                if _NAME.fullmatch(name):
                    yield name, item["LastModified"]

    def remove_partial(self, older_than: datetime) -> int:
        removed = 0
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for upload in page.get("Uploads", ()):
                if upload["Initiated"] < older_than:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    removed += 1
        return removed


def make_store(settings: Settings) -> DocumentStore:
    if settings.documents_s3 is not None:
        return S3Store(settings.documents_s3)
    return LocalStore(settings.document_folder)

"""Where an upload waits while the request is parsed: sealed, never plaintext on disk.

Werkzeug writes each uploaded file into a stream from ``Request._get_file_stream``; its
default keeps 500 KB in memory and then spills into a plaintext temporary file, which
would leave a survivor's medical certificate in /tmp after the request. This spool
encrypts what Werkzeug writes (the document chunk format, under a key that lives only
in this object), lets the ciphertext spill to disk, and decrypts on read, with random
access (``zipfile`` and Pillow seek). The key dies with the request, so a spilled
temporary file is unreadable even if it survives a crash.

It also counts: past ``limit`` bytes it keeps counting but stores nothing more, so an
over-large file costs no disk and the view can say how large it was.
"""

from __future__ import annotations

import io
import tempfile
from typing import Any

from legalaid.documents.streaming import (
    CHUNK,
    TAG,
    EncryptingWriter,
    chunk_count,
    chunk_offset,
    new_data_key,
    new_file_id,
    open_chunk,
)

#: Ciphertext kept in memory before the spool spills (still ciphertext) to a temp file.
MEMORY_BYTES = 512 * 1024


class SealedSpool(io.RawIOBase):
    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self._key = new_data_key()
        self._file_id = new_file_id()
        sink: Any = tempfile.SpooledTemporaryFile(max_size=MEMORY_BYTES)  # noqa: SIM115
        self._sink = sink
        self._writer = EncryptingWriter(self._sink, self._key, self._file_id)
        self._limit = limit
        self._sealed = False
        self._position = 0
        self._cached: tuple[int, bytes] | None = None
        #: Bytes Werkzeug delivered, including those past the limit (not stored).
        self.received = 0
        self.too_large = False

    # --- writing (Werkzeug) --------------------------------------------------------------

    def writable(self) -> bool:
        return not self._sealed

    def write(self, data: Any) -> int:
        if self._sealed:
            raise ValueError("the upload spool is sealed")
        piece = bytes(data)
        self.received += len(piece)
        if self._limit is not None and self.received > self._limit:
            self.too_large = True
        if not self.too_large:
            self._writer.write(piece)
        return len(piece)

    def _seal(self) -> None:
        if not self._sealed:
            self._writer.close()
            self._sealed = True

    @property
    def size(self) -> int:
        """The plaintext bytes stored (all of the file unless it was too large)."""
        return self._writer.plaintext_bytes

    # --- reading (the view) --------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._seal()
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes, fewer only at the end (like a buffered file, which is what
        callers such as ``FileStorage.read(n)`` expect, not a raw stream's one chunk)."""
        if size is None or size < 0:
            return self.readall()
        out = bytearray()
        while len(out) < size:
            piece = bytearray(min(size - len(out), CHUNK))
            count = self.readinto(piece)
            if not count:
                break
            out += piece[:count]
        return bytes(out)

    def readinto(self, buffer: Any) -> int:
        self._seal()
        if self._position >= self.size:
            return 0
        index, within = divmod(self._position, CHUNK)
        plaintext = self._chunk(index)
        piece = plaintext[within : within + len(buffer)]
        buffer[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._sink.seek(chunk_offset(index))
        sealed = self._sink.read(CHUNK + TAG)
        final = index == chunk_count(self.size) - 1
        plaintext = open_chunk(self._key, self._file_id, index, final, sealed)
        self._cached = (index, plaintext)
        return plaintext

    def close(self) -> None:
        if not self.closed:
            self._sink.close()
            self._cached = None
        super().close()

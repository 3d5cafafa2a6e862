"""Streaming authenticated encryption of document files, one random data key per file.

Format (version 1)::

    header  = b"LADOC1" || file_id (16 bytes)
    chunk_i = AES-256-GCM(data_key, nonce_i, plaintext_i, aad_i)   (CHUNK bytes + 16-byte tag)
    nonce_i = i as 8 bytes big-endian || 4 zero bytes   (unique: the key is used by one file)
    aad_i   = header || i (8 bytes) || final flag (1 byte)

Every chunk but the last holds exactly ``CHUNK`` plaintext bytes; the last one (possibly
empty) carries the final flag. So a changed byte fails its tag, chunks swapped within a
file fail (the counter is in the nonce and AAD), a file cut at any point fails (its last
chunk was not sealed as final, or is short), and a file put in place of another fails
(its header names another file id, and its key is not this file's). The data key itself
is wrapped by the application's key ring (stored as an ``EncryptedText`` column), so
rotating the ring re-wraps keys without touching the files.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"LADOC1"
FILE_ID_BYTES = 16
HEADER_BYTES = len(MAGIC) + FILE_ID_BYTES
CHUNK = 64 * 1024
TAG = 16
KEY_BYTES = 32


class DocumentDecryptionError(Exception):
    """A stored file that does not open: tampered, truncated, reordered or another file's."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def new_file_id() -> bytes:
    return os.urandom(FILE_ID_BYTES)


def _nonce(index: int) -> bytes:
    return struct.pack(">Q", index) + b"\x00\x00\x00\x00"


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if final else 0)


class EncryptingWriter:
    """Encrypts what is written to it into ``sink``; :meth:`close` seals the last chunk."""

    def __init__(self, sink: BinaryIO, data_key: bytes, file_id: bytes) -> None:
        if len(data_key) != KEY_BYTES or len(file_id) != FILE_ID_BYTES:
            raise ValueError("a data key is 32 bytes and a file id 16")
        self._sink = sink
        self._aead = AESGCM(data_key)
        self._header = MAGIC + file_id
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        self.plaintext_bytes = 0
        sink.write(self._header)

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed document writer")
        self._buffer += data
        self.plaintext_bytes += len(data)
        # Keep at least one byte back: only close() knows which chunk is the last.
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True

    def _seal(self, plaintext: bytes, *, final: bool) -> None:
        aad = _aad(self._header, self._index, final)
        self._sink.write(self._aead.encrypt(_nonce(self._index), plaintext, aad))
        self._index += 1


def encrypt_stream(
    source: BinaryIO, sink: BinaryIO, data_key: bytes, file_id: bytes, *, block: int = CHUNK
) -> int:
    """Encrypt all of ``source`` into ``sink``; returns the plaintext size."""
    writer = EncryptingWriter(sink, data_key, file_id)
    while piece := source.read(block):
        writer.write(piece)
    writer.close()
    return writer.plaintext_bytes


def decrypt_chunks(source: BinaryIO, data_key: bytes, file_id: bytes) -> Iterator[bytes]:
    """The plaintext, chunk by chunk; raises :class:`DocumentDecryptionError` on any damage.

    A chunk is yielded only once its tag is verified, but a caller streaming a download
    has sent earlier chunks before a later one fails: the error ends the response, and
    the client sees a broken transfer rather than a complete-looking file.
    """
    header = source.read(HEADER_BYTES)
    if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
        raise DocumentDecryptionError("not a document file of this application (bad header)")
    if header[len(MAGIC) :] != file_id:
        raise DocumentDecryptionError("the stored file belongs to another document")
    aead = AESGCM(data_key)
    index = 0
    sealed = source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG) if len(sealed) == CHUNK + TAG else b""
        final = not following
        if len(sealed) < TAG:
            raise DocumentDecryptionError(f"the stored file is truncated (chunk {index})")
        try:
            yield aead.decrypt(_nonce(index), sealed, _aad(header, index, final))
        except InvalidTag:
            if final:
                raise DocumentDecryptionError(
                    f"chunk {index} failed authentication: the file is truncated, "
                    "tampered with or opened with another key"
                ) from None
            raise DocumentDecryptionError(
                f"chunk {index} failed authentication: tampered with, reordered "
                "or opened with another key"
            ) from None
        if final:
            return
        sealed = following
        index += 1


def decrypt_bytes(ciphertext: bytes, data_key: bytes, file_id: bytes) -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(ciphertext), data_key, file_id))


def chunk_count(plaintext_size: int) -> int:
    """How many chunks a file of ``plaintext_size`` bytes is sealed into (at least one)."""
    return max(1, -(-plaintext_size // CHUNK))


def chunk_offset(index: int) -> int:
    """Where sealed chunk ``index`` starts in the stored file (for random access)."""
    return HEADER_BYTES + index * (CHUNK + TAG)


def open_chunk(data_key: bytes, file_id: bytes, index: int, final: bool, sealed: bytes) -> bytes:
    """One chunk read at random (a seekable reader); the same checks as :func:`decrypt_chunks`."""
    try:
        return AESGCM(data_key).decrypt(_nonce(index), sealed, _aad(MAGIC + file_id, index, final))
    except InvalidTag:
        raise DocumentDecryptionError(f"chunk {index} failed authentication") from None

"""The streaming file encryption of case documents (legalaid/documents/streaming.py)."""

from __future__ import annotations

import io
import os

import pytest

from legalaid.documents.streaming import (
    CHUNK,
    HEADER_BYTES,
    TAG,
    DocumentDecryptionError,
    decrypt_bytes,
    encrypt_stream,
    new_data_key,
    new_file_id,
)


def _seal(plaintext: bytes, key: bytes, file_id: bytes) -> bytes:
    sink = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), sink, key, file_id, block=10_000)
    return sink.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7])
def test_round_trip_at_every_chunk_boundary(size: int) -> None:
    key, file_id = new_data_key(), new_file_id()
    plaintext = os.urandom(size)
    sealed = _seal(plaintext, key, file_id)
    assert decrypt_bytes(sealed, key, file_id) == plaintext
    chunks = max(1, -(-size // CHUNK))
    assert len(sealed) == HEADER_BYTES + size + chunks * TAG


def test_plaintext_does_not_appear_in_the_ciphertext() -> None:
    marker = b"MEDICAL-CERTIFICATE-Aysel-Mammadova " * 5000
    sealed = _seal(marker, new_data_key(), new_file_id())
    assert b"Aysel" not in sealed
    assert b"MEDICAL" not in sealed


def test_same_file_twice_differs() -> None:
    plaintext = b"x" * 1000
    assert _seal(plaintext, new_data_key(), new_file_id()) != _seal(
        plaintext, new_data_key(), new_file_id()
    )


def _three_chunks() -> tuple[bytes, bytes, bytes, bytes]:
    key, file_id = new_data_key(), new_file_id()
    plaintext = os.urandom(2 * CHUNK + 100)
    return _seal(plaintext, key, file_id), key, file_id, plaintext


def test_a_tampered_chunk_fails_clearly() -> None:
    sealed, key, file_id, _ = _three_chunks()
    damaged = bytearray(sealed)
    damaged[HEADER_BYTES + CHUNK + 5] ^= 1
    with pytest.raises(DocumentDecryptionError, match="chunk 0 failed authentication"):
        decrypt_bytes(bytes(damaged), key, file_id)


@pytest.mark.parametrize("cut", [1, TAG, CHUNK + TAG, CHUNK + TAG + 1])
def test_a_truncated_file_fails_clearly(cut: int) -> None:
    sealed, key, file_id, _ = _three_chunks()
    with pytest.raises(DocumentDecryptionError, match="truncated"):
        decrypt_bytes(sealed[:-cut], key, file_id)


def test_a_file_cut_at_a_chunk_boundary_fails() -> None:
    sealed, key, file_id, _ = _three_chunks()
    with pytest.raises(DocumentDecryptionError, match="truncated"):
        decrypt_bytes(sealed[: HEADER_BYTES + 2 * (CHUNK + TAG)], key, file_id)


def test_reordered_chunks_fail() -> None:
    sealed, key, file_id, _ = _three_chunks()
    first = sealed[HEADER_BYTES : HEADER_BYTES + CHUNK + TAG]
    second = sealed[HEADER_BYTES + CHUNK + TAG : HEADER_BYTES + 2 * (CHUNK + TAG)]
    swapped = sealed[:HEADER_BYTES] + second + first + sealed[HEADER_BYTES + 2 * (CHUNK + TAG) :]
    with pytest.raises(DocumentDecryptionError, match="failed authentication"):
        decrypt_bytes(swapped, key, file_id)


def test_a_file_swapped_in_from_another_document_fails() -> None:
    sealed, key, file_id, _ = _three_chunks()
    other, other_key, other_id, _ = _three_chunks()
    with pytest.raises(DocumentDecryptionError, match="another document"):
        decrypt_bytes(other, key, file_id)
    # Even with the header forged to this file's id, the other file's chunks fail.
    forged = sealed[:HEADER_BYTES] + other[HEADER_BYTES:]
    with pytest.raises(DocumentDecryptionError, match="failed authentication"):
        decrypt_bytes(forged, key, file_id)
    assert decrypt_bytes(other, other_key, other_id)


def test_not_a_document_file() -> None:
    with pytest.raises(DocumentDecryptionError, match="bad header"):
        decrypt_bytes(b"%PDF-1.7 plain", new_data_key(), new_file_id())

"""AES-256-GCM under a key ring: every value names the key that encrypted it.

Stored form: ``v1:<key id>:<urlsafe base64 of nonce || ciphertext || tag>``. The
``purpose`` (e.g. ``user_account.totp_secret``) is bound as associated data, so a value
copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A value that was tampered with, or encrypted under a key the ring does not hold."""


class KeyRing:
    def __init__(self, keys: Mapping[str, bytes]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._keys = dict(keys)
        self.active_id = next(iter(self._keys))

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def encrypt(self, plaintext: str, purpose: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._keys[self.active_id]).encrypt(
            nonce, plaintext.encode("utf-8"), purpose.encode("utf-8")
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{VERSION}:{self.active_id}:{body}"

    def decrypt(self, stored: str, purpose: str) -> str:
        _version, key_id, body = self._split(stored)
        key = self._keys.get(key_id)
        if key is None:
            raise DecryptionError(f"value encrypted under key '{key_id}', which the ring lacks")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plaintext = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode("utf-8")
            )
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("value failed authentication (tampered or wrong key)") from exc
        return plaintext.decode("utf-8")

    @staticmethod
    def _split(stored: str) -> tuple[str, str, str]:
        parts = stored.split(":", 2)
        if len(parts) != 3 or parts[0] != VERSION:
            raise DecryptionError("not an encrypted value of this application")
        return parts[0], parts[1], parts[2]

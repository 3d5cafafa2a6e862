"""Keyed blind indexes: exact-match lookups without storing or hashing the plaintext bare.

HMAC-SHA256 under its own key (``LEGALAID_BLIND_INDEX_KEY``) with the purpose mixed in,
so an index of names cannot be matched against one of phones, and without the key a
stolen database cannot be searched with a dictionary of names.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def blind_index(value: str, purpose: str, key: bytes | None = None) -> str:
    secret = key if key is not None else current_app.extensions["legalaid.settings"].blind_index_key
    message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()

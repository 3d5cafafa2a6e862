"""Single-use secrets handed to people (setup codes, recovery codes), stored as keyed hashes."""

from __future__ import annotations

import secrets

from legalaid.crypto.blind_index import blind_index

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def code_hash(normalized_code: str, purpose: str) -> str:
    return blind_index(normalized_code, purpose)


def new_setup_code() -> str:
    """80 random bits, in four groups that are easy to read out over the phone."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalize_setup_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").strip().upper()

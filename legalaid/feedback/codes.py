"""Feedback codes: random, readable aloud, stored only as a keyed hash."""

from __future__ import annotations

import secrets

from legalaid.crypto.blind_index import blind_index

#: Crockford's base 32: no I, L, O or U, so a code read out or typed is hard to get wrong.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10  # 50 bits: out of reach of guessing at the rate limit
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """How the slip prints it: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def normalized(typed: str) -> str:
    """What the client typed, as the code: case, spaces and dashes do not matter."""
    kept = "".join(char for char in typed.upper() if char.isalnum())
    return kept.translate(_READ_AS)


def code_key(code: str) -> str:
    return blind_index(normalized(code), "feedback.code")

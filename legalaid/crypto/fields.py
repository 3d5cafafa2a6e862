"""An SQLAlchemy column type that encrypts on the way in and decrypts on the way out.

The key ring belongs to the application (``app.extensions["legalaid.keyring"]``), so
reading or writing these columns needs an app context, as every request and CLI has.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from legalaid.crypto.keyring import KeyRing


def current_keyring() -> KeyRing:
    keyring: KeyRing = current_app.extensions["legalaid.keyring"]
    return keyring


class EncryptedText(TypeDecorator[str]):
    """Text encrypted with AES-GCM; ``purpose`` is bound as associated data."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return current_keyring().encrypt(value, self.purpose)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return current_keyring().decrypt(value, self.purpose)

"""Redirect targets taken from a request must stay on this site (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(value: str | None) -> str | None:
    """``value`` if it is a path on this site, else None.

    Control characters (CR/LF above all) are refused: in a ``Location`` header they would
    split the response (werkzeug raises, which was a 500) or smuggle a second header.
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        return None
    parts = urlsplit(value)
    return None if parts.scheme or parts.netloc else value

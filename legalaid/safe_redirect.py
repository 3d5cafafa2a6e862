"""Redirect targets taken from a request must stay on this site (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(value: str | None) -> str | None:
    """``value`` if it is a path on this site, else None."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    return None if parts.scheme or parts.netloc else value

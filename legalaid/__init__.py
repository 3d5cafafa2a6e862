"""legalaid: case management for free legal aid clinics (Azerbaijan, 2025-2027 plan)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("legalaid")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

from legalaid.factory import create_app

__all__ = ["__version__", "create_app"]

"""Deny by default: every endpoint needs a permission from ``policies/access.toml``."""

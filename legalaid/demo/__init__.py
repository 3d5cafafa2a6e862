"""Synthetic demonstration data (never real people)."""

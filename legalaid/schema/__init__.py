"""Alembic migrations are the schema: upgrade, and refuse to serve an outdated database."""

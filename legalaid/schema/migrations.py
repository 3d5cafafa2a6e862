"""Run Alembic from the application (no alembic.ini needed) and compare revisions."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from legalaid.errors import StartupError

#: Alembic's revisions ship inside the package, so an installed wheel can build its schema.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revisions(engine: Engine) -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def ensure_current(engine: Engine) -> None:
    """Raise a one-line :class:`StartupError` unless the database is at the head revision."""
    current = set(current_revisions(engine))
    heads = set(head_revisions(engine))
    if not current:
        raise StartupError(
            "the database has no schema yet: run 'legalaid db upgrade' (or 'legalaid demo')"
        )
    if current != heads:
        raise StartupError(
            f"the database schema is at {', '.join(sorted(current))} but this version needs "
            f"{', '.join(sorted(heads))}: run 'legalaid db upgrade'"
        )

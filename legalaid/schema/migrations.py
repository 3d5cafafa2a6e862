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


#: Revisions whose downgrade deletes what can never be made again.
DATA_LOSS = {
    "0002": "the audit log",
    "0005": "every frozen indicator release",
}


def data_lost_by_downgrade(engine: Engine, revision: str) -> list[str]:
    """What downgrading to ``revision`` would delete for good (empty: nothing of that kind)."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    current = current_revisions(engine)
    if not current:
        return []
    target = None if revision == "base" else revision
    if target is not None and target.startswith("-"):
        steps = int(target[1:])
        undone: list[str] = []
        for rev in script.iterate_revisions(current, "base"):
            if len(undone) == steps:
                break
            undone.append(rev.revision)
    else:
        target_rev = script.get_revision(target) if target is not None else None
        undone = [
            rev.revision
            for rev in script.iterate_revisions(current, target or "base")
            if target_rev is None or rev.revision != target_rev.revision
        ]
    return [DATA_LOSS[rev] for rev in sorted(undone) if rev in DATA_LOSS]

"""Count the SQL statements a piece of code sends (savepoints of the test harness left out)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import Connection, event

from legalaid.database import get_database

_HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def counted_statements(app: Flask) -> Iterator[list[str]]:
    """Every statement sent on the test's connection while the block runs, in order."""
    connection: Connection = get_database(app).session_factory.kw["bind"]
    sent: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_HARNESS):
            sent.append(statement)

    event.listen(connection, "before_cursor_execute", _count)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", _count)

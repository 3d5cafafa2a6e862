"""Capture the SELECTs a scoped query sends and read their plans: does any scan a whole table?

Shared by ``tests/test_scoped_plans.py`` (small data, PostgreSQL with ``enable_seqscan``
off) and ``benchmarks/scoped_plans.py`` (a 10k/100k database, the planner's own choice).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from legalaid.caseloads import queries
from legalaid.viewer import Viewer

#: The national tables a scoped query must reach through an index.
TABLES = ("client", "legal_case", "hearing")


def scoped_calls(session: Session, user: Viewer, day: date) -> dict[str, Callable[[], object]]:
    """The caseload and agenda queries of one user, by name."""
    return {
        "caseload rows": lambda: queries.caseload_rows(session, user, day),
        "attention": lambda: queries.attention_page(session, user, day, None),
        "overdue": lambda: queries.overdue_page(session, user, day, None),
        "upcoming": lambda: queries.upcoming_page(session, user, day, None),
    }


@contextmanager
def captured_selects(bind: Engine | Connection) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT (or WITH) sent on ``bind`` while the block runs, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, sql: str, params: Any, *_a: Any) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((sql, params))

    event.listen(bind, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(bind, "before_cursor_execute", capture)


def plan(connection: Connection, sql: str, params: Any) -> list[str]:
    """The plan's lines: SQLite ``EXPLAIN QUERY PLAN`` details, PostgreSQL ``EXPLAIN`` text."""
    sqlite = connection.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    return [str(row[-1]) for row in connection.exec_driver_sql(prefix + sql, params).all()]


_PG_INDEX_SCAN = re.compile(r"Index (?:Only )?Scan (?:Backward )?using (\S+) on (\w+)")


def leading_columns(connection: Connection) -> dict[str, str]:
    """PostgreSQL: each index's first column, by index name (SQLite: none needed)."""
    if connection.dialect.name != "postgresql":
        return {}
    rows = connection.exec_driver_sql(
        "SELECT c.relname, a.attname FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
    ).all()
    return {str(name): str(column) for name, column in rows}


def full_scans(lines: list[str], leading: dict[str, str] | None = None) -> list[str]:
    """The plan lines that read a whole ``client``, ``legal_case`` or ``hearing`` table.

    SQLite: ``SCAN <table>`` with no index (``SCAN t USING INDEX i`` is reported by
    neither). PostgreSQL: ``Seq Scan on <table>``, and an index scan of one whose
    ``Index Cond`` is missing or, given ``leading`` (:func:`leading_columns`), does not
    name the index's first column: a btree condition on later columns only is checked on
    every entry of the whole index — the planner's way round a disabled seq scan.
    """
    found = []
    for number, line in enumerate(lines):
        words = line.split()
        for table in TABLES:
            if f"Seq Scan on {table} " in line + " " or (
                len(words) == 2 and words[0] == "SCAN" and words[1] == table
            ):
                found.append(line.strip())
        match = _PG_INDEX_SCAN.search(line)
        if match and match.group(2) in TABLES:
            details = []
            for detail in lines[number + 1 :]:
                if "->" in detail:
                    break
                details.append(detail.strip())
            conditions = [detail for detail in details if detail.startswith("Index Cond:")]
            first = (leading or {}).get(match.group(1))
            if not conditions or (first and not re.search(rf"(?<![.\w]){first}\b", conditions[0])):
                found.append(line.strip())
    return found

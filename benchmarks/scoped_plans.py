"""EXPLAIN the scoped caseload and agenda queries: none may read every client or hearing.

Runs the manager's and the lawyer's caseload rows, attention list, overdue and upcoming
agenda on a database built by ``benchmarks/cases.py`` (reuse it with --database-url and
--instance), captures each statement as sent, and prints its plan. A plan that scans the
whole ``client``, ``legal_case`` or ``hearing`` table (SQLite ``SCAN <table>`` without an
index, PostgreSQL ``Seq Scan on <table>``) is reported and the exit status is 1::

    python benchmarks/scoped_plans.py --database-url sqlite:////tmp/bench.sqlite3 \\
        --instance /tmp/bench-instance
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cases import LAWYER, MANAGER, add_database_options, open_database
from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.caseloads import queries
from legalaid.database import get_database

TABLES = ("client", "legal_case", "hearing")


def full_scans(plan: list[str]) -> list[str]:
    found = []
    for line in plan:
        words = line.split()
        for table in TABLES:
            if f"Seq Scan on {table} " in line + " " or (
                len(words) == 2 and words[0] == "SCAN" and words[1] == table
            ):
                found.append(line.strip())
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    add_database_options(parser)
    args = parser.parse_args(argv)
    app = open_database(args)
    engine = get_database(app).engine
    sqlite = engine.dialect.name == "sqlite"
    bad = 0
    day = today()
    with app.app_context(), get_database(app).session_factory() as session:
        for email in (MANAGER, LAWYER):
            user = session.scalar(select(User).where(User.email == email))
            assert user is not None  # noqa: S101 - a demo database
            calls: dict[str, Any] = {
                "caseload rows": lambda u=user: queries.caseload_rows(session, u, day),
                "attention": lambda u=user: queries.attention_page(session, u, day, None),
                "overdue": lambda u=user: queries.overdue_page(session, u, day, None),
                "upcoming": lambda u=user: queries.upcoming_page(session, u, day, None),
            }
            for name, call in calls.items():
                sent: list[tuple[str, Any]] = []

                def capture(
                    _c: Any,
                    _cur: Any,
                    sql: str,
                    params: Any,
                    *_a: Any,
                    sent: list[tuple[str, Any]] = sent,
                ) -> None:
                    if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        sent.append((sql, params))

                event.listen(engine, "before_cursor_execute", capture)
                try:
                    call()
                finally:
                    event.remove(engine, "before_cursor_execute", capture)
                for sql, params in sent:
                    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
                    raw = session.connection().exec_driver_sql(prefix + sql, params).all()
                    plan = [str(row[-1]) for row in raw]
                    scans = full_scans(plan)
                    bad += bool(scans)
                    verdict = "FULL SCAN: " + "; ".join(scans) if scans else "no full scan"
                    print(f"{email.split('@')[0]:8} {name:14} {verdict}")
    engine.dispose()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

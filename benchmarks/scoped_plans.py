"""EXPLAIN the scoped caseload and agenda queries: none may read every client or hearing.

Runs the manager's and the lawyer's caseload rows, attention list, overdue and upcoming
agenda on a database built by ``benchmarks/cases.py`` (reuse it with --database-url and
--instance), captures each statement as sent, and prints its plan. A plan that scans the
whole ``client``, ``legal_case`` or ``hearing`` table (SQLite ``SCAN <table>`` without an
index, PostgreSQL ``Seq Scan on <table>`` or an index scan not on the index's first column;
see ``tests/plans.py``, shared with ``tests/test_scoped_plans.py``) is reported and the
exit status is 1::

    python benchmarks/scoped_plans.py --database-url sqlite:////tmp/bench.sqlite3 \\
        --instance /tmp/bench-instance
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cases import LAWYER, MANAGER, add_database_options, open_database
from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.database import get_database
from tests.plans import captured_selects, full_scans, leading_columns, plan, scoped_calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    add_database_options(parser)
    args = parser.parse_args(argv)
    app = open_database(args)
    engine = get_database(app).engine
    bad = 0
    day = today()
    with app.app_context(), get_database(app).session_factory() as session:
        leading = leading_columns(session.connection())
        for email in (MANAGER, LAWYER):
            user = session.scalar(select(User).where(User.email == email))
            assert user is not None  # noqa: S101 - a demo database
            for name, call in scoped_calls(session, user, day).items():
                with captured_selects(engine) as sent:
                    call()
                for sql, params in sent:
                    scans = full_scans(plan(session.connection(), sql, params), leading)
                    bad += bool(scans)
                    verdict = "FULL SCAN: " + "; ".join(scans) if scans else "no full scan"
                    print(f"{email.split('@')[0]:8} {name:14} {verdict}")
    engine.dispose()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

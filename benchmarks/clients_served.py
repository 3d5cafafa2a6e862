"""What reading the status history costs clients served (LA01), beside the closing date.

LA01 counts a case as served in a period unless the dated status history shows it closed
all through it (issue 13: a reopening later must not change an old quarter). This prints,
for one year and for seven quarters, the cost of the history-based count beside the old
count by today's closing date alone, in the same run:

- SQLite: virtual-machine instructions (thousands), which do not depend on what else the
  machine is doing, and wall time;
- PostgreSQL: wall time (median of 5).

Usage (a database built by ``legalaid demo --cases N``)::

    python benchmarks/clients_served.py sqlite:////tmp/bench/db.sqlite3
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import event, or_
from sqlalchemy.orm import Session

from legalaid.database import make_engine
from legalaid.indicators import measures
from legalaid.indicators.measures import NATIONAL, Case
from legalaid.indicators.periods import parse_period

TODAY = date(2027, 12, 1)
QUARTERS = ("2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1", "2027Q2", "2027Q3")


def by_closing_date(start: Any, end: Any) -> list[Any]:
    return [
        Case.opened_on.is_not(None),
        Case.opened_on <= end,
        or_(Case.closed_on.is_(None), Case.closed_on >= start),
    ]


def main(url: str) -> None:
    engine = make_engine(url)
    ticks = [0]
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _count_instructions(dbapi: Any, _record: Any) -> None:
            def tick() -> int:
                ticks[0] += 1
                return 0

            dbapi.set_progress_handler(tick, 1000)

    year = parse_period("2026", TODAY, 30)
    quarters = [parse_period(code, TODAY, 30) for code in QUARTERS]
    queries: list[tuple[str, Callable[[Session], Any]]] = [
        (
            "year",
            lambda s: measures.clients_served(
                s, year, NATIONAL, ("gender_identity",), consent_required=True
            ),
        ),
        (
            "7 quarters",
            lambda s: measures.clients_served_by_period(
                s, quarters, NATIONAL, ("gender_identity",), consent_required=True
            ),
        ),
    ]
    history = measures._served
    for name, query in queries:
        cost: dict[str, tuple[int, float]] = {}
        for label, served in (("history", history), ("closing date", by_closing_date)):
            measures._served = served
            times, instructions = [], 0
            for _ in range(5):
                with Session(engine) as session:
                    ticks[0] = 0
                    started = time.perf_counter()
                    query(session)
                    times.append(time.perf_counter() - started)
                    instructions = ticks[0]
            cost[label] = (instructions, statistics.median(times))
        measures._served = history
        (hi, ht), (ci, ct) = cost["history"], cost["closing date"]
        ops = f"  instructions {hi}k vs {ci}k ({hi / ci:.2f}x)" if ci else ""
        print(f"{name:11} history {ht * 1000:7.1f} ms  closing date {ct * 1000:7.1f} ms")
        print(f"{'':11} wall-time ratio {ht / ct:.2f}x{ops}")


if __name__ == "__main__":
    main(sys.argv[1])

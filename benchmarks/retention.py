"""The retention job at scale: 100 000 cases, with a year's worth of closed cases due.

Builds the cases with the bulk demo builder (or reuses them), then picks the run date at
which the clients of the first year of closures have passed their categories' retention
(``policies/retention.toml``), and measures what ``legalaid retention run`` does:

- finding the due clients (one statement), time and count;
- ``--full``: the whole run as the job does it (``run_retention``: one transaction of
  ``--batch-size`` clients at a time, set-based statements): total time, SQL statements in
  all and per client, clients per second, the slowest batch;
- otherwise: erasing them one transaction per client with ``erase_client`` (a manager's
  erasure on request): time and SQL statements per client (median, 95th percentile,
  mean); ``--limit N`` erases only the first N due clients, the whole is then
  extrapolated and marked so;
- the indicator-identity check: every indicator table of the periods counted nationally
  before and after, compared cell by cell (time of each side, and whether they agree).

Every figure is printed with the load average at the time (the machine may be shared).
The run erases: rebuild, or restore a copy of the database, before running it again.

Usage (from the project root)::

    python benchmarks/retention.py                              # a temporary SQLite file
    python benchmarks/retention.py --full --database-url sqlite:////tmp/b/bench.sqlite3 \
        --instance /tmp/b/instance                              # the whole job, reused data
    python benchmarks/retention.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench \\
        --instance /tmp/bench-instance --fresh
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import add_database_options, grow_to, open_database
from reminders import counted

from legalaid.cases.models import Case
from legalaid.database import checkpoint_sqlite_wal, get_database
from legalaid.indicators.measures import NATIONAL
from legalaid.indicators.periods import period_of_code
from legalaid.releases.compute import compute_tables
from legalaid.retention.erasure import (
    RULE_RETENTION,
    ErasureRefusedError,
    due_clients,
    erase_client,
)
from legalaid.retention.run import BATCH_SIZE, run_retention


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"[load {one:.2f} {five:.2f} {fifteen:.2f}, {os.cpu_count()} cpus]"


def every_table(app: Any, periods: list[str]) -> dict[tuple[str, str], object]:
    found = app.extensions["legalaid.policies"]
    tables: dict[tuple[str, str], object] = {}
    with app.app_context(), get_database(app).session_factory() as session:
        for code in periods:
            for table in compute_tables(
                session, found.indicators, found.disclosure, period_of_code(code), NATIONAL
            ):
                tables[(code, f"{table.measure}{table.dimensions}")] = dict(table.values)
    return tables


def run_day(app: Any) -> tuple[date, Counter[int]]:
    """The day after the first closure year's cases have passed the longest retention."""
    policy = app.extensions["legalaid.policies"].retention
    with app.app_context(), get_database(app).session_factory() as session:
        closed = session.execute(
            select(func.extract("year", Case.closed_on), func.count())
            .where(Case.closed_on.is_not(None))
            .group_by(func.extract("year", Case.closed_on))
        ).all()
    years: Counter[int] = Counter({int(year): int(n) for year, n in closed})
    first = min(years)
    return date(first + max(policy.keep_years.values()) + 1, 1, 1), years


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--limit", type=int, help="erase at most this many due clients")
    parser.add_argument(
        "--full", action="store_true", help="the whole job, batched as run_retention does"
    )
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    add_database_options(parser)
    args = parser.parse_args(argv)

    app = open_database(args)
    engine: Engine = get_database(app).engine
    grow_to(app, args.cases, args.seed, "realistic")

    day, closures = run_day(app)
    print("closures by year: " + ", ".join(f"{y}: {n}" for y, n in sorted(closures.items())))
    print(f"retention run as on {day.isoformat()}")
    periods = sorted({str(year) for year in closures})
    periods += [f"{year}Q{q}" for year in periods for q in range(1, 5)]

    started = time.perf_counter()
    before = every_table(app, periods)
    counted_before = time.perf_counter() - started
    print(
        f"indicator tables before: {len(before)} tables of {len(periods)} periods "
        f"in {counted_before:.1f} s {load()}"
    )

    database = get_database(app)
    policy = app.extensions["legalaid.policies"].retention
    with app.app_context(), database.session_factory() as session:
        with counted(engine) as statements:
            started = time.perf_counter()
            due = due_clients(session, policy, day)
            seconds = time.perf_counter() - started
        session.commit()
    print(
        f"due clients: {len(due)} found in {seconds:.2f} s, {statements[0]} statement(s) {load()}"
    )
    if args.full:
        erase_all(app, engine, day, len(due), args.batch_size)
    else:
        erase_one_by_one(app, engine, day, due, args.limit)

    started = time.perf_counter()
    after = every_table(app, periods)
    counted_after = time.perf_counter() - started
    started = time.perf_counter()
    differing = [key for key in before if before[key] != after.get(key)]
    compared = time.perf_counter() - started
    print(
        f"indicator-identity check: before {counted_before:.1f} s + after {counted_after:.1f} s "
        f"+ compare {compared * 1000:.0f} ms = {counted_before + counted_after + compared:.1f} s; "
        f"{len(before)} tables, {len(differing)} differ"
        + (f" (first: {differing[0]})" if differing else " (identical)")
        + f" {load()}"
    )
    return 1 if differing else 0


def erase_all(app: Any, engine: Engine, day: date, due: int, batch_size: int) -> None:
    """The job itself, timed batch by batch (each commit ends one)."""
    database = get_database(app)
    policy = app.extensions["legalaid.policies"].retention
    commits: list[float] = []
    loads: list[float] = []

    def committed(_session: Any) -> None:
        commits.append(time.perf_counter())
        loads.append(os.getloadavg()[0])

    print(f"full run: {due} due clients in batches of {batch_size} {load()}", flush=True)
    with app.app_context(), database.session_factory() as session:
        event.listen(session, "after_commit", committed)
        with counted(engine) as statements:
            started = time.perf_counter()
            result = run_retention(session, policy, day, batch_size=batch_size)
            whole = time.perf_counter() - started
    # The first commit ends the search for due clients; each later one, a batch.
    batches = [b - a for a, b in itertools.pairwise(commits)]
    done = result.erased + result.refused
    print(
        f"erased {result.erased} clients ({result.refused} refused) in {whole:.1f} s "
        f"({whole / 60:.1f} min), {done / whole:.0f} clients/s; {statements[0]} statements "
        f"in all, {statements[0] / max(done, 1):.3f} per client, "
        f"{statements[0] / max(len(batches), 1):.1f} per batch of {batch_size}; "
        f"{len(batches)} batches, median {statistics.median(batches):.2f} s, "
        f"p95 {percentile(batches, 0.95):.2f} s, max {max(batches):.2f} s "
        f"(WAL checkpoint included in the whole) {load()}; load during the run "
        f"min {min(loads):.2f} median {statistics.median(loads):.2f} max {max(loads):.2f}"
    )


def erase_one_by_one(
    app: Any, engine: Engine, day: date, due: list[int], limit: int | None
) -> None:
    """As a manager's erasure on request: one client per transaction."""
    database = get_database(app)
    chosen = due[:limit] if limit else due
    times: list[float] = []
    per_client_statements: list[int] = []
    refused = 0
    with app.app_context(), database.session_factory() as session:
        for client_id in chosen:
            with counted(engine) as statements:
                started = time.perf_counter()
                try:
                    erase_client(session, client_id, rule=RULE_RETENTION, today=day)
                    session.commit()
                except ErasureRefusedError:
                    session.rollback()
                    refused += 1
                    continue
                times.append(time.perf_counter() - started)
            per_client_statements.append(statements[0])
    started = time.perf_counter()
    checkpoint_sqlite_wal(engine)
    checkpoint = time.perf_counter() - started
    if times:
        whole = sum(times)
        print(
            f"erased {len(times)} clients ({refused} refused) in {whole:.1f} s; per client "
            f"median {statistics.median(times) * 1000:.1f} ms, p95 "
            f"{percentile(times, 0.95) * 1000:.1f} ms, mean {whole / len(times) * 1000:.1f} ms; "
            f"statements per client median {statistics.median(per_client_statements):.0f}, "
            f"max {max(per_client_statements)}; WAL checkpoint {checkpoint:.2f} s {load()}"
        )
        if len(chosen) < len(due):
            estimate = whole / len(times) * len(due)
            print(
                f"  extrapolated to all {len(due)} due clients: {estimate:.0f} s "
                f"({estimate / 60:.1f} min)"
            )


if __name__ == "__main__":
    raise SystemExit(main())

"""How long a full indicator release takes, beside the bare SQL that gives the same counts.

On a database of bulk synthetic cases (``legalaid demo --cases N``, or built here with
``--cases N``), times the release of one period, nationally and for one clinic, as the
median of several runs:

- bare SQL       the distinct GROUP BY statements the release's aggregation runs, captured
                 from the app itself and executed as they are on a raw DBAPI connection
                 (no ORM, no table building): the floor any aggregation must pay;
- aggregation    ``compute_tables``: every catalogued table of the period and its
                 quarters, with all disaggregations, each GROUP BY run once;
- protection     ``protect``: primary and complementary suppression and the exact LP
                 audit, against the earlier releases of the period already in the database;
- whole release  ``create_release``: all of the above, the earlier releases read back,
                 freezing (the encrypted true counts included) and the audit entry; rolled
                 back after each run so versions do not pile up.

Targets (issue 6): aggregation within 1.5x of the bare SQL, and the whole national
release of a year on one million cases under a minute on a 2-core machine.

The bulk demo's cases start in June 2026, so the default period is the year 2026,
released as if on 1 March 2027 (``--today``) when the year and its data-entry lag are
over. The clinic measured is the demo clinic BAK (``--clinic``).

Usage (from the project root)::

    legalaid demo --cases 1000000        # once: LEGALAID_DATABASE_URL, LEGALAID_INSTANCE_PATH
    python benchmarks/releases.py --database-url sqlite:////work/bench/m1.db \\
        --instance /work/bench/instance
    python benchmarks/releases.py --cases 100000      # builds a temporary SQLite database

The instance directory holds the keys the data is encrypted with: use the one the
database was built with.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import add_database_options, count_cases, grow_to, open_database

from legalaid.accounts.models import User
from legalaid.clinics.models import Clinic
from legalaid.database import get_database
from legalaid.disclosure.suppression import protect
from legalaid.indicators.measures import NATIONAL, Scope
from legalaid.indicators.periods import parse_period
from legalaid.releases.compute import compute_tables
from legalaid.releases.services import create_release, earlier_releases

AGGREGATION_TARGET = 1.5
RELEASE_TARGET_S = 60.0


@dataclass
class Figures:
    scope: str
    statements: int
    tables: int
    cells: int
    suppressed: int
    bare_s: float
    aggregation_s: float
    protection_s: float
    release_s: float
    #: The bare statements that cost most: where an index would help.
    slowest: list[tuple[float, str]]
    #: Each measure's true total for the period: the data give every indicator something.
    totals: dict[str, int]

    @property
    def ratio(self) -> float:
        return self.aggregation_s / self.bare_s if self.bare_s else float("inf")


def progress(line: str) -> None:
    print(f"  {line}", file=sys.stderr, flush=True)


#: Each timed step's median CPU seconds of this process (HiGHS's threads included), by
#: label, beside the wall time: on a shared machine the wall time waits for the cores.
CPU_S: dict[str, float] = {}


def median_s(action: Callable[[], object], runs: int, label: str = "") -> float:
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    if label:
        CPU_S[label] = statistics.median(cpu)
    return statistics.median(times)


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every aggregate statement sent to the database, with its DBAPI parameters."""
    found: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        lowered = statement.lower()
        if "count(" in lowered or "sum(" in lowered:
            found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)


def distinct_statements(found: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for statement, parameters in found:
        key = (statement, repr(parameters))
        if key not in seen:
            seen.add(key)
            kept.append((statement, parameters))
    return kept


def run_bare(engine: Engine, statements: list[tuple[str, Any]]) -> list[float]:
    """Each statement on a raw DBAPI connection; its seconds."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        times = []
        for statement, parameters in statements:
            started = time.perf_counter()
            cursor.execute(statement, parameters)
            cursor.fetchall()
            times.append(time.perf_counter() - started)
        cursor.close()
        connection.rollback()
        return times
    finally:
        connection.close()


def measure(
    app: Flask,
    *,
    period_code: str,
    today: date,
    clinic_code: str | None,
    runs: int,
    whole_release: bool = True,
) -> Figures:
    database = get_database(app)
    engine = database.engine
    policies = app.extensions["legalaid.policies"]
    catalogue, policy = policies.indicators, policies.disclosure
    period = parse_period(period_code, today, policy.data_entry_lag_days)

    with database.session_factory() as session:
        if clinic_code is None:
            scope = NATIONAL
            user = session.scalars(select(User).where(User.role == "task_force")).first()
        else:
            clinic = session.scalars(select(Clinic).where(Clinic.code == clinic_code)).one()
            scope = Scope(clinic.id)
            user = session.scalars(
                select(User).where(User.role == "manager", User.clinic_id == clinic.id)
            ).first()
        if user is None:
            raise SystemExit("no user to make the release as (task force or the manager)")
        user_id = user.id

    def aggregate() -> tuple[Any, ...]:
        with database.session_factory() as session:
            return compute_tables(session, catalogue, policy, period, scope)

    with captured(engine) as found:
        tables = aggregate()  # also the warm-up of the database's cache
    statements = distinct_statements(found)
    run_bare(engine, statements)  # warm-up

    bare_runs = [run_bare(engine, statements) for _ in range(runs)]
    bare_s = statistics.median(sum(times) for times in bare_runs)
    label = "national" if clinic_code is None else f"clinic {clinic_code}"
    progress(f"{label}: {len(statements)} statements, bare SQL {bare_s:.2f} s")
    per_statement = [statistics.median(column) for column in zip(*bare_runs, strict=True)]
    slowest = sorted(
        (
            (seconds, " ".join(sql.split()))
            for seconds, (sql, _) in zip(per_statement, statements, strict=True)
        ),
        reverse=True,
    )[:3]
    aggregation_s = median_s(aggregate, runs, f"{label} aggregation")
    progress(
        f"{label}: aggregation {aggregation_s:.2f} s (CPU {CPU_S[f'{label} aggregation']:.2f} s)"
    )

    with database.session_factory() as session:
        earlier = earlier_releases(session, period)
    protection = protect(tables, policy, earlier=earlier)
    protection_s = median_s(
        lambda: protect(tables, policy, earlier=earlier), runs, f"{label} protection"
    )
    progress(f"{label}: protection {protection_s:.2f} s (CPU {CPU_S[f'{label} protection']:.2f} s)")

    def release() -> None:
        with database.session_factory() as session:
            maker = session.get(User, user_id)
            create_release(
                session,
                catalogue=catalogue,
                policy=policy,
                user=maker,
                period_code=period_code,
                reason="benchmark",
                today=today,
            )
            session.rollback()

    release_s = math.nan
    if whole_release:
        with app.test_request_context():  # translated messages and the audit's request data
            release_s = median_s(release, runs, f"{label} release")
        progress(
            f"{label}: whole release {release_s:.2f} s (CPU {CPU_S[f'{label} release']:.2f} s)"
        )

    statuses = [cell.status for table in protection.tables for cell in table.cells.values()]
    return Figures(
        scope=label,
        statements=len(statements),
        tables=len(tables),
        cells=len(statuses),
        suppressed=sum(status != "published" for status in statuses),
        bare_s=bare_s,
        aggregation_s=aggregation_s,
        protection_s=protection_s,
        release_s=release_s,
        slowest=slowest,
        totals={
            table.measure: table.values[()]
            for table in tables
            if table.period == period and not table.dimensions
        },
    )


def network(app: Flask) -> tuple[int, int]:
    with get_database(app).session_factory() as session:
        clinics = int(session.scalar(select(func.count()).select_from(Clinic)) or 0)
    return count_cases(app), clinics


def report(cases: int, clinics: int, period: str, today: date, results: list[Figures]) -> bool:
    print()
    print(f"release of {period} as on {today.isoformat()}: {cases} cases, {clinics} clinics")
    header = (
        f"{'scope':<12} {'SQL':>5} {'tables':>6} {'cells':>6} {'hidden':>6} "
        f"{'bare SQL s':>10} {'aggreg. s':>9} {'ratio':>6} {'protect s':>9} {'release s':>9}"
    )
    print(header)
    print("-" * len(header))
    passed = True
    for found in results:
        print(
            f"{found.scope:<12} {found.statements:>5} {found.tables:>6} {found.cells:>6} "
            f"{found.suppressed:>6} {found.bare_s:>10.2f} {found.aggregation_s:>9.2f} "
            f"{found.ratio:>5.2f}x {found.protection_s:>9.2f} {found.release_s:>9.2f}"
        )
        passed = passed and found.ratio <= AGGREGATION_TARGET
        passed = passed and (math.isnan(found.release_s) or found.release_s < RELEASE_TARGET_S)
    print(
        f"targets: aggregation <= {AGGREGATION_TARGET}x the bare SQL; "
        f"whole release < {RELEASE_TARGET_S:.0f} s"
    )
    for found in results:
        totals = ", ".join(f"{name} {count}" for name, count in sorted(found.totals.items()))
        print(f"true totals of {period} ({found.scope}): {totals}")
    for found in results:
        print(f"slowest bare statements ({found.scope}):")
        for seconds, sql in found.slowest:
            print(f"  {seconds:7.3f} s  {sql[:160]}")
    print("CPU seconds (median): " + ", ".join(f"{k} {v:.2f}" for k, v in CPU_S.items()))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("targets met" if passed else "TARGETS MISSED")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--cases", type=int, help="grow the database to this many cases first")
    parser.add_argument("--period", default="2026", help="the period released (default 2026)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date(2027, 3, 1),
        help="the release date: the period must be complete by then (default 2027-03-01)",
    )
    parser.add_argument("--clinic", default="BAK", help="the clinic of the clinic release")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--scopes",
        default="national,clinic",
        help="which releases to time, comma-separated: national, clinic (default both)",
    )
    parser.add_argument(
        "--skip-whole-release",
        action="store_true",
        help="time aggregation and protection only (the whole release repeats both)",
    )
    add_database_options(parser)
    args = parser.parse_args(argv)

    app = open_database(args)
    engine = get_database(app).engine
    try:
        if args.cases:
            grow_to(app, args.cases, args.seed, "realistic")
        cases, clinics = network(app)
        with app.app_context():  # decrypting the earlier releases needs the app's keys
            scopes = args.scopes.split(",")
            codes = [None] if "national" in scopes else []
            codes += [args.clinic] if "clinic" in scopes else []
            results = [
                measure(
                    app,
                    period_code=args.period,
                    today=args.today,
                    clinic_code=code,
                    runs=args.runs,
                    whole_release=not args.skip_whole_release,
                )
                for code in codes
            ]
    finally:
        engine.dispose()
    return 0 if report(cases, clinics, args.period, args.today, results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""How the case pages scale: each page beside the bare SQL that fetches the same rows.

Builds 10 000 and then 100 000 synthetic cases with the bulk demo builder (or reuses the
cases already in the database), then times, as the median of several runs after a
warm-up:

- the lawyer's case list            GET /cases/            (lawyer@demo.legalaid.az)
- the manager's caseload            GET /caseload          (manager@demo.legalaid.az)
- a case page                       GET /cases/<id>        (the lawyer's busiest open case)
- a conflict check                  check_conflicts(...)   (a client and two respondents)

each beside hand-written SELECTs returning the same rows. Targets: a page within 3x its
bare SQL, and less than 2x slower at 100 000 cases than at 10 000.

The question is whether a page's cost follows the size of the national database or only
the user's own scope, so the network of clinics matters (``--network``). With
``realistic``, the default, the network grows with the data as a real one would: about
one clinic of a manager and six lawyers per 5 000 cases (``plan_network`` in
:mod:`legalaid.demo.bulk`), BAK, whose manager and lawyer are measured, taking part like
any other clinic. A clinic that already holds its share takes no more, so BAK and its
lawyer hold the same cases at 10 000 and at 100 000 (some 5 300 and 900 with the default
seed) while the clients, respondents and the national name index grow tenfold: growth
measures the database, scope held constant. With ``fixed`` every case goes to the four
demo clinics and their 12 lawyers, as before: at 100 000 cases BAK holds some 52 000
(31 000 active) and the lawyer 12 000, which no clinic has, and every per-clinic figure
grows with them. That stays as a stress test of one oversized clinic. The report prints
the network and, per size, the measured users' scope: what grew and what did not.

Usage (from the project root)::

    python benchmarks/cases.py                              # a temporary SQLite file
    python benchmarks/cases.py --network fixed              # every case in the demo clinics
    python benchmarks/cases.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench \\
        --instance /tmp/bench-instance --fresh

The database is wiped only with --fresh (or when it is a new temporary file). The instance
directory holds the keys the data is encrypted with: reuse it to reuse a database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Date, Engine, bindparam, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from legalaid.accounts.current import SESSION_TOKEN_KEY
from legalaid.accounts.models import User
from legalaid.accounts.sessions import start_session
from legalaid.calendar import today as clinic_today
from legalaid.cases.conflict_check import WORDS_TO_MATCH, check_conflicts
from legalaid.cases.models import Case, Respondent
from legalaid.casework.models import Hearing, ServiceDelivery
from legalaid.clients.models import Client
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.names import name_keys
from legalaid.conflicts.service import Subject
from legalaid.database import get_database
from legalaid.demo.builder import build_demo
from legalaid.demo.bulk import (
    CASES_PER_CLINIC,
    NETWORK_LAWYERS,
    NETWORKS,
    build_bulk_cases,
    plan_network,
)
from legalaid.factory import create_app
from legalaid.schema import migrations
from legalaid.settings import load_settings

LAWYER = "lawyer@demo.legalaid.az"
MANAGER = "manager@demo.legalaid.az"
PAGE_TARGET = 3.0
GROWTH_TARGET = 2.0

# --- the bare SQL ------------------------------------------------------------------------
# Written by hand, as a DBA would: the same rows the pages show, nothing else.

_DATES = {name: bindparam(name, type_=Date) for name in ("today", "window_end", "far")}

CASE_LIST = (
    """SELECT count(*) FROM legal_case c
       JOIN client cl ON cl.id = c.client_id
       JOIN user_account u ON u.id = c.assigned_lawyer_id
       WHERE c.assigned_lawyer_id = :lawyer""",
    """SELECT c.*, cl.number AS client_number, u.full_name,
         (SELECT min(h.due_on) FROM hearing h
           WHERE h.case_id = c.id AND h.done = false AND h.due_on >= :today) AS next_due,
         EXISTS (SELECT 1 FROM hearing h
           WHERE h.case_id = c.id AND h.done = false AND h.due_on < :today) AS overdue
       FROM legal_case c
       JOIN client cl ON cl.id = c.client_id
       JOIN user_account u ON u.id = c.assigned_lawyer_id
       WHERE c.assigned_lawyer_id = :lawyer
       ORDER BY c.id DESC LIMIT 50""",
)

_ATTENTION = """
    SELECT c.id, c.number, c.risk_level, c.status, u.id AS lawyer_id, u.full_name,
      (SELECT min(h.due_on) FROM hearing h
        WHERE h.case_id = c.id AND h.done = false AND h.due_on < :today) AS overdue_since,
      (SELECT min(h.due_on) FROM hearing h
        WHERE h.case_id = c.id AND h.done = false AND h.due_on >= :today) AS next_due
    FROM legal_case c JOIN user_account u ON u.id = c.assigned_lawyer_id
    WHERE c.clinic_id = :clinic AND c.status IN ('intake', 'open')
      AND (c.risk_level = 'high' OR EXISTS (SELECT 1 FROM hearing h
        WHERE h.case_id = c.id AND h.done = false AND h.due_on < :today))"""

CASELOAD = (
    """WITH case_counts AS (
         SELECT assigned_lawyer_id AS lawyer_id, count(*) AS active_cases,
                count(CASE WHEN risk_level = 'high' THEN 1 END) AS high_risk
         FROM legal_case WHERE clinic_id = :clinic AND status IN ('intake', 'open')
         GROUP BY assigned_lawyer_id),
       hearing_counts AS (
         SELECT c.assigned_lawyer_id AS lawyer_id,
                count(CASE WHEN h.due_on >= :today THEN 1 END) AS due_soon,
                count(CASE WHEN h.due_on < :today THEN 1 END) AS overdue
         FROM hearing h JOIN legal_case c ON c.id = h.case_id
         WHERE c.clinic_id = :clinic AND c.status IN ('intake', 'open')
           AND h.done = false AND h.due_on <= :window_end
         GROUP BY c.assigned_lawyer_id)
       SELECT u.id, u.full_name, coalesce(cc.active_cases, 0), coalesce(cc.high_risk, 0),
              coalesce(hc.due_soon, 0), coalesce(hc.overdue, 0)
       FROM user_account u
       LEFT JOIN case_counts cc ON cc.lawyer_id = u.id
       LEFT JOIN hearing_counts hc ON hc.lawyer_id = u.id
       WHERE (u.clinic_id = :clinic AND u.role = 'lawyer' AND u.active = true)
          OR cc.lawyer_id IS NOT NULL
       ORDER BY u.full_name, u.id""",
    f"SELECT count(*) FROM ({_ATTENTION}) q",  # noqa: S608 - constant SQL, no input
    f"""SELECT * FROM ({_ATTENTION}) q
        ORDER BY coalesce(q.overdue_since, :far),
                 CASE WHEN q.risk_level = 'high' THEN 0 ELSE 1 END,
                 coalesce(q.next_due, :far), q.id
        LIMIT 50""",  # noqa: S608 - constant SQL, no input
)

CASE_PAGE = (
    "SELECT * FROM legal_case WHERE id = :case AND assigned_lawyer_id = :lawyer",
    "SELECT * FROM case_discrimination_ground WHERE case_id = :case",
    "SELECT * FROM client WHERE id = :client",
    "SELECT * FROM client_key_population WHERE client_id = :client",
    "SELECT * FROM respondent WHERE case_id = :case ORDER BY id",
    """SELECT s.*, u.full_name FROM service_delivery s
       LEFT JOIN user_account u ON u.id = s.provided_by_id
       WHERE s.case_id = :case ORDER BY s.delivered_on DESC, s.id DESC""",
    """SELECT n.*, r.revision, r.body, r.edited_at, u.full_name FROM case_note n
       JOIN case_note_revision r ON r.note_id = n.id
       LEFT JOIN user_account u ON u.id = n.author_id
       WHERE n.case_id = :case ORDER BY n.created_at DESC, n.id DESC, r.revision""",
    "SELECT * FROM hearing WHERE case_id = :case ORDER BY due_on, id",
    """SELECT r.*, p.name FROM referral r JOIN service_provider p ON p.id = r.provider_id
       WHERE r.case_id = :case ORDER BY r.sent_on DESC, r.id DESC""",
    """SELECT ch.*, hit.subject, hit.matched_kind, hit.clinic_id AS hit_clinic
       FROM conflict_check ch LEFT JOIN conflict_hit hit ON hit.check_id = ch.id
       WHERE ch.case_id = :case ORDER BY ch.id DESC, hit.id""",
    "SELECT * FROM case_status_change WHERE case_id = :case ORDER BY id DESC",
    "SELECT * FROM case_assignment WHERE case_id = :case ORDER BY id DESC",
    "SELECT * FROM user_account WHERE clinic_id = :clinic",
    "SELECT id, name FROM service_provider WHERE active = true ORDER BY name",
)

_MATCHED = """
    SELECT client_id, respondent_id, clinic_id FROM name_key WHERE key IN :keys
    GROUP BY client_id, respondent_id, clinic_id
    HAVING count(DISTINCT key) >=
      CASE WHEN max(words) < :needed THEN max(words) ELSE :needed END"""
CONFLICT = (
    f"""SELECT g.clinic_id, cl.id, cl.number,
          EXISTS (SELECT 1 FROM legal_case c
                  WHERE c.client_id = cl.id AND c.assigned_lawyer_id = :lawyer) AS in_scope
        FROM ({_MATCHED}) g JOIN client cl ON cl.id = g.client_id
        ORDER BY cl.id LIMIT 50""",  # noqa: S608 - constant SQL, no input
    f"""SELECT g.clinic_id, r.case_id, c.number, c.assigned_lawyer_id = :lawyer AS in_scope
        FROM ({_MATCHED}) g JOIN respondent r ON r.id = g.respondent_id
        JOIN legal_case c ON c.id = r.case_id
        ORDER BY r.id LIMIT 50""",  # noqa: S608 - constant SQL, no input
)


def _statement(sql: str) -> Any:
    statement = text(sql)
    binds = [bind for name, bind in _DATES.items() if f":{name}" in sql]
    if ":keys" in sql:
        binds.append(bindparam("keys", expanding=True))
    return statement.bindparams(*binds) if binds else statement


def run_sql(connection: Connection, statements: tuple[str, ...], params: dict[str, Any]) -> None:
    for sql in statements:
        connection.execute(_statement(sql), params).all()


# --- timing ------------------------------------------------------------------------------


def median_ms(action: Callable[[], object], runs: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@dataclass
class Measure:
    name: str
    page_ms: float | None
    sql_ms: float
    #: The bare statement that costs most, and its median ms: where an index would help.
    slowest: tuple[str, float] = ("", 0.0)

    @property
    def ratio(self) -> float | None:
        return None if self.page_ms is None else self.page_ms / self.sql_ms


# --- the database ------------------------------------------------------------------------


def make_app(database_url: str, instance: Path) -> Flask:
    settings = load_settings(
        {
            "LEGALAID_ENV": "development",
            "LEGALAID_DATABASE_URL": database_url,
            "LEGALAID_INSTANCE_PATH": str(instance),
        }
    )
    app = create_app(settings, check_schema=False)
    app.config.update(TESTING=True)
    return app


def wipe_sqlite(database_url: str) -> None:
    """--fresh on SQLite: remove the file (as ``legalaid demo`` does) before connecting."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)


def prepare(engine: Engine, fresh: bool) -> None:
    if fresh and engine.dialect.name == "postgresql":
        migrations.downgrade(engine, "base")
    migrations.upgrade(engine)


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark shares: where the data lives, how it grows, --fresh."""
    parser.add_argument("--database-url", help="default: a new temporary SQLite file")
    parser.add_argument("--instance", type=Path, help="keys of the data (default: temporary)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fresh", action="store_true", help="wipe the database first")


def open_database(args: argparse.Namespace) -> Flask:
    """The benchmark's app on a migrated database (a temporary SQLite file by default)."""
    scratch = Path(tempfile.mkdtemp(prefix="legalaid-bench-"))
    database_url = args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
    if args.fresh:
        wipe_sqlite(database_url)
    app = make_app(database_url, args.instance or scratch)
    engine = get_database(app).engine
    prepare(engine, args.fresh)
    print(f"database: {engine.url.render_as_string()}  ({engine.dialect.name})")
    return app


def count_cases(app: Flask) -> int:
    with get_database(app).session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def grow_to(app: Flask, target: int, seed: int, network: str) -> None:
    """Add bulk cases until the database holds ``target`` (demo staff first if missing).

    A realistic network gains its clinics first, committed before the bulk writer starts.
    """
    database = get_database(app)
    with app.app_context():
        with database.session_factory() as session:
            has_demo = session.scalar(select(User.id).where(User.email == LAWYER)) is not None
        if not has_demo:
            with database.transaction() as session:
                build_demo(session, seed=seed, today=clinic_today(), cases=0)
        have = count_cases(app)
        if have >= target:
            print(f"reusing {have} cases")
            return
        rng = random.Random(seed * 1_000_003 + have)  # noqa: S311 - synthetic data, not secrets
        with database.transaction() as session:
            plan = plan_network(
                session, rng, network=network, count=target - have, today=clinic_today()
            )
        print(plan.lines()[0])

        def progress(done: int, seconds: float) -> None:
            print(f"  {have + done:>9} cases  {seconds:7.1f} s", flush=True)

        print(f"bulk-inserting {target - have} cases ...", flush=True)
        report = build_bulk_cases(
            database.session_factory, planner=plan.planner, count=target - have, progress=progress
        )
        print(report.lines()[0])


@dataclass
class Scope:
    """What the measured users see of the data, beside the size of the national tables."""

    clinics: int
    lawyers: int
    name_keys: int
    clinic: str
    clinic_cases: int
    clinic_active: int
    lawyer_cases: int
    lawyer_active: int


def measure_scope(app: Flask) -> Scope:
    """The network, the national name index, and the manager's clinic and lawyer's cases."""
    active = Case.status.in_(("intake", "open"))
    with get_database(app).session_factory() as session:
        manager = session.scalar(select(User).where(User.email == MANAGER))
        lawyer = session.scalar(select(User).where(User.email == LAWYER))
        if manager is None or lawyer is None or manager.clinic is None:
            raise SystemExit("no demo manager or lawyer: is this a demo database?")

        def cases(*where: Any) -> int:
            return int(session.scalar(select(func.count()).select_from(Case).where(*where)) or 0)

        staff = select(User).where(User.role == "lawyer", User.active.is_(True)).subquery()
        return Scope(
            clinics=int(session.scalar(select(func.count(func.distinct(staff.c.clinic_id)))) or 0),
            lawyers=int(session.scalar(select(func.count()).select_from(staff)) or 0),
            name_keys=int(session.scalar(select(func.count()).select_from(NameKey)) or 0),
            clinic=manager.clinic.code,
            clinic_cases=cases(Case.clinic_id == manager.clinic_id),
            clinic_active=cases(Case.clinic_id == manager.clinic_id, active),
            lawyer_cases=cases(Case.assigned_lawyer_id == lawyer.id),
            lawyer_active=cases(Case.assigned_lawyer_id == lawyer.id, active),
        )


# --- the pages ---------------------------------------------------------------------------


def served(app: Flask, path: str) -> bool:
    try:
        app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return False
    return True


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A test client holding a fully signed-in session, as after password and TOTP.

    The session row is made by the app's own ``start_session``; the cookie carries its
    token exactly as the sign-in view leaves it.
    """
    database = get_database(app)
    with app.app_context(), database.transaction() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise SystemExit(f"no account {email}: is this a demo database?")
        policy = app.extensions["legalaid.policies"].security.sessions
        started = start_session(
            session,
            user,
            stage="full",
            policy=policy,
            client_address="127.0.0.1",
            user_agent="benchmarks/cases.py",
        )
        token = started.token
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie[SESSION_TOKEN_KEY] = token
    return client


def page_ms(app: Flask, client: FlaskClient, path: str, runs: int) -> float | None:
    if not served(app, path):
        return None

    def get() -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")

    return median_ms(get, runs)


SqlRunner = Callable[[tuple[str, ...], dict[str, Any]], None]


def sql_runner(engine: Engine) -> SqlRunner:
    """Runs statements in a transaction of their own each time, as a request would."""

    def run(statements: tuple[str, ...], params: dict[str, Any]) -> None:
        with engine.connect() as conn:
            run_sql(conn, statements, params)
            conn.rollback()

    return run


@dataclass
class Subjects:
    lawyer: User
    case_id: int
    client_id: int
    clinic_id: int
    client_name: str
    respondent_names: tuple[str, str]


def pick_subjects(app: Flask) -> Subjects:
    """The lawyer's busiest open case; her client and two respondents to check again."""
    database = get_database(app)
    with app.app_context(), database.session_factory() as session:
        lawyer = session.scalar(select(User).where(User.email == LAWYER))
        assert lawyer is not None  # noqa: S101 - grow_to made the demo staff
        work = (
            select(func.count())
            .select_from(ServiceDelivery)
            .where(ServiceDelivery.case_id == Case.id)
            .correlate(Case)
            .scalar_subquery()
        ) + (
            select(func.count())
            .select_from(Hearing)
            .where(Hearing.case_id == Case.id)
            .correlate(Case)
            .scalar_subquery()
        )
        case_ = session.scalar(
            select(Case)
            .where(Case.assigned_lawyer_id == lawyer.id, Case.status == "open")
            .order_by(work.desc(), Case.id)
            .limit(1)
        )
        assert case_ is not None  # noqa: S101 - every lawyer has open cases at this size
        client = session.get(Client, case_.client_id)
        partner = _respondent(session, lawyer.id, ("intimate_partner", "former_partner"))
        officer = _respondent(session, lawyer.id, ("law_enforcement",))
        session.expunge(lawyer)
        return Subjects(
            lawyer=lawyer,
            case_id=case_.id,
            client_id=case_.client_id,
            clinic_id=case_.clinic_id,
            client_name=client.full_name if client else "",
            respondent_names=(partner, officer),
        )


def _respondent(session: Session, lawyer_id: int, relations: tuple[str, ...]) -> str:
    name = session.scalar(
        select(Respondent.name)
        .join(Case, Case.id == Respondent.case_id)
        .where(
            Case.assigned_lawyer_id == lawyer_id,
            Respondent.relation.in_(relations),
            Respondent.name.is_not(None),
        )
        .order_by(Respondent.id)
        .limit(1)
    )
    return name or "Elçin Məmmədov"


def measure(app: Flask, runs: int) -> list[Measure]:
    engine = get_database(app).engine
    today = clinic_today()
    chosen = pick_subjects(app)
    lawyer, manager = signed_in(app, LAWYER), signed_in(app, MANAGER)
    base = {
        "lawyer": chosen.lawyer.id,
        "clinic": chosen.clinic_id,
        "today": today,
        "window_end": date.fromordinal(today.toordinal() + 14),
        "far": date.max,
    }
    case_params = {**base, "case": chosen.case_id, "client": chosen.client_id}
    run = sql_runner(engine)
    return [
        Measure(
            "lawyer's case list   GET /cases/",
            page_ms(app, lawyer, "/cases/", runs),
            median_ms(lambda: run(CASE_LIST, base), runs),
            slowest(run, CASE_LIST, [base], runs),
        ),
        Measure(
            "manager's caseload   GET /caseload",
            page_ms(app, manager, "/caseload", runs),
            median_ms(lambda: run(CASELOAD, base), runs),
            slowest(run, CASELOAD, [base], runs),
        ),
        Measure(
            "case page            GET /cases/<id>",
            page_ms(app, lawyer, f"/cases/{chosen.case_id}", runs),
            median_ms(lambda: run(CASE_PAGE, case_params), runs),
            slowest(run, CASE_PAGE, [case_params], runs),
        ),
        conflict_measure(app, chosen, run, runs),
    ]


def slowest(
    run: SqlRunner, statements: tuple[str, ...], params: list[dict[str, Any]], runs: int
) -> tuple[str, float]:
    """The statement that costs most, summed over the parameter sets (fewer runs)."""
    costs = [
        (sum(median_ms(partial(run, (sql,), one), max(3, runs // 3), 1) for one in params), sql)
        for sql in statements
    ]
    ms, sql = max(costs)
    return " ".join(sql.split())[:90], ms


def conflict_measure(app: Flask, chosen: Subjects, run: SqlRunner, runs: int) -> Measure:
    subjects = [Subject("client", (chosen.client_name,), label="Client")] + [
        Subject("respondent", (name,), label=f"Respondent {n}")
        for n, name in enumerate(chosen.respondent_names, start=1)
    ]
    database = get_database(app)
    with app.app_context():
        keys = [name_keys(*subject.names) for subject in subjects]
        with database.session_factory() as session:
            user = session.merge(chosen.lawyer, load=False)

            def check() -> None:
                check_conflicts(session, user, subjects)
                session.rollback()  # the audit entry of a benchmark is not kept

            service_ms = median_ms(check, runs)

    params = [
        {
            "keys": subject_keys,
            "needed": min(WORDS_TO_MATCH, len(subject_keys)),
            "lawyer": chosen.lawyer.id,
        }
        for subject_keys in keys
    ]

    def bare() -> None:
        for one in params:
            run(CONFLICT, one)

    return Measure(
        "conflict check       client + 2 respondents",
        service_ms,
        median_ms(bare, runs),
        slowest(run, CONFLICT, params, runs),
    )


# --- the report --------------------------------------------------------------------------


NETWORK_NOTES = {
    "realistic": (
        f"clinics grow with the data, a manager and {NETWORK_LAWYERS} lawyers per "
        f"~{CASES_PER_CLINIC} cases; a clinic holding its share takes no more"
    ),
    "fixed": "every case in the four demo clinics",
}


def report_scope(network: str, sizes: list[int], scopes: dict[int, Scope]) -> None:
    """What grew with the data and what was held constant (the measured users' scope)."""
    clinic = scopes[sizes[0]].clinic
    print()
    print(f"network: {network} ({NETWORK_NOTES[network]})")
    print(
        f"{'cases':>8} {'clinics':>8} {'lawyers':>8} {'name keys':>10}"
        f" {clinic + ' cases':>10} {clinic + ' active':>11}"
        f" {'lawyer cases':>13} {'lawyer active':>14}"
    )
    for size in sizes:
        one = scopes[size]
        print(
            f"{size:>8} {one.clinics:>8} {one.lawyers:>8} {one.name_keys:>10}"
            f" {one.clinic_cases:>10} {one.clinic_active:>11}"
            f" {one.lawyer_cases:>13} {one.lawyer_active:>14}"
        )
    print(f"({clinic}: the clinic of {MANAGER}; lawyer: {LAWYER}; active: intake or open)")


def report(sizes: list[int], results: dict[int, list[Measure]]) -> bool:
    ok = True
    print()
    print(f"{'':42} {'cases':>8} {'page ms':>9} {'SQL ms':>8} {'ratio':>7} {'growth':>7}")
    first = sizes[0]
    for index, measure in enumerate(results[first]):
        for size in sizes:
            row = results[size][index]
            page = "-" if row.page_ms is None else f"{row.page_ms:9.2f}"
            ratio = "-" if row.ratio is None else f"{row.ratio:6.1f}x"
            growth = ""
            base = results[first][index].page_ms
            if size != first and row.page_ms is not None and base:
                factor = row.page_ms / base
                growth = f"{factor:6.2f}x"
                ok &= factor < GROWTH_TARGET
            ok &= row.ratio is None or row.ratio <= PAGE_TARGET
            name = measure.name if size == first else ""
            print(f"{name:42} {size:>8} {page:>9} {row.sql_ms:8.2f} {ratio:>7} {growth:>7}")
    print()
    print(f"slowest bare statement of each, at {sizes[-1]} cases:")
    for row in results[sizes[-1]]:
        print(f"  {row.slowest[1]:8.2f} ms  {row.slowest[0]}")
    print()
    print(f"targets: page within {PAGE_TARGET:.0f}x its bare SQL, growth < {GROWTH_TARGET:.0f}x")
    print("('-': the page is not served by this version of the app)")
    print("result:", "all targets met" if ok else "some targets missed")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated case counts")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--network",
        choices=NETWORKS,
        default="realistic",
        help="realistic: clinics grow with the data (default); fixed: all in the demo clinics",
    )
    add_database_options(parser)
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))

    app = open_database(args)
    engine = get_database(app).engine
    print(f"network: {args.network}")
    tables = set(inspect(engine).get_table_names())
    if "legal_case" not in tables:
        raise SystemExit("the schema is missing after the upgrade")

    results: dict[int, list[Measure]] = {}
    scopes: dict[int, Scope] = {}
    try:
        for size in sizes:
            if count_cases(app) > size:
                raise SystemExit(f"the database holds more than {size} cases: use --fresh")
            started = time.perf_counter()
            grow_to(app, size, args.seed, args.network)
            print(f"{size} cases ready in {time.perf_counter() - started:.1f} s; measuring ...")
            scopes[size] = measure_scope(app)
            results[size] = measure(app, args.runs)
    finally:
        engine.dispose()
    report_scope(args.network, sizes, scopes)
    return 0 if report(sizes, results) else 1


if __name__ == "__main__":
    sys.exit(main())

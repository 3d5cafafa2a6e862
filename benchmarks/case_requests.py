"""What a case page and an intake save cost: statements and milliseconds, 10k vs 100k cases.

Builds (or reuses) the synthetic database of :mod:`benchmarks.cases`, then, per size:

- a case page      GET /cases/<id>       the lawyer's busiest open case
- an intake save   POST /cases/intake    a client named like one of hers, two respondents,
                                         after its check (the save runs the one check)

printing for each the SQL statements the request sends, its median ms, and beside it the
bare SQL reading the same rows; the case page also beside a bare Flask + SQLAlchemy route
that reads those rows, renders them and writes one (``benchmarks.bare_flask``), in the
same run (``benchmarks.cases.CASE_PAGE``; for the save, the bare
conflict SQL of the same three names, ``benchmarks.cases.CONFLICT``). Figures, not a test:
the bounds that fail live in tests/test_request_costs.py.

Usage (from the project root)::

    python benchmarks/case_requests.py --sizes 10000,100000
    python benchmarks/case_requests.py --fresh --instance /tmp/bench-instance \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bare_flask import bare_case_page_app
from benchmarks.cases import (
    CASE_PAGE,
    CONFLICT,
    LAWYER,
    MANAGER,
    WORDS_TO_MATCH,
    add_database_options,
    count_cases,
    grow_to,
    median_ms,
    open_database,
    pick_subjects,
    signed_in,
    sql_runner,
)
from legalaid.accounts.models import User
from legalaid.calendar import today as clinic_today
from legalaid.casefile.case_lists import CaseFilters, case_list_count, case_list_query
from legalaid.cases.scope import visible_clients
from legalaid.clients.models import Client
from legalaid.conflicts.names import name_keys
from legalaid.database import get_database

_HIDDEN = re.compile(r'name="(csrf_token|submission_token|checked)" type="hidden" value="([^"]*)"')
_HIDDEN_ALT = re.compile(
    r'type="hidden" name="(csrf_token|submission_token|checked)" value="([^"]*)"'
)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _hidden(html: str) -> dict[str, str]:
    found = dict(_HIDDEN.findall(html))
    found.update(dict(_HIDDEN_ALT.findall(html)))
    return found


def intake_data(name: str, respondents: tuple[str, str]) -> dict[str, object]:
    return {
        "full_name": name,
        "birth_year": "1990",
        "respondents-0-name": respondents[0],
        "respondents-0-relation": "intimate_partner",
        "respondents-1-name": respondents[1],
        "respondents-1-relation": "family_member",
        "gender_identity": "woman",
        "age_band": "30_39",
        "economic_region": "baku",
        "settlement": "urban",
        "disability": "no",
        "consent_services": "y",
        "consent_statistics": "y",
        "consent_sharing": "y",
        "category": "gbv",
        "gbv_type": "physical_assault",
        "risk_level": "medium",
        "summary": "Synthetic benchmark intake.",
        "decision": "proceed",
    }


def checked_form(client: FlaskClient, data: dict[str, object]) -> dict[str, object]:
    """The form as the page leaves it after a check: tokens and the checked fingerprint."""
    tokens = _hidden(client.get("/cases/intake").get_data(as_text=True))
    html = client.post("/cases/intake", data={**data, **tokens, "action": "check"}).get_data(
        as_text=True
    )
    return {**data, **_hidden(html), "action": "save"}


def measure(app: Flask, runs: int, intake_runs: int) -> list[tuple[str, int, float, float]]:
    engine = get_database(app).engine
    chosen = pick_subjects(app)
    lawyer = signed_in(app, LAWYER)
    run = sql_runner(engine)
    rows = []

    page = f"/cases/{chosen.case_id}"
    lawyer.get(page)
    with counting(engine) as sent:
        if lawyer.get(page).status_code != 200:
            raise SystemExit(f"GET {page} failed")
    page_ms = median_ms(lambda: lawyer.get(page), runs)
    params = {
        "case": chosen.case_id,
        "client": chosen.client_id,
        "lawyer": chosen.lawyer.id,
        "clinic": chosen.clinic_id,
    }
    bare_ms = median_ms(lambda: run(CASE_PAGE, params), runs)
    rows.append(("case page     GET /cases/<id>", len(sent), page_ms, bare_ms))
    # The same rows through a bare Flask + SQLAlchemy route (the peer a page is held to).
    bare_client = bare_case_page_app(engine, params).test_client()
    if bare_client.get(page).status_code != 200:
        raise SystemExit(f"the bare route's GET {page} failed")
    with counting(engine) as bare_sent:
        bare_client.get(page)
    rows.append(
        (
            "  bare Flask route, same rows",
            len(bare_sent),
            median_ms(lambda: bare_client.get(page), runs),
            bare_ms,
        )
    )
    rows.append(("  case page vs bare Flask route", len(sent), page_ms, rows[-1][2]))

    data = intake_data(chosen.client_name, chosen.respondent_names)
    statements: list[int] = []
    times: list[float] = []
    for _ in range(intake_runs):
        form = checked_form(lawyer, data)
        with counting(engine) as sent:
            started = time.perf_counter()
            response = lawyer.post("/cases/intake", data=form)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 302:
            raise SystemExit(f"the intake save answered {response.status_code}")
        statements.append(len(sent))
    times.sort()
    with app.app_context():
        keys_of = [
            name_keys(chosen.client_name),
            *(name_keys(name) for name in chosen.respondent_names),
        ]
    conflict_params = [
        {"keys": keys, "needed": min(WORDS_TO_MATCH, len(keys)), "lawyer": chosen.lawyer.id}
        for keys in keys_of
    ]

    def bare_conflict() -> None:
        for one in conflict_params:
            run(CONFLICT, one)

    rows.append(
        (
            "intake save   POST /cases/intake",
            max(statements),
            times[len(times) // 2],
            median_ms(bare_conflict, runs),
        )
    )
    return rows


def _plan(session: Session, statement: Any) -> list[str]:
    dialect = session.get_bind().dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
    rows = session.connection().exec_driver_sql(prefix + sql).all()
    return [str(row[-1]) for row in rows]


def _full_scan(line: str, table: str) -> bool:
    words = line.split()
    if "Seq Scan on" in line:
        return f"Seq Scan on {table}" in line
    return len(words) >= 2 and words[0] == "SCAN" and words[1] == table


def explain(app: Flask) -> int:
    """The scoped lists and counts: does any read every client (or case) of the country?"""
    found = 0
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = session.scalar(select(User).where(User.email == LAWYER))
        manager = session.scalar(select(User).where(User.email == MANAGER))
        if lawyer is None or manager is None:
            raise SystemExit("no demo accounts: is this a demo database?")
        queries = {}
        for who, user in (("lawyer", lawyer), ("manager", manager)):
            filters = CaseFilters.from_args({}, user)
            queries[f"{who}'s case count"] = case_list_count(user, filters)
            queries[f"{who}'s case page"] = case_list_query(user, filters).limit(50)
            clients = visible_clients(user).order_by(Client.id.desc())
            queries[f"{who}'s client count"] = select(func.count()).select_from(
                clients.order_by(None).subquery()
            )
            queries[f"{who}'s client page"] = clients.limit(50)
        for name, query in queries.items():
            plan = _plan(session, query)
            scans = [
                line
                for line in plan
                if _full_scan(line, "client") or _full_scan(line, "legal_case")
            ]
            found += bool(scans)
            verdict = "FULL SCAN: " + "; ".join(scans) if scans else "no full scan"
            print(f"  {name:24} {verdict}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument(
        "--intake-runs",
        type=int,
        help="saves per size (default --runs); each costs two conflict checks, and a "
        "lawyer may run 60 an hour: keep 2 x sizes x this under 60",
    )
    add_database_options(parser)
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    app = open_database(args)
    engine = get_database(app).engine
    print(f"today {clinic_today()}")
    results: dict[int, list[tuple[str, int, float, float]]] = {}
    try:
        for size in sizes:
            grow_to(app, size, args.seed, "realistic")
            print(f"{count_cases(app)} cases; measuring ...", flush=True)
            results[size] = measure(app, args.runs, args.intake_runs or args.runs)
            print(f"EXPLAIN at {size} cases:")
            explain(app)
    finally:
        engine.dispose()
    print(f"\n{'request':34} {'cases':>7} {'stmts':>6} {'ms':>8} {'bare ms':>8} {'x bare':>7}")
    for size in sizes:
        for name, stmts, ms, bare in results[size]:
            print(f"{name:34} {size:>7} {stmts:>6} {ms:>8.1f} {bare:>8.1f} {ms / bare:>7.1f}")
    if len(sizes) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        for (name, s1, ms1, _b1), (_n, s2, ms2, _b2) in zip(first, last, strict=True):
            print(
                f"{name:34} growth {sizes[0]}->{sizes[-1]}: "
                f"statements x{s2 / s1:.2f}, ms x{ms2 / ms1:.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The fixed cost of one request, in process: what every page pays before its own queries.

    python benchmarks/request_cost.py --database-url sqlite:////tmp/cost/db.sqlite3 \
        --instance /tmp/cost [--profile 300] [--requests 300]

It builds a demo instance there (``legalaid demo``; PostgreSQL with ``--reset-postgresql``)
unless ``--reuse`` is given, signs a demo lawyer in with Flask's test client (no HTTP, no
gunicorn) and times, interleaved round by round, each of:

- ``/livez``: the process answers (no session, no database);
- ``/healthz``: one savepoint write, no session;
- ``fixed``: a signed-in page that renders ``base.html`` and records one audit entry and
  nothing else (the view of ``/account`` swapped for that in this process only): the
  session load, the access check, the bell, the navigation, CSRF, Babel, the headers and
  the audit append — the cost every page pays;
- ``/cases/`` and a case page.

Wall and CPU time (``time.process_time``) per request, median and p95. With ``--profile N``
it then runs N rounds of ``fixed`` under cProfile and prints the 40 costliest functions
by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--reuse", action="store_true", help="keep the instance's data")
    args = parser.parse_args()
    args.instance.mkdir(parents=True, exist_ok=True)
    env = {
        "LEGALAID_ENV": "development",
        "LEGALAID_DATABASE_URL": args.database_url,
        "LEGALAID_INSTANCE_PATH": str(args.instance),
    }
    accounts_file = args.instance / "bench-accounts.txt"
    if not args.reuse or not accounts_file.exists():
        demo = [str(BIN / "legalaid"), "demo"]
        demo.append("--reset-postgresql" if args.database_url.startswith("postgresql") else "--yes")
        out = subprocess.run(
            demo, env={**os.environ, **env}, check=True, capture_output=True, text=True
        ).stdout
        accounts_file.write_text(out)
    out = accounts_file.read_text()
    email, password = re.findall(r"lawyer\s+\S+\s+(\S+@\S+)\s+password: (\S+)", out)[0]
    os.environ.update(env)

    from flask import render_template

    from legalaid.audit.service import record_event
    from legalaid.database import db_session, get_database
    from legalaid.factory import create_app

    app = create_app()

    def fixed() -> str:
        record_event(db_session(), "account.viewed", object_type="user")
        return render_template("base.html")

    app.view_functions["accounts.settings"] = fixed
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    listing = client.get("/cases/").get_data(as_text=True)
    case_id = re.findall(r'href="/cases/(\d+)"', listing)[0]
    paths = {
        "/livez": "/livez",
        "/healthz": "/healthz",
        "fixed (base + audit)": "/account",
        "/cases/": "/cases/",
        "case page": f"/cases/{case_id}",
    }
    for path in paths.values():  # warm up
        for _ in range(5):
            assert client.get(path).status_code == 200, path
    wall: dict[str, list[float]] = {name: [] for name in paths}
    cpu: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.requests):
        for name, path in paths.items():
            w, c = time.perf_counter(), time.process_time()
            client.get(path)
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - w)
    backend = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(f"{backend}, test client, {args.requests} rounds; load: {os.getloadavg()}")
    print(f"  {'request':<22} {'wall p50':>9} {'wall p95':>9} {'cpu p50':>8} {'cpu mean':>9}")
    for name in paths:
        ordered = sorted(wall[name])
        print(
            f"  {name:<22} {statistics.median(wall[name]) * 1000:7.2f}ms"
            f" {ordered[int(0.95 * (len(ordered) - 1))] * 1000:7.2f}ms"
            f" {statistics.median(cpu[name]) * 1000:6.2f}ms"
            f" {statistics.mean(cpu[name]) * 1000:7.2f}ms"
        )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile):
            client.get("/account")
        profiler.disable()
        stats = pstats.Stats(profiler)
        if os.environ.get("BENCH_PROFILE_OUT"):
            stats.dump_stats(os.environ["BENCH_PROFILE_OUT"])
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        if os.environ.get("BENCH_CALLERS"):
            stats.print_callers(os.environ["BENCH_CALLERS"])
    get_database(app).engine.dispose()


if __name__ == "__main__":
    main()

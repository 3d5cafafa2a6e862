"""Where a case page spends its time: cProfile over many GETs of one case page.

On a database built by :mod:`benchmarks.case_requests` (or any demo database), signs the
demo lawyer in, requests her busiest open case page ``--runs`` times under cProfile and
prints the cumulative time of the parts the issue names (SQL, ORM, Jinja, WTForms, the
audit entry), per request, beside the wall and CPU time of the whole request, then the
functions that cost most.

Usage (from the project root)::

    python benchmarks/case_page_profile.py --database-url sqlite:////tmp/bench.sqlite3 \\
        --instance /tmp/bench-instance
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bare_flask import bare_case_page_app
from benchmarks.cases import LAWYER, make_app, pick_subjects, signed_in
from legalaid.database import get_database

#: (label, file fragment, function name): the cumulative time of the outermost match.
PARTS = (
    ("whole request (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
    ("before the view (session, sign-in)", "flask/app.py", "preprocess_request"),
    ("the view", "flask/app.py", "dispatch_request"),
    ("  ORM statements (Session._execute_internal)", "orm/session.py", "_execute_internal"),
    ("    of which the driver's execute", "", "execute"),
    ("  Jinja render_template", "flask/templating.py", "render_template"),
    ("    WTForms field rendering", "wtforms/fields/core.py", "__call__"),
    ("      of which <select> widgets", "wtforms/widgets/core.py", "render_option"),
    ("    url_for", "flask/helpers.py", "url_for"),
    ("    gettext in templates", "jinja2/ext.py", "_gettext_alias"),
    ("    format_date / format_datetime", "flask_babel/__init__.py", "format_date"),
    ("    reminder bell", "reminders/views.py", "reminder_bell"),
    ("  WTForms form construction", "wtforms/form.py", "__call__"),
    ("after the view (commit, audit, headers)", "flask/app.py", "finalize_request"),
)


def _cumulative(stats: pstats.Stats, fragment: str, name: str) -> float:
    """The largest cumulative time of a matching function (its outermost caller)."""
    found = 0.0
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in raw.items():
        if function == name and fragment in filename:
            found = max(found, ct)
    return found


def _summed(stats: pstats.Stats, fragment: str, name: str) -> float:
    raw = stats.stats  # type: ignore[attr-defined]
    return sum(
        float(ct)
        for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in raw.items()
        if function == name and fragment in filename
    )


def _driver(stats: pstats.Stats) -> float:
    """The drivers' own execute: sqlite3's C methods, psycopg's cursor."""
    raw = stats.stats  # type: ignore[attr-defined]
    total = 0.0
    for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in raw.items():
        if (
            filename == "~"
            and function
            in (
                "<method 'execute' of 'sqlite3.Cursor' objects>",
                "<method 'execute' of 'sqlite3.Connection' objects>",
            )
        ) or ("psycopg/cursor.py" in filename and function == "execute"):
            total += ct
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", type=Path, help="also write the raw profile here")
    args = parser.parse_args(argv)
    app = make_app(args.database_url, args.instance)
    chosen = pick_subjects(app)
    client = signed_in(app, LAWYER)
    page = f"/cases/{chosen.case_id}"
    for _ in range(10):
        if client.get(page).status_code != 200:
            raise SystemExit(f"GET {page} failed")
    sent: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(" ".join(statement.split())[:110])

    engine = get_database(app).engine
    event.listen(engine, "before_cursor_execute", count)
    client.get(page)
    event.remove(engine, "before_cursor_execute", count)
    print(f"{len(sent)} statements:")
    for sql in sent:
        print(f"    {sql}")
    params = {
        "case": chosen.case_id,
        "client": chosen.client_id,
        "lawyer": chosen.lawyer.id,
        "clinic": chosen.clinic_id,
    }
    bare = bare_case_page_app(engine, params).test_client()
    if bare.get(page).status_code != 200:
        raise SystemExit(f"the bare route's GET {page} failed")

    def per_request(target: FlaskClient, runs: int) -> tuple[float, float]:
        wall = time.perf_counter()
        cpu = time.process_time()
        for _ in range(runs):
            target.get(page)
        return (
            (time.perf_counter() - wall) * 1000 / runs,
            (time.process_time() - cpu) * 1000 / runs,
        )

    # The page and the bare route in alternating blocks: the same load for both.
    page_times: list[tuple[float, float]] = []
    bare_times: list[tuple[float, float]] = []
    block = max(1, args.runs // 5)
    for _ in range(5):
        page_times.append(per_request(client, block))
        bare_times.append(per_request(bare, block))
    wall_ms, cpu_ms = (statistics.median(values) for values in zip(*page_times, strict=True))
    bare_wall, bare_cpu = (statistics.median(values) for values in zip(*bare_times, strict=True))
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.runs):
        client.get(page)
    profile.disable()
    stats = pstats.Stats(profile)
    if args.dump:
        stats.dump_stats(args.dump)
    print(f"{page} on {get_database(app).engine.dialect.name}, {args.runs} runs")
    print(
        f"unprofiled, median of 5 alternating blocks of {block}: case page {wall_ms:.2f} ms wall,"
        f" {cpu_ms:.2f} ms CPU; bare Flask route {bare_wall:.2f} ms wall, {bare_cpu:.2f} ms CPU;"
        f" ratio {wall_ms / bare_wall:.2f} wall, {cpu_ms / bare_cpu:.2f} CPU"
    )
    whole = _cumulative(stats, "flask/app.py", "wsgi_app") / args.runs * 1000
    for label, fragment, name in PARTS:
        if not fragment:
            seconds = _driver(stats)
        elif name in ("render_option", "format_date"):
            seconds = _summed(stats, fragment, name)
            if name == "format_date":
                seconds += _summed(stats, fragment, "format_datetime")
        else:
            seconds = _cumulative(stats, fragment, name)
        ms = seconds / args.runs * 1000
        print(f"  {label:46} {ms:7.2f} ms  {100 * ms / whole:5.1f}% (profiled)")
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    get_database(app).engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

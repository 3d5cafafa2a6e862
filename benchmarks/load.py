"""Load test: N signed-in users for S seconds against gunicorn, mixed reads and writes.

    python benchmarks/load.py --database-url sqlite:////tmp/load/db.sqlite3 --instance /tmp/load
    python benchmarks/load.py --database-url postgresql+psycopg://postgres@127.0.0.1/load \
        --instance /tmp/load-pg

It builds a demo instance there (``legalaid demo``; PostgreSQL with ``--reset-postgresql``:
the database is wiped), serves it with the README's gunicorn command and the shipped
settings, signs USERS browsers in as the demo lawyers (a demo instance skips the second
step), and has each one loop: case list, a case page, then a note with a unique marker
(posted as a browser does: CSRF and submission token). A note answered with a redirect is
acknowledged. At the end it prints throughput, p50/p95/p99 per kind of request, answers
by status, and acknowledged vs stored notes (stored = markers found by decrypting every
note of the database after gunicorn stopped). 0 lost and 0 5xx is the target.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class _Form(HTMLParser):
    """The hidden inputs of the first form that has a textarea named ``body``."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {"_action": a.get("action", "")}
            self.forms.append(self._current)
        elif self._current is not None and tag == "input" and a.get("type") == "hidden":
            self._current[a.get("name", "")] = a.get("value", "")
        elif self._current is not None and tag == "textarea":
            self._current["_textarea"] = a.get("name", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=120) as response:
                return (
                    response.status,
                    response.read().decode(),
                    response.headers.get("Location", ""),
                )
        except urllib.error.HTTPError as error:
            return (
                error.code,
                error.read().decode(errors="replace"),
                error.headers.get("Location", ""),
            )


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def sign_in(browser: Browser, email: str, password: str) -> None:
    _status, html, _ = browser.request("/login")
    token = CSRF.search(html)
    assert token, "no CSRF token on /login"
    status, _html, location = browser.request(
        "/login", {"email": email, "password": password, "csrf_token": token.group(1)}
    )
    assert status == 302 and "/login" not in location, f"sign-in failed for {email}: {status}"


def note_form(html: str) -> dict[str, str] | None:
    parser = _Form()
    parser.feed(html)
    for form in parser.forms:
        if form.get("_textarea") == "body" and form.get("_action", "").endswith("/notes"):
            return form
    return None


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[int] = Counter()
        self.acknowledged: set[str] = set()

    def add(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[status] += 1


def user_loop(browser: Browser, stats: Stats, until: float, rng: random.Random) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        status, html, _ = browser.request("/cases/")
        stats.add("case list", time.monotonic() - started, status)
        ids = re.findall(r'href="/cases/(\d+)"', html)
        if not ids:
            continue
        case_id = rng.choice(ids)
        started = time.monotonic()
        status, html, _ = browser.request(f"/cases/{case_id}")
        stats.add("case page", time.monotonic() - started, status)
        form = note_form(html) if status == 200 else None
        if form is None:
            continue
        marker = f"load-{secrets.token_hex(8)}"
        data = {k: v for k, v in form.items() if not k.startswith("_")}
        data["body"] = f"Load test note {marker}"
        started = time.monotonic()
        status, _html, _ = browser.request(form["_action"], data)
        stats.add("note save", time.monotonic() - started, status)
        if status == 302:
            with stats.lock:
                stats.acknowledged.add(marker)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def stored_markers(env: dict[str, str]) -> set[str]:
    os.environ.update(env)
    from sqlalchemy import select

    from legalaid.casework.models import NoteRevision
    from legalaid.database import get_database
    from legalaid.factory import create_app

    app = create_app()
    with app.app_context(), get_database(app).session_factory() as session:
        bodies = [row.body for row in session.scalars(select(NoteRevision))]
    get_database(app).engine.dispose()
    return {m for body in bodies for m in re.findall(r"load-[0-9a-f]{16}", body)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    args.instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LEGALAID_ENV": "development",
        "LEGALAID_DATABASE_URL": args.database_url,
        "LEGALAID_INSTANCE_PATH": str(args.instance),
        "LEGALAID_BIND": f"127.0.0.1:{args.port}",
        "LEGALAID_WORKERS": str(args.workers),
    }
    demo = [str(BIN / "legalaid"), "demo"]
    if args.database_url.startswith("postgresql"):
        demo.append("--reset-postgresql")
    out = subprocess.run(demo, env=env, check=True, capture_output=True, text=True).stdout
    accounts = re.findall(r"lawyer\s+\S+\s+(\S+@\S+)\s+password: (\S+)", out)
    assert accounts, "no lawyer accounts in the demo's output"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:legalaid.gunicorn_conf", "legalaid.wsgi:app"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/livez", timeout=2).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        browsers = []
        for i in range(args.users):
            browser = Browser(base)
            sign_in(browser, *accounts[i % len(accounts)])
            browsers.append(browser)
        stats = Stats()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=user_loop, args=(b, stats, until, random.Random(i)))
            for i, b in enumerate(browsers)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=240)
    stored = stored_markers({k: v for k, v in env.items() if k.startswith("LEGALAID_")})
    total = sum(len(v) for v in stats.times.values())
    backend = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(f"{backend}: {args.users} users, {elapsed:.0f} s, gunicorn {args.workers} workers")
    print(f"throughput: {total / elapsed:.1f} requests/s ({total} requests)")
    for kind, values in sorted(stats.times.items()):
        print(
            f"  {kind:<10} n={len(values):<6} p50 {percentile(values, 50) * 1000:7.0f} ms"
            f"  p95 {percentile(values, 95) * 1000:7.0f} ms"
            f"  p99 {percentile(values, 99) * 1000:7.0f} ms"
            f"  mean {statistics.mean(values) * 1000:7.0f} ms"
        )
    print("answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses.items())))
    lost = stats.acknowledged - stored
    print(
        f"notes acknowledged: {len(stats.acknowledged)}, stored: "
        f"{len(stats.acknowledged & stored)}, lost: {len(lost)}"
    )
    errors = sum(v for k, v in stats.statuses.items() if k >= 500)
    sys.exit(1 if lost or errors else 0)


if __name__ == "__main__":
    main()

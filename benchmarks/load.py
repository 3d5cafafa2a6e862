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

With ``--cases N`` the demo bulk-inserts N cases. With ``--release-after S`` (issue 14's
"Done when": 20,000 cases, a national release during the load) the task force signs in
too and, S seconds into the load, makes a national release through the form as a browser
does (form, confirmation page, then the job's progress page followed until it leads to
the release); the job consumer (``legalaid jobs run``) runs beside gunicorn as the README
says. The load goes on until the release is done (at most ``--release-timeout``), and it
prints the release's duration and the p95 of the note saves made while it ran (the
target: at most 1 s)::

    python benchmarks/load.py --database-url sqlite:////tmp/load/db.sqlite3 \
        --instance /tmp/load --cases 20000 --release-after 10
"""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import os
import random
import re
import secrets
import shlex
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
sys.path.insert(0, str(ROOT))
from legalaid.indicators.periods import PLAN_CODE  # noqa: E402

#: How long the load goes on past --seconds for the release to finish (set by main).
release_timeout = 0.0
BIN = Path(sys.executable).parent


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class _Form(HTMLParser):
    """Each form's action, hidden inputs, textarea name and select names."""

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
        elif self._current is not None and tag == "select":
            self._current["_select"] = a.get("name", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


#: Each request's id (header X-Load-Request), logged by gunicorn with its time in the worker.
_request_ids = itertools.count(1)
#: The access-log format the load test gives gunicorn: the shipped one plus the request id.
ACCESS_LOG = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms id=%({x-load-request}i)s'
LOGGED = re.compile(r" (\d+)ms id=(\d+)$")


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        #: The id of the last request sent (to find its time in gunicorn's log).
        self.last_id = 0

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        self.last_id = next(_request_ids)
        sent = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 from main)
            self.base + path, body, headers={"X-Load-Request": str(self.last_id)}
        )
        try:
            with self.opener.open(sent, timeout=120) as response:
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


def parsed_forms(html: str) -> list[dict[str, str]]:
    parser = _Form()
    parser.feed(html)
    return parser.forms


def hidden_fields(form: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in form.items() if not k.startswith("_")}


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        #: Each note save's start and end (monotonic) and request id, to pick those made
        #: during a release and find their time in the worker.
        self.saves: list[tuple[float, float, int]] = []
        self.statuses: Counter[int] = Counter()
        self.acknowledged: set[str] = set()

    def add(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[status] += 1


class Release:
    """The national release made during the load, as the task force's browser sees it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.asked_at: float | None = None
        self.finished_at: float | None = None
        self.outcome = "not made"
        self.progress_seen: list[str] = []

    @property
    def seconds(self) -> float | None:
        if self.asked_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.asked_at


PROGRESS = re.compile(r'<progress[^>]*\bmax="(\d+)"[^>]*\bvalue="(\d+)"')


def make_release(
    browser: Browser, release: Release, period: str, delay: float, timeout: float
) -> None:
    try:
        time.sleep(delay)
        _status, html, _ = browser.request(f"/releases/new?period={urllib.parse.quote(period)}")
        form = next(f for f in parsed_forms(html) if f.get("_select") == "period")
        data = {**hidden_fields(form), "period": period, "reason": "load test"}
        status, html, _ = browser.request("/releases/new", data)
        assert status == 200, f"the release form answered {status}"
        confirm = next(f for f in parsed_forms(html) if f.get("confirmed") == "yes")
        release.asked_at = time.monotonic()
        status, _html, location = browser.request("/releases/new", hidden_fields(confirm))
        assert status == 302 and "/releases/jobs/" in location, f"release: {status} {location}"
        job = urllib.parse.urlsplit(location).path
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, html, location = browser.request(job)
            if status == 302:
                release.finished_at = time.monotonic()
                release.outcome = "released" if "/releases/" in location else location
                return
            if "Nothing was released." in html:
                release.finished_at = time.monotonic()
                release.outcome = "failed"
                return
            found = PROGRESS.search(html)
            if found:
                shown = f"{found.group(2)}/{found.group(1)}"
                if not release.progress_seen or release.progress_seen[-1] != shown:
                    release.progress_seen.append(shown)
            time.sleep(0.5)
        release.outcome = "timed out"
    finally:
        release.done.set()


def user_loop(
    browser: Browser,
    stats: Stats,
    until: float,
    rng: random.Random,
    release: Release | None,
    think: float = 0.0,
) -> None:
    def pause() -> None:
        if think:
            time.sleep(rng.uniform(0, 2 * think))

    hard_stop = until + (release_timeout if release is not None else 0)
    while time.monotonic() < until or (
        release is not None and not release.done.is_set() and time.monotonic() < hard_stop
    ):
        started = time.monotonic()
        status, html, _ = browser.request("/cases/")
        stats.add("case list", time.monotonic() - started, status)
        pause()
        ids = re.findall(r'href="/cases/(\d+)"', html)
        if not ids:
            continue
        case_id = rng.choice(ids)
        started = time.monotonic()
        status, html, _ = browser.request(f"/cases/{case_id}")
        stats.add("case page", time.monotonic() - started, status)
        pause()
        form = note_form(html) if status == 200 else None
        if form is None:
            continue
        marker = f"load-{secrets.token_hex(8)}"
        data = {k: v for k, v in form.items() if not k.startswith("_")}
        data["body"] = f"Load test note {marker}"
        started = time.monotonic()
        status, _html, _ = browser.request(form["_action"], data)
        ended = time.monotonic()
        stats.add("note save", ended - started, status)
        with stats.lock:
            stats.saves.append((started, ended, browser.last_id))
        if status == 302:
            with stats.lock:
                stats.acknowledged.add(marker)
        pause()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, user+system CPU ticks) of a process, None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _machine_busy() -> int:
    """CPU ticks the whole machine spent busy (every core, every process)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]  # all but idle and iowait


class CpuSampler(threading.Thread):
    """CPU used, by group of processes, sampled twice a second (Linux /proc).

    Groups: the gunicorn workers, the job consumer, this load client, the database
    server's backends of this database (PostgreSQL; matched by the database name in their
    process title), and the rest of the machine (other sessions). A process's last seen
    total is kept after it ends, so a group's total only goes up.
    """

    def __init__(self, server: int, consumer: int | None, database: str | None) -> None:
        super().__init__(daemon=True)
        self.server, self.consumer, self.database = server, consumer, database
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.stop = threading.Event()
        self._seen: dict[str, dict[int, int]] = defaultdict(dict)

    def _sample(self) -> dict[str, float]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                found = _proc_stat(int(entry.name))
                if found is None:
                    continue
                parent, ticks = found
                parents[int(entry.name)] = parent
                if parent == self.server:
                    self._seen["gunicorn workers"][int(entry.name)] = ticks
                if self.database and found and self._is_backend(int(entry.name)):
                    self._seen["database server"][int(entry.name)] = ticks
        for group, pid in (("job consumer", self.consumer), ("load client", os.getpid())):
            found = _proc_stat(pid) if pid else None
            if found is not None:
                self._seen[group][pid] = found[1]
        totals = {group: sum(seen.values()) / CLOCK_TICKS for group, seen in self._seen.items()}
        totals["machine"] = _machine_busy() / CLOCK_TICKS
        return totals

    def _is_backend(self, pid: int) -> bool:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return title.startswith(b"postgres: ") and f" {self.database} ".encode() in title

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.monotonic(), self._sample()))
            self.stop.wait(0.5)
        self.samples.append((time.monotonic(), self._sample()))

    def at(self, moment: float) -> tuple[float, dict[str, float]]:
        """The first sample at or after ``moment`` (else the last)."""
        return next((s for s in self.samples if s[0] >= moment), self.samples[-1])

    def cores(self, start: float, end: float) -> dict[str, float]:
        """Cores each group used on average from ``start`` to ``end``; 'rest of machine' is
        the machine's busy time that none of the groups account for."""
        (t0, a), (t1, b) = self.at(start), self.at(end)
        wall = max(t1 - t0, 1e-9)
        used = {g: (b.get(g, 0.0) - a.get(g, 0.0)) / wall for g in b if g != "machine"}
        used["rest of machine"] = (b["machine"] - a["machine"]) / wall - sum(used.values())
        return used


def server_times(log: Path) -> dict[int, float]:
    """Seconds each request (by id) spent in a gunicorn worker, from its access log."""
    found: dict[int, float] = {}
    with log.open(errors="replace") as lines:
        for line in lines:
            match = LOGGED.search(line.rstrip())
            if match:
                found[int(match.group(2))] = int(match.group(1)) / 1000
    return found


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
    parser.add_argument("--cases", type=int, help="bulk-insert this many demo cases")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the instance's data from an earlier run (its demo accounts are kept in "
        "bench-accounts.txt), so that before/after runs need not rebuild 20,000 cases",
    )
    parser.add_argument(
        "--release-after",
        type=float,
        help="make a national release this many seconds into the load (with a job consumer)",
    )
    parser.add_argument(
        "--release-period", default=PLAN_CODE, help="a period code (default: the plan to date)"
    )
    parser.add_argument("--release-timeout", type=float, default=600)
    parser.add_argument(
        "--jobs-nice", type=int, help="the consumer's --nice (default: its own default)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a user waits after each page (uniform 0..2x; default 0: none)",
    )
    args = parser.parse_args()
    global release_timeout
    release_timeout = args.release_timeout
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
    else:
        demo.append("--yes")
    if args.cases:
        demo += ["--cases", str(args.cases)]
    accounts_file = args.instance / "bench-accounts.txt"
    if args.reuse and accounts_file.exists():
        out = accounts_file.read_text()
    else:
        out = subprocess.run(demo, env=env, check=True, capture_output=True, text=True).stdout
        accounts_file.write_text(out)
    accounts = re.findall(r"lawyer\s+\S+\s+(\S+@\S+)\s+password: (\S+)", out)
    assert accounts, "no lawyer accounts in the demo's output"
    task_force = re.findall(r"task_force\s+\S+\s+(\S+@\S+)\s+password: (\S+)", out)
    consumer = None
    if args.release_after is not None:
        assert task_force, "no task-force account in the demo's output"
        # The README's production pair: gunicorn for requests, one job consumer.
        consumer = subprocess.Popen(
            [str(BIN / "legalaid"), "jobs", "run"]
            + ([] if args.jobs_nice is None else ["--nice", str(args.jobs_nice)]),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    # The shipped settings; only the access log goes to a file and names each request's id
    # (its time in the worker beside the time the client waited: the rest is the wait for
    # a free worker).
    access_log = args.instance / "access.log"
    server_env = {
        **env,
        "GUNICORN_CMD_ARGS": shlex.join(
            ["--access-logformat", ACCESS_LOG, "--access-logfile", str(access_log)]
        ),
    }
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:legalaid.gunicorn_conf", "legalaid.wsgi:app"],
        env=server_env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe nobody reads (a full pipe would stall gunicorn's logging).
        stderr=(args.instance / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {args.instance / 'gunicorn.log'}")
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
        release: Release | None = None
        if args.release_after is not None:
            release = Release()
            releaser = Browser(base)
            sign_in(releaser, *task_force[0])
        stats = Stats()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=user_loop, args=(b, stats, until, random.Random(i), release, args.think)
            )
            for i, b in enumerate(browsers)
        ]
        if release is not None:
            threads.append(
                threading.Thread(
                    target=make_release,
                    args=(
                        releaser,
                        release,
                        args.release_period,
                        args.release_after,
                        args.release_timeout,
                    ),
                )
            )
        database_name = (
            urllib.parse.urlsplit(args.database_url).path.lstrip("/")
            if args.database_url.startswith("postgresql")
            else None
        )
        sampler = CpuSampler(server.pid, consumer.pid if consumer else None, database_name)
        sampler.start()
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=240)
        if consumer is not None:
            consumer.send_signal(signal.SIGTERM)
            consumer.wait(timeout=240)
    stored = stored_markers({k: v for k, v in env.items() if k.startswith("LEGALAID_")})
    total = sum(len(v) for v in stats.times.values())
    backend = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(
        f"{backend}: {args.users} users, {elapsed:.0f} s, gunicorn {args.workers} workers"
        + (f", think time {args.think:g} s on average" if args.think else ", no think time")
    )
    print(f"throughput: {total / elapsed:.1f} requests/s ({total} requests)")
    for kind, values in sorted(stats.times.items()):
        print(
            f"  {kind:<10} n={len(values):<6} p50 {percentile(values, 50) * 1000:7.0f} ms"
            f"  p95 {percentile(values, 95) * 1000:7.0f} ms"
            f"  p99 {percentile(values, 99) * 1000:7.0f} ms"
            f"  mean {statistics.mean(values) * 1000:7.0f} ms"
        )
    used = sampler.cores(started, started + elapsed)
    print(
        f"CPU cores used (of {os.cpu_count()}), whole load: "
        + ", ".join(f"{g} {c:.2f}" for g, c in sorted(used.items()))
        + "; CPU ms per request: "
        + ", ".join(
            f"{g} {c * elapsed / max(total, 1) * 1000:.1f}"
            for g, c in sorted(used.items())
            if g != "rest of machine"
        )
    )
    print("answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses.items())))
    lost = stats.acknowledged - stored
    print(
        f"notes acknowledged: {len(stats.acknowledged)}, stored: "
        f"{len(stats.acknowledged & stored)}, lost: {len(lost)}"
    )
    errors = sum(v for k, v in stats.statuses.items() if k >= 500)
    slow = False
    if release is not None:
        print(
            f"national release {args.release_period} on {args.cases or 'demo'} cases: "
            f"{release.outcome}"
            + (f" in {release.seconds:.1f} s" if release.seconds is not None else "")
        )
        print("  progress seen: " + (" ".join(release.progress_seen) or "none"))
        if release.asked_at is not None:
            end = release.finished_at or time.monotonic()
            in_worker = server_times(access_log)
            during_saves = [s for s in stats.saves if s[1] >= release.asked_at and s[0] <= end]
            outside_saves = [s for s in stats.saves if s[1] < release.asked_at or s[0] > end]
            during = [b - a for a, b, _ in during_saves]
            for label, saves in (
                ("during the release", during_saves),
                ("outside it", outside_saves),
            ):
                values = [b - a for a, b, _ in saves]
                worker = [in_worker[i] for _, _, i in saves if i in in_worker]
                if values:
                    print(
                        f"  note saves {label:<18} n={len(values):<5}"
                        f" p50 {percentile(values, 50) * 1000:6.0f} ms"
                        f"  p95 {percentile(values, 95) * 1000:6.0f} ms"
                        f"  max {max(values) * 1000:6.0f} ms"
                    )
                if worker:
                    print(
                        f"    of which in the worker     n={len(worker):<5}"
                        f" p50 {percentile(worker, 50) * 1000:6.0f} ms"
                        f"  p95 {percentile(worker, 95) * 1000:6.0f} ms"
                        f"  max {max(worker) * 1000:6.0f} ms"
                    )
            windows = [("before", started, release.asked_at), ("during", release.asked_at, end)]
            if end < started + elapsed - 1:
                windows.append(("after", end, started + elapsed))
            print("  CPU cores used (of " + str(os.cpu_count()) + "), by window of the load:")
            for label, start, stop in windows:
                used = sampler.cores(start, stop)
                print(
                    f"    {label:<6} {stop - start:5.1f} s: "
                    + ", ".join(f"{g} {c:.2f}" for g, c in sorted(used.items()))
                )
            slow = not during or percentile(during, 95) > 1.0
            print(f"  target (p95 during the release <= 1000 ms): {'missed' if slow else 'met'}")
        slow = slow or release.outcome != "released"
    sys.exit(1 if lost or errors or slow else 0)


if __name__ == "__main__":
    main()

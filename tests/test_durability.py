"""No acknowledged write is lost: SQLite commits are on disk before they are acknowledged.

A writer subprocess commits rows through the app's engine and prints each id only after
its commit returned (what the app does before answering "saved"). It is SIGKILLed at a
random moment; every id it printed must be in the database afterwards, and the file must
pass ``PRAGMA integrity_check``. A SIGKILL alone cannot show the difference between
``synchronous=NORMAL`` and ``FULL`` (the kernel still holds the written pages; only a power
cut or a filesystem gone read-only loses them), so the pragma itself is checked too.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from legalaid.database import make_engine

pytestmark = pytest.mark.sqlite_only

WRITER = """
import sys
from sqlalchemy import text
from legalaid.database import make_engine

engine = make_engine(sys.argv[1])
with engine.begin() as c:
    c.execute(text("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, body TEXT)"))
print("ready", flush=True)
n = 0
while True:
    n += 1
    with engine.begin() as c:
        new_id = c.execute(
            text("INSERT INTO note (body) VALUES (:b) RETURNING id"), {"b": "x" * (n % 700)}
        ).scalar_one()
    print(new_id, flush=True)
"""


def test_every_connection_commits_with_synchronous_full(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sync.sqlite3'}")
    with engine.connect() as connection:
        # 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() in (2, 3)
    engine.dispose()


@pytest.mark.parametrize("run", range(5))
def test_writer_killed_at_a_random_moment_loses_no_acknowledged_write(
    tmp_path: Path, run: int
) -> None:
    path = tmp_path / f"killed-{run}.sqlite3"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), f"sqlite:///{path}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    acknowledged: list[int] = []
    deadline = time.monotonic() + random.uniform(0.3, 1.5)
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        acknowledged.append(int(line))
    os.kill(process.pid, signal.SIGKILL)
    # Whatever was printed before the kill was acknowledged too.
    acknowledged.extend(int(line) for line in process.stdout.read().split())
    process.wait()
    process.stdout.close()
    assert len(acknowledged) > 10
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in connection.execute("SELECT id FROM note")}
    finally:
        connection.close()
    missing = set(acknowledged) - stored
    assert missing == set(), f"{len(missing)} acknowledged writes lost"

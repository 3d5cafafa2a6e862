"""A full disk under a writer: its commits are refused, nothing acknowledged is lost.

The database lives on a small tmpfs mounted for the test (root is needed; where the machine
cannot mount, the test skips and says why). Rows are committed through the app's engine
(``make_engine``: WAL, synchronous=FULL) until the tmpfs is full: each commit that returned
is acknowledged, the later ones must fail (never a false "saved"), and afterwards every
acknowledged row must be in the database, which must pass ``PRAGMA integrity_check``.

A filesystem gone read-only is not tested this way: Linux refuses to remount a filesystem
read-only while a file on it is open for writing ("mount point is busy"), so only a block
device that starts failing (device-mapper) could do it. The loss it caused with
``synchronous=NORMAL`` is why ``test_durability.py`` checks the pragma on every connection.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from legalaid.database import make_engine

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_refuses_commits_and_loses_none_acknowledged(small_disk: Path) -> None:
    database = small_disk / "full.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    acknowledged: list[int] = []
    refused = 0
    for _ in range(1000):
        try:
            with engine.begin() as connection:
                new_id = connection.execute(
                    text("INSERT INTO note (body) VALUES (:b) RETURNING id"), {"b": "x" * 2000}
                ).scalar_one()
        except OperationalError as error:
            assert "full" in str(error.orig), error
            refused += 1
            if refused == 3:
                break
            continue
        acknowledged.append(new_id)
    engine.dispose()
    assert refused == 3, "the disk never filled up"
    assert len(acknowledged) > 10
    reader = sqlite3.connect(database)
    try:
        assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in reader.execute("SELECT id FROM note")}
    finally:
        reader.close()
    missing = set(acknowledged) - stored
    assert missing == set(), f"{len(missing)} acknowledged writes lost on a full disk"

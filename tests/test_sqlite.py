"""SQLite must behave under a real clinic's load: WAL, foreign keys, queued writers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from legalaid.database import make_engine

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'pragmas.sqlite3'}"
    return url


def test_pragmas_are_set_on_every_connection(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000
    engine.dispose()


def test_two_concurrent_writers_never_see_database_is_locked(sqlite_url: str) -> None:
    """Each writer reads, then writes, in one transaction: the pattern that fails without
    BEGIN IMMEDIATE because SQLite cannot upgrade a read lock while another writer waits."""
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        connection.execute(text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    errors: list[BaseException] = []
    rounds = 150
    start = threading.Barrier(2)

    def writer() -> None:
        start.wait()
        try:
            for _ in range(rounds):
                with engine.begin() as connection:
                    n = connection.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
                    connection.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        total = connection.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
    engine.dispose()
    assert errors == []
    # No lost update either: every increment of both writers is there.
    assert total == 2 * rounds

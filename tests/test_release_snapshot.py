"""A release counts on a snapshot: lawyers' saves go on while it counts.

Real commits on a database of the test's own (SQLite in WAL, or PostgreSQL), two
threads: the release pauses in the middle of its counting; a lawyer takes an intake
meanwhile, which must commit at once; the release then completes with the numbers as
they were when it started, and the next version counts the new case.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from legalaid.database import get_database
from legalaid.factory import create_app
from legalaid.releases import compute, services
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.models import IndicatorRelease
from tests.case_factories import make_case
from tests.conftest import make_settings
from tests.factories import create_clinic, create_user

TODAY = date(2026, 11, 22)
IN_QUARTER = date(2026, 5, 4)
QUARTER = "2026Q2"
#: A save that waits for the release (table locks) would wait the whole pause.
#: How long the paused release waits for the save: a save that queued behind the release
#: would wait this long, far longer than one that commits at once even on a loaded machine.
PAUSE_S = 30.0


@pytest.fixture
def committed_app(migrated_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_settings(migrated_database_url, tmp_path))
    yield app
    get_database(app).engine.dispose()


def _world(app: Flask) -> tuple[int, int]:
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session, "SNP", region="baku")
        lawyer = create_user(session, "lawyer", clinic=clinic)
        task_force = create_user(session, "task_force")
        for _ in range(12):
            make_case(session, lawyer, on=IN_QUARTER)
        session.commit()
        return lawyer.id, task_force.id


def _cases_opened(app: Flask, release_id: int) -> int:
    with app.app_context(), get_database(app).transaction() as session:
        release = session.get(IndicatorRelease, release_id)
        assert release is not None
        frozen = FrozenRelease(release.content, release.truth)
        table = frozen.table("cases_opened", QUARTER, ())
        assert table is not None
        values = dict(frozen.as_published().tables[frozen.tables.index(table)].values)
        return int(sum(values.values()))


def _request(app: Flask, user_id: int, reason: str | None) -> services.ReleaseRequest:
    from legalaid.accounts.models import User

    with app.app_context(), get_database(app).transaction() as session:
        user = session.get_one(User, user_id)
        checked = services.check_request(
            session,
            policy=app.extensions["legalaid.policies"].disclosure,
            user=user,
            period_code=QUARTER,
            reason=reason,
            today=TODAY,
        )
    # These tests are about snapshots: a second version that hides more is confirmed
    # (tests/test_release_confirmation.py tests the confirmation itself).
    return dataclasses.replace(checked, more_hidden_confirmed=True)


def test_a_case_saved_while_a_release_counts_commits_at_once(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = committed_app
    lawyer_id, task_force_id = _world(app)
    policies = app.extensions["legalaid.policies"]
    counting, saved = threading.Event(), threading.Event()
    real_compute = compute.compute_tables  # what services calls, patched there below

    def paused_compute(*args: Any, **kwargs: Any) -> Any:
        tables = real_compute(*args, **kwargs)
        if not counting.is_set():
            # Half-way: the release's own tables are counted, the recount is to come.
            counting.set()
            saved.wait(PAUSE_S)
        return tables

    monkeypatch.setattr(services, "compute_tables", paused_compute)
    made: dict[str, Any] = {}

    def release() -> None:
        try:
            with app.app_context():
                made["id"] = services.make_release(
                    get_database(app),
                    _request(app, task_force_id, None),
                    catalogue=policies.indicators,
                    policy=policies.disclosure,
                )
        except BaseException as exc:  # reported by the main thread
            made["error"] = exc

    thread = threading.Thread(target=release)
    thread.start()
    assert counting.wait(60), "the release never started counting"
    from legalaid.accounts.models import User

    started = time.monotonic()
    with app.app_context(), get_database(app).transaction() as session:
        lawyer = session.get(User, lawyer_id)
        assert lawyer is not None
        make_case(session, lawyer, on=IN_QUARTER)
    waited = time.monotonic() - started
    # Committed while the release still counts (it waits for this event).
    assert not saved.is_set()
    assert thread.is_alive()
    saved.set()
    thread.join(60)
    assert "error" not in made, made.get("error")
    assert waited < PAUSE_S / 3, f"the save waited {waited:.2f} s for the release"
    print(f"\ncase save while a release counts: {waited * 1000:.0f} ms")
    # The release counted the snapshot: 12 cases, not the 13th saved meanwhile.
    assert _cases_opened(app, made["id"]) == 12
    monkeypatch.setattr(services, "compute_tables", real_compute)
    with app.app_context():
        again = services.make_release(
            get_database(app),
            _request(app, task_force_id, "a case saved during version 1"),
            catalogue=policies.indicators,
            policy=policies.disclosure,
        )
    assert _cases_opened(app, again) == 13


def test_a_release_stored_after_the_snapshot_makes_it_count_again(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two overlapping releases must each protect against the other: one stored while the
    other counted sends the other back to count on a fresh snapshot."""
    app = committed_app
    _lawyer_id, task_force_id = _world(app)
    policies = app.extensions["legalaid.policies"]
    real_count = services.count_release
    counted: list[int] = []

    def count_then_race(snapshot: Any, request: Any, **kwargs: Any) -> Any:
        result = real_count(snapshot, request, **kwargs)
        counted.append(result.newest_overlapping)
        if len(counted) == 1:
            # Another member's release of the same quarter lands meanwhile.
            with get_database(app).transaction() as session:
                session.add(
                    IndicatorRelease(
                        scope_key="national",
                        period_code=QUARTER,
                        period_kind="quarter",
                        period_start=date(2026, 4, 1),
                        period_end=date(2026, 6, 30),
                        version=1,
                        created_by_id=task_force_id,
                        content=result.content,
                        truth=result.truth,
                        cells_total=result.cells_total,
                        cells_suppressed=result.cells_suppressed,
                    )
                )
        return result

    monkeypatch.setattr(services, "count_release", count_then_race)
    request = _request(app, task_force_id, "again")
    with app.app_context():
        made = services.make_release(
            get_database(app), request, catalogue=policies.indicators, policy=policies.disclosure
        )
        with get_database(app).transaction() as session:
            release = session.get(IndicatorRelease, made)
            assert release is not None
            assert release.version == 2
    assert counted[0] == 0
    assert counted[1] > 0


@pytest.mark.postgres_only
def test_a_release_snapshot_never_jit_compiles(committed_app: Flask) -> None:
    """PostgreSQL compiles a statement whose plan costs more than ``jit_above_cost`` with
    LLVM. A release's distinct-client statements have hundreds of expressions: compiling
    them took 6 s of a 6.05 s statement on 20,000 cases, on the database server's full CPU
    priority beside the requests (the job consumer's --nice does not reach it). The
    snapshot a release counts on turns it off, and only there (it is SET LOCAL)."""
    from sqlalchemy import text

    database = get_database(committed_app)
    with database.snapshot() as snapshot:
        assert snapshot.scalar(text("SHOW jit")) == "off"
        # Even a statement cheap enough to be costed over any threshold is not compiled.
        snapshot.execute(text("SET LOCAL jit_above_cost = 0"))
        plan = snapshot.scalar(
            text("EXPLAIN (ANALYZE, FORMAT JSON) SELECT sum(g) FROM generate_series(1, 10) g")
        )
        assert "JIT" not in plan[0], plan[0]["JIT"]
    with database.transaction() as session:
        # The server's setting is left as it is for everything else.
        default = session.scalar(text("SELECT boot_val FROM pg_settings WHERE name = 'jit'"))
        assert session.scalar(text("SHOW jit")) == default

"""A page view reads without the database's write lock and appends its audit entry at the end.

SQLite: a GET begins deferred and becomes a writer only for its commit (audit entry, at most
one session touch a minute), so another writer can take the lock while a page renders.
PostgreSQL: the audit lock is taken at the commit, not before rendering (also
tests/test_request_costs.py). On both: every view is recorded before the response is sent,
and the chain verifies, while pages and saves run at the same time (issue 15, speed).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, before_render_template
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.chain import first_break
from legalaid.audit.models import AuditEntry
from legalaid.cases.models import Case
from legalaid.clinics.models import Clinic
from legalaid.database import get_database
from tests.case_factories import make_case
from tests.conftest import committed_app, make_settings
from tests.factories import (
    create_clinic,
    create_user,
    signed_in_between_commits,
)
from tests.forms_in_pages import form_with


@dataclass
class World:
    app: Flask
    session: Session
    lawyer: User
    case: Case
    key: bytes


@pytest.fixture
def world(migrated_database_url: str, tmp_path: Path) -> Iterator[World]:
    settings = make_settings(migrated_database_url, tmp_path)
    with committed_app(settings) as (app, _twin):
        session = get_database(app).session_factory()
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        case_ = make_case(session, lawyer)
        yield World(app, session, lawyer, case_, settings.audit_key)
        session.close()


def _signed_in(w: World, user: User | None = None) -> FlaskClient:
    user = user or w.lawyer
    return signed_in_between_commits(w.app, w.session, user)


def _views(w: World) -> int:
    w.session.expire_all()
    count = w.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "case.viewed", AuditEntry.object_id == str(w.case.id))
    )
    w.session.commit()
    return int(count or 0)


def _chain_verifies(w: World) -> None:
    entries = w.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
    assert first_break(w.key, entries) is None
    w.session.commit()


@pytest.mark.sqlite_only
def test_another_writer_takes_the_lock_while_a_case_page_renders(world: World) -> None:
    browser = _signed_in(world)
    path = make_url(world.app.extensions["legalaid.settings"].database_url).database
    probes: list[str] = []

    def probe(_app: Flask, template: Any, **_context: Any) -> None:
        if template.name != "cases/case.html":
            return
        other = sqlite3.connect(str(path), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails "database is locked" if the GET holds it
            other.execute("ROLLBACK")
            probes.append("took the lock")
        except sqlite3.OperationalError as error:
            probes.append(str(error))
        finally:
            other.close()

    before = _views(world)
    before_render_template.connect(probe, world.app)
    try:
        response = browser.get(f"/cases/{world.case.id}")
    finally:
        before_render_template.disconnect(probe, world.app)
    assert response.status_code == 200
    assert probes == ["took the lock"]
    # The view was recorded (committed) before the response was returned.
    assert _views(world) == before + 1
    _chain_verifies(world)


@pytest.mark.sqlite_only
def test_a_page_read_on_a_stale_snapshot_still_chains_on_the_last_entry(world: World) -> None:
    """Another request appends (and commits) while the page renders: the page's entry
    chains after it (SQLite would refuse to upgrade the stale read: it starts over)."""
    clinic = world.session.get(Clinic, world.lawyer.clinic_id)
    browser = _signed_in(world)
    other = _signed_in(world, create_user(world.session, "manager", clinic=clinic))
    path = make_url(world.app.extensions["legalaid.settings"].database_url).database
    before = _views(world)
    other_done: list[int] = []
    started: list[bool] = []

    def another_request_commits(_app: Flask, template: Any, **_context: Any) -> None:
        if template.name == "cases/case.html" and not started:
            started.append(True)
            # Her colleague's view of the same page, on its own connection, committed now.
            other_done.append(other.get(f"/cases/{world.case.id}").status_code)

    before_render_template.connect(another_request_commits, world.app)
    try:
        response = browser.get(f"/cases/{world.case.id}")
    finally:
        before_render_template.disconnect(another_request_commits, world.app)
    assert response.status_code == 200
    assert other_done == [200]
    assert _views(world) == before + 2
    with sqlite3.connect(str(path)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    _chain_verifies(world)


def test_pages_and_saves_at_the_same_time_record_every_view_in_one_chain(world: World) -> None:
    # Her and the managers of her clinic (who see every case of it), one browser each.
    clinic = world.session.get(Clinic, world.lawyer.clinic_id)
    managers = [create_user(world.session, "manager", clinic=clinic) for _ in range(3)]
    browsers = [_signed_in(world)] + [_signed_in(world, manager) for manager in managers]
    before = _views(world)
    page = f"/cases/{world.case.id}"
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(browsers))

    def user(index: int) -> None:
        browser = browsers[index]
        try:
            start.wait()
            for n in range(5):
                response = browser.get(page)
                statuses.append(response.status_code)
                if index % 2 == 0:
                    form = form_with(response.get_data(as_text=True), "body")
                    form["body"] = [f"Synthetic note {index}-{n}"]
                    statuses.append(browser.post(f"{page}/notes", data=form).status_code)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(set(statuses)) == [200, 302]
    assert statuses.count(200) == 20
    # Every page view answered 200 was recorded, and so was every note save's page.
    assert _views(world) >= before + 20
    _chain_verifies(world)
    notes = world.session.execute(text("SELECT count(*) FROM case_note")).scalar_one()
    assert notes == 10


@pytest.mark.sqlite_only
def test_a_held_form_read_on_a_stale_snapshot_is_given_back_once(world: World) -> None:
    """Two tabs resume the same held form at once: the one whose snapshot predates the
    other's take finds it gone, instead of showing (and auditing) it a second time."""
    from legalaid.held_forms.models import HeldForm
    from legalaid.held_forms.service import hold, take

    database = get_database(world.app)
    lawyer_id = world.lawyer.id
    with world.app.test_request_context():
        token = hold(
            world.session,
            user_id=lawyer_id,
            role="lawyer",
            path="/cases/intake",
            fields=[("narrative", "typed before the session expired")],
            had_files=False,
        )
        assert token is not None
        world.session.commit()
        stale = database.request_session(reads_first=True)
        try:
            # This tab's snapshot begins with the form still held ...
            assert stale.scalar(select(func.count()).select_from(HeldForm)) == 1
            # ... the other tab takes it and commits ...
            assert take(world.session, token, user_id=lawyer_id) is not None
            world.session.commit()
            # ... and this one, reading on its older snapshot, does not get it again.
            assert take(stale, token, user_id=lawyer_id) is None
            stale.commit()
        finally:
            stale.close()
    returned = world.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "held_form.returned")
    )
    world.session.commit()
    assert returned == 1

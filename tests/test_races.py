"""Two people save the same record at the same moment: one wins, the other gets 409.

Real commits on a database of their own, two real concurrent transactions per editable
record type. On PostgreSQL both requests are held at their first flush until both have
read and checked the same version, so the second UPDATE waits for the first and finds
the row changed (the path that answered 500 with an unhandled ``StaleDataError``). On
SQLite, BEGIN IMMEDIATE queues the second transaction, which then sees the new version.
Never a 500, the winner's value is stored, and the 409 page shows what is saved now beside
what the loser typed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.casework.services import add_note
from legalaid.database import AppSession, get_database
from legalaid.providers.models import ServiceProvider
from tests.case_factories import make_case
from tests.conftest import committed_app, make_settings
from tests.factories import (
    create_clinic,
    create_user,
    signed_in_between_commits,
)
from tests.forms_in_pages import form_with
from tests.training_factories import make_training


@dataclass
class World:
    app: Flask
    session: Session
    lawyer: User
    manager: User
    manager2: User
    admin: User
    admin2: User


@pytest.fixture
def world(migrated_database_url: str, tmp_path: Path) -> Iterator[World]:
    with committed_app(make_settings(migrated_database_url, tmp_path)) as (app, _twin):
        session = get_database(app).session_factory()
        clinic = create_clinic(session)
        yield World(
            app,
            session,
            lawyer=create_user(session, "lawyer", clinic=clinic),
            manager=create_user(session, "manager", clinic=clinic),
            manager2=create_user(session, "manager", clinic=clinic),
            admin=create_user(session, "admin"),
            admin2=create_user(session, "admin"),
        )
        session.close()


def _case(w: World) -> tuple[str, str, tuple[User, User]]:
    case_ = make_case(w.session, w.lawyer)
    return f"/cases/{case_.id}/edit", "summary", (w.lawyer, w.manager)


def _client(w: World) -> tuple[str, str, tuple[User, User]]:
    case_ = make_case(w.session, w.lawyer)
    return f"/clients/{case_.client_id}/edit", "address", (w.lawyer, w.manager)


def _note(w: World) -> tuple[str, str, tuple[User, User]]:
    case_ = make_case(w.session, w.lawyer)
    note = add_note(w.session, case_, body="first text", by=w.lawyer.id)
    w.session.commit()
    return f"/cases/{case_.id}/notes/{note.id}", "body", (w.lawyer, w.manager)


def _training(w: World) -> tuple[str, str, tuple[User, User]]:
    training = make_training(w.session, w.manager)
    return f"/trainings/{training.id}/edit", "title", (w.manager, w.manager2)


def _clinic(w: World) -> tuple[str, str, tuple[User, User]]:
    clinic = create_clinic(w.session)
    return f"/admin/clinics/{clinic.id}", "name", (w.admin, w.admin2)


def _provider(w: World) -> tuple[str, str, tuple[User, User]]:
    provider = ServiceProvider(
        name="Safe House", service_type="shelter", economic_region="baku", active=True
    )
    w.session.add(provider)
    w.session.commit()
    return f"/providers/{provider.id}", "name", (w.manager, w.manager2)


def _signed_in(w: World, user: User) -> FlaskClient:
    return signed_in_between_commits(w.app, w.session, user)


RECORDS: dict[str, Callable[[World], tuple[str, str, tuple[User, User]]]] = {
    "case": _case,
    "client": _client,
    "note": _note,
    "training": _training,
    "clinic": _clinic,
    "provider": _provider,
}


#: Forms whose 409 page lists, field by field, what is saved now beside what she typed
#: (the note and training pages show the saved text in their own way).
SIDE_BY_SIDE = {"case", "client", "clinic", "provider"}


def _hold_first_flushes(app: Flask, parties: int) -> Callable[[], None]:
    """PostgreSQL: each request waits at its first flush until every party has read."""
    if get_database(app).engine.dialect.name != "postgresql":
        return lambda: None
    barrier = threading.Barrier(parties, timeout=10)
    held: set[int] = set()

    def before_flush(session: Session, *_args: Any) -> None:
        me = threading.get_ident()
        if session.dirty and me not in held:
            held.add(me)
            barrier.wait()

    event.listen(AppSession, "before_flush", before_flush)
    return lambda: event.remove(AppSession, "before_flush", before_flush)


@pytest.mark.parametrize("record", sorted(RECORDS))
def test_two_simultaneous_saves_one_wins_the_other_gets_409(world: World, record: str) -> None:
    url, field, (first_user, second_user) = RECORDS[record](world)
    clients: list[FlaskClient] = []
    forms = []
    for user in (first_user, second_user):
        browser = _signed_in(world, user)
        page = browser.get(url)
        assert page.status_code == 200
        forms.append(form_with(page.get_data(as_text=True), "version"))
        clients.append(browser)
    assert forms[0]["version"] == forms[1]["version"]
    typed = [f"Typed by the first {record}", f"Typed by the second {record}"]
    responses: list[Any] = [None, None]
    release = _hold_first_flushes(world.app, 2)

    def save(i: int) -> None:
        responses[i] = clients[i].post(url, data={**forms[i], field: typed[i]})

    try:
        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        release()
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 409], statuses
    winner = next(i for i in range(2) if responses[i].status_code == 302)
    loser = 1 - winner
    html = responses[loser].get_data(as_text=True)
    assert typed[loser] in html  # what she typed is kept
    assert typed[winner] in html  # beside what is saved now
    if record in SIDE_BY_SIDE:
        assert "Saved now, beside what you typed" in html
    # The winner's value is what is stored: the page shown to someone opening it now.
    fresh = _signed_in(world, first_user)
    now = form_with(fresh.get(url).get_data(as_text=True), "version")
    assert now[field] == [typed[winner]]


def test_serialization_failures_and_deadlocks_are_lost_races() -> None:
    """PostgreSQL's serialization failure and deadlock answer the 409 page (at a flush,
    in a view or at the request's one commit); other database errors do not."""
    from psycopg import errors as pg_errors
    from sqlalchemy.exc import OperationalError

    from legalaid.database import lost_a_race

    for orig in (pg_errors.SerializationFailure(), pg_errors.DeadlockDetected()):
        assert lost_a_race(OperationalError("UPDATE ...", {}, orig))
    assert not lost_a_race(OperationalError("UPDATE ...", {}, pg_errors.DiskFull()))

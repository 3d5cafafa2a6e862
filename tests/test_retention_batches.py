"""The retention job erases in batches: the same rows as one by one, whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.audit.service import record_event
from legalaid.casefile.client_search import clients_named
from legalaid.cases.conflict_check import check_conflicts
from legalaid.cases.models import Case, Respondent
from legalaid.casework.services import add_hearing, add_note, add_task
from legalaid.clients.models import Client
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.service import Subject
from legalaid.database import Base, get_database
from legalaid.documents.models import Document
from legalaid.factory import create_app
from legalaid.retention import erasure
from legalaid.retention.erasure import erase_client, erase_clients, retention_policy
from legalaid.retention.run import run_retention
from tests.case_factories import close_years_ago, make_case
from tests.conftest import make_settings
from tests.document_factories import add_document
from tests.factories import create_clinic, create_user
from tests.test_retention import _raw_bytes

TODAY = date(2026, 12, 7)
DAY = date(2018, 3, 1)


@pytest.fixture
def committed_app(migrated_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = create_app(make_settings(migrated_database_url, tmp_path))
    with application.app_context():
        yield application
    get_database(application).engine.dispose()


def _rich_client(app: Flask, name: str, *, closed_years_ago: int = 7) -> int:
    """A client with everything erasure touches: respondents, notes, a hearing's place, a
    task, documents of the case and of her own, closed long ago."""
    with get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        case = make_case(
            session,
            lawyer,
            full_name=name,
            respondents=((f"Respondent of {name}", "intimate_partner"),),
            phone="+994 55 111 22 33",
            on=DAY,
        )
        add_note(session, case, body=f"Note about {name}", by=lawyer.id)
        add_hearing(
            session,
            case,
            kind="hearing",
            due_on=date(2018, 3, 20),
            place=f"Court room of {name}",
            by=lawyer.id,
            today=DAY,
        )
        add_task(
            session,
            case,
            description=f"Call {name} back",
            due_on=date(2018, 4, 1),
            assignee_id=lawyer.id,
            allowed_assignees={lawyer.id},
            by=lawyer.id,
            today=DAY,
        )
        session.commit()
        add_document(session, case, lawyer.id, description=f"Injuries of {name}")
        client = session.get(Client, case.client_id)
        assert client is not None
        add_document(session, client, lawyer.id, kind="identity_document", filename="id.pdf")
        close_years_ago(session, case, closed_years_ago, today=TODAY, closed_on=date(2018, 6, 1))
        return case.client_id


Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def _snapshot(session: Session) -> Snapshot:
    """Every row of every table but the audit log, decrypted (ciphertexts differ by nonce)."""
    found: Snapshot = {}
    for table in Base.metadata.sorted_tables:
        if table.name == AuditEntry.__tablename__:
            continue
        key = [column.name for column in table.primary_key.columns]
        rows = session.execute(select(table)).mappings().all()
        found[table.name] = {tuple(row[k] for k in key): dict(row) for row in rows}
    return found


def _changed(before: Snapshot, after: Snapshot) -> Snapshot:
    """What changed, a timestamp written by the erasure itself shown as '<now>'; rows
    deleted as {'<deleted>': True}. No row may appear."""
    changes: Snapshot = {}
    for table, rows in after.items():
        assert rows.keys() <= before[table].keys(), f"rows added to {table}"
        for key in before[table].keys() - rows.keys():
            changes.setdefault(table, {})[key] = {"<deleted>": True}
        for key, row in rows.items():
            old = before[table].get(key, {})
            diff = {
                column: "<now>" if isinstance(value, datetime) else value
                for column, value in row.items()
                if old.get(column) != value
            }
            if diff:
                changes.setdefault(table, {})[key] = diff
    return changes


def _events(session: Session, since: int) -> list[tuple[str, str | None, str, int | None]]:
    return sorted(
        (e.action, e.object_id, e.outcome, e.actor_id)
        for e in session.scalars(select(AuditEntry).where(AuditEntry.seq > since))
    )


def _last_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(AuditEntry.seq))) or 0)


def test_a_batch_erases_exactly_what_one_by_one_erases(committed_app: Flask) -> None:
    clients = [_rich_client(committed_app, f"Synthetic Batchova {n}") for n in range(4)]
    held = _rich_client(committed_app, "Synthetic Heldova")
    with get_database(committed_app).transaction() as session:
        session.execute(update(Case).where(Case.client_id == held).values(legal_hold=True))
    database = get_database(committed_app)

    ciphertexts = _stored(committed_app, clients)
    assert len(ciphertexts) >= 4 * 10
    raw = _raw_bytes(committed_app)
    assert all(value.encode() in raw for value in ciphertexts)

    with database.session_factory() as session:
        since = _last_seq(session)
        before = _snapshot(session)
        for client_id in clients:
            erase_client(session, client_id, rule="retention", today=TODAY)
        session.flush()
        one_by_one = _changed(before, _snapshot(session))
        session.rollback()

    with database.session_factory() as session:
        assert _snapshot(session) == before, "the first erasure was rolled back"
        batch = erase_clients(session, [*clients, held], rule="retention", today=TODAY)
        assert batch.erased == tuple(clients)
        assert batch.refused == (held,)
        session.flush()
        batched = _changed(before, _snapshot(session))
        session.commit()
        events = _events(session, since)

    assert batched == one_by_one
    # And it erased something everywhere it should: not two empty diffs.
    for table in (
        "client",
        "legal_case",
        "respondent",
        "name_key",
        "case_note_revision",
        "hearing",
        "case_task",
        "case_document",
    ):
        assert table in batched, table
    assert all(change == {"<deleted>": True} for change in batched["name_key"].values())
    erased_rows = batched["client"]
    assert set(erased_rows) == {(client_id,) for client_id in clients}
    assert all(row["full_name"] == "" and row["erased_on"] == TODAY for row in erased_rows.values())
    # One entry per client, saying which client and under which rule; the held one denied.
    assert events == sorted(
        [("client.erased.retention", str(c), "success", None) for c in clients]
        + [("client.erase.retention", str(held), "denied", None)]
    )
    # Committed: every ciphertext and blind key she had is gone from the file (pg_dump),
    # but the keys of words that others' names share ("Synthetic" of the held client).
    with database.session_factory() as session:
        respondents = select(Respondent.id).where(
            Respondent.case_id.in_(select(Case.id).where(Case.client_id.in_(clients)))
        )
        assert not session.scalar(
            select(func.count())
            .select_from(NameKey)
            .where(NameKey.client_id.in_(clients) | NameKey.respondent_id.in_(respondents))
        )
    with database.engine.connect() as connection:
        others = {key for (key,) in connection.exec_driver_sql("SELECT key FROM name_key")}
    raw = _raw_bytes(committed_app)
    left = [value for value in ciphertexts if value.encode() in raw and value not in others]
    assert left == []
    with database.session_factory() as session:
        name_keys = session.scalar(
            select(func.count()).select_from(NameKey).where(NameKey.client_id.in_(clients))
        )
        kept = session.get(Client, held)
        assert name_keys == 0
        assert kept is not None
        assert kept.full_name == "Synthetic Heldova"
        assert not kept.erased_on
        # Neither the conflict check nor the name search finds her; the held one still is.
        lawyer = session.get(
            User,
            session.scalar(select(Case.assigned_lawyer_id).where(Case.client_id == clients[0])),
        )
        assert lawyer is not None
        subject = Subject("client", ("Synthetic Batchova 0",), label="client")
        assert check_conflicts(session, lawyer, [subject]).hits == []
        assert session.scalars(clients_named(lawyer, "Synthetic Batchova 0")).all() == []
        held_lawyer = session.get(
            User, session.scalar(select(Case.assigned_lawyer_id).where(Case.client_id == held))
        )
        assert held_lawyer is not None
        assert [c.id for c in session.scalars(clients_named(held_lawyer, "Heldova"))] == [held]


def _stored(app: Flask, client_ids: list[int]) -> list[str]:
    """Her raw ciphertexts and blind keys, as stored, in every table erasure touches."""
    ids = ", ".join(str(int(c)) for c in client_ids)
    cases = f"SELECT id FROM legal_case WHERE client_id IN ({ids})"
    queries = [
        f"SELECT full_name, phone FROM client WHERE id IN ({ids})",
        f"SELECT key FROM name_key WHERE client_id IN ({ids}) OR respondent_id IN "
        f"(SELECT id FROM respondent WHERE case_id IN ({cases}))",
        f"SELECT name FROM respondent WHERE case_id IN ({cases})",
        "SELECT body FROM case_note_revision WHERE note_id IN "
        f"(SELECT id FROM case_note WHERE case_id IN ({cases}))",
        f"SELECT place FROM hearing WHERE case_id IN ({cases})",
        f"SELECT description FROM case_task WHERE case_id IN ({cases})",
        "SELECT description, original_filename, data_key FROM case_document "
        f"WHERE client_id IN ({ids}) OR case_id IN ({cases})",
    ]
    found: list[str] = []
    with get_database(app).engine.connect() as connection:
        for query in queries:
            for row in connection.exec_driver_sql(query).all():
                found.extend(value for value in row if value)
    return found


def test_a_batch_costs_the_same_statements_whatever_its_size(committed_app: Flask) -> None:
    clients = [_rich_client(committed_app, f"Synthetic Countova {n}") for n in range(6)]
    engine = get_database(committed_app).engine
    counts = []
    for batch in (clients[:1], clients[1:6]):
        seen = [0]

        def count(*_args: Any, box: list[int] = seen) -> None:
            box[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        try:
            with get_database(committed_app).transaction() as session:
                erase_clients(session, batch, rule="retention", today=TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(seen[0])
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts


def _state(app: Flask, client_ids: list[int]) -> dict[int, tuple[str, bool, int, int]]:
    """Per client: her name, erased or not, her name keys, her documents with content."""
    store = app.extensions["legalaid.documents.store"]
    stored = set(store.names())
    with get_database(app).session_factory() as session:
        found = {}
        for client_id in client_ids:
            client = session.get(Client, client_id)
            assert client is not None
            keys = session.scalar(
                select(func.count()).select_from(NameKey).where(NameKey.client_id == client_id)
            )
            case_ids = select(Case.id).where(Case.client_id == client_id)
            files = session.scalars(
                select(Document.storage_name).where(
                    (Document.client_id == client_id) | Document.case_id.in_(case_ids)
                )
            ).all()
            with_content = sum(1 for name in files if name is not None and name in stored)
            found[client_id] = (
                client.full_name,
                client.erased_on is not None,
                int(keys or 0),
                with_content,
            )
        return found


def _untouched(state: tuple[str, bool, int, int], name: str) -> bool:
    return state[0] == name and not state[1] and state[2] > 0 and state[3] == 2


def _erased(state: tuple[str, bool, int, int]) -> bool:
    return state == ("", True, 0, 0)


def test_a_batch_that_fails_midway_rolls_back_whole_and_the_next_run_finishes(
    committed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"Synthetic Crashova {n}" for n in range(5)]
    clients = [_rich_client(committed_app, name) for name in names]
    # The failure comes after every UPDATE of the second batch has run: at its audit.
    real_record = record_event  # what erasure calls, patched there below
    calls = [0]

    def failing(session: Session, action: str, **kwargs: Any) -> Any:
        if action == "client.erased.retention":
            calls[0] += 1
            if calls[0] == 4:
                raise RuntimeError("the disk is gone")
        return real_record(session, action, **kwargs)

    monkeypatch.setattr(erasure, "record_event", failing)
    database = get_database(committed_app)
    with database.session_factory() as session:
        since = _last_seq(session)
        with pytest.raises(RuntimeError, match="the disk is gone"):
            run_retention(session, retention_policy(), TODAY, batch_size=2)

    state = _state(committed_app, clients)
    assert [_erased(state[c]) for c in clients] == [True, True, False, False, False]
    for client_id, name in zip(clients[2:], names[2:], strict=True):
        assert _untouched(state[client_id], name), state[client_id]
    with database.session_factory() as session:
        assert _events(session, since) == sorted(
            ("client.erased.retention", str(c), "success", None) for c in clients[:2]
        )

    monkeypatch.setattr(erasure, "record_event", real_record)
    with database.session_factory() as session:
        result = run_retention(session, retention_policy(), TODAY, batch_size=2)
        assert (result.erased, result.refused) == (3, 0)
        events = _events(session, since)
    assert all(_erased(s) for s in _state(committed_app, clients).values())
    assert events == sorted(("client.erased.retention", str(c), "success", None) for c in clients)


def test_a_process_killed_midway_through_a_batch_leaves_its_clients_untouched(
    committed_app: Flask,
) -> None:
    """A real crash: the process dies (no rollback, no clean-up) inside a batch."""
    names = [f"Synthetic Killova {n}" for n in range(4)]
    clients = [_rich_client(committed_app, name) for name in names]
    database = get_database(committed_app)
    with database.session_factory() as session:
        since = _last_seq(session)
    database.engine.dispose()

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child dies inside the second batch
        try:
            database.engine.dispose(close=False)
            real_update = update  # what erasure calls, patched there below
            updates = [0]

            def dying(*args: Any) -> Any:
                updates[0] += 1
                # A batch builds 10 UPDATEs (8 tables, documents, clients): die at the
                # 5th of batch 2.
                if updates[0] == 10 + 5:
                    os._exit(17)
                return real_update(*args)

            with pytest.MonkeyPatch.context() as patched:
                patched.setattr(erasure, "update", dying)
                with database.session_factory() as session:
                    run_retention(session, retention_policy(), TODAY, batch_size=2)
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 17

    state = _state(committed_app, clients)
    assert [_erased(state[c]) for c in clients] == [True, True, False, False]
    for client_id, name in zip(clients[2:], names[2:], strict=True):
        assert _untouched(state[client_id], name), state[client_id]
    with database.session_factory() as session:
        assert _events(session, since) == sorted(
            ("client.erased.retention", str(c), "success", None) for c in clients[:2]
        )
        result = run_retention(session, retention_policy(), TODAY, batch_size=2)
    assert (result.erased, result.refused) == (2, 0)
    assert all(_erased(s) for s in _state(committed_app, clients).values())

"""The audit log: HMAC chain, `legalaid audit verify`, append-only triggers, the viewer."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.chain import ChainBreak, first_break
from legalaid.audit.models import AuditEntry
from legalaid.audit.service import Actor, record_event
from legalaid.calendar import CLINIC_ZONE
from legalaid.cli import main
from legalaid.clinics.models import Clinic
from legalaid.clinics.services import create_clinic
from legalaid.database import (
    commit_request,
    db_session,
    get_database,
    make_engine,
    rollback_request,
)
from legalaid.factory import create_app
from legalaid.settings import load_settings
from tests.factories import create_user, sign_in

# What an entry may hold: who, what, which record, when, how it went; never content.
METADATA_COLUMNS = {
    "id",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "request_id",
    "client_address",
    "mac",
}
URL = "/admin/audit/"


# --- a real database of its own, written through the CLI's own settings ------------------


@dataclass
class Log:
    url: str
    env: dict[str, str]
    app: Flask
    engine: Engine

    @property
    def key(self) -> bytes:
        key: bytes = self.app.extensions["legalaid.settings"].audit_key
        return key

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def write(self, count: int) -> None:
        with self.app.app_context(), get_database(self.app).transaction() as session:
            for n in range(count):
                record_event(
                    session,
                    f"test.event{n % 2}",
                    object_type="thing",
                    object_id=n,
                    actor=Actor(n, "admin") if n % 2 else None,
                    outcome="success" if n % 3 else "failure",
                )

    def first_break(self) -> ChainBreak | None:
        with Session(self.engine) as session:
            return first_break(
                self.key, session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
            )

    def ids_by_seq(self) -> dict[int, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(AuditEntry.seq, AuditEntry.id))
            return {row.seq: row.id for row in rows}

    def verify(self) -> Result:
        return CliRunner().invoke(main, ["audit", "verify"], env=self.env, catch_exceptions=False)

    def tamper(self, *statements: str) -> None:
        """Run ``statements`` with the append-only triggers out of the way."""
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
            else:
                connection.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
                connection.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")
            for statement in statements:
                connection.exec_driver_sql(statement)


@pytest.fixture
def log(migrated_database_url: str, tmp_path: Path) -> Iterator[Log]:
    env = {
        "LEGALAID_DATABASE_URL": migrated_database_url,
        "LEGALAID_INSTANCE_PATH": str(tmp_path),
        "LEGALAID_ENV": "development",
    }
    # The same settings the CLI will load: development secrets in the same instance dir.
    app = create_app(load_settings({**os.environ, **env}))
    engine = make_engine(migrated_database_url)
    try:
        yield Log(migrated_database_url, env, app, engine)
    finally:
        engine.dispose()
        get_database(app).engine.dispose()


def _assert_cli_names(result: Result, seq: int, entry_id: int) -> None:
    assert result.exit_code == 1, result.output
    assert f"seq {seq} (id {entry_id})" in result.output
    assert "audit log OK" not in result.output


# --- the chain and `legalaid audit verify` -----------------------------------------------


def test_entries_chain_and_verify(log: Log) -> None:
    log.write(7)
    assert log.first_break() is None
    with Session(log.engine) as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [entry.seq for entry in entries] == list(range(1, 8))
    assert len({entry.mac for entry in entries}) == 7
    result = log.verify()
    assert result.exit_code == 0, result.output
    assert "audit log OK: 7 entries" in result.output
    assert f"newest entry: seq 7, mac {entries[-1].mac}" in result.output


def test_verify_walks_in_batches(log: Log) -> None:
    log.write(5)
    result = CliRunner().invoke(
        main, ["audit", "verify", "--batch-size", "2"], env=log.env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "audit log OK: 5 entries" in result.output


def test_verify_an_empty_log(log: Log) -> None:
    result = log.verify()
    assert result.exit_code == 0, result.output
    assert "audit log OK: 0 entries" in result.output


def test_verify_with_another_key_is_refused_and_fails(log: Log, tmp_path: Path) -> None:
    log.write(2)
    other = tmp_path / "other-instance"
    env = {**log.env, "LEGALAID_INSTANCE_PATH": str(other)}
    # The other instance's keys do not match the database's key check values.
    refused = CliRunner().invoke(main, ["audit", "verify"], env=env, catch_exceptions=False)
    assert refused.exit_code == 2
    assert "does not match" in refused.output
    # Without check values (a database from before them), the chain itself still fails.
    with log.engine.begin() as connection:
        connection.execute(text("DELETE FROM key_check"))
    result = CliRunner().invoke(main, ["audit", "verify"], env=env, catch_exceptions=False)
    _assert_cli_names(result, 1, log.ids_by_seq()[1])


@pytest.mark.parametrize(
    "assignment",
    [
        "action = 'auth.login.success'",
        "outcome = 'denied'",
        "actor_id = 1",
        "object_id = '999'",
        "client_address = '10.9.9.9'",
    ],
)
def test_editing_an_entry_breaks_the_chain_there(log: Log, assignment: str) -> None:
    log.write(5)
    ids = log.ids_by_seq()
    log.tamper(f"UPDATE audit_entry SET {assignment} WHERE seq = 3")
    broken = log.first_break()
    assert broken is not None
    assert (broken.seq, broken.entry_id) == (3, ids[3])
    assert "MAC" in broken.reason
    _assert_cli_names(log.verify(), 3, ids[3])


def test_editing_a_mac_to_non_ascii_is_reported_not_a_crash(log: Log) -> None:
    log.write(3)
    ids = log.ids_by_seq()
    log.tamper("UPDATE audit_entry SET mac = 'é' WHERE seq = 2")
    broken = log.first_break()
    assert broken is not None
    assert (broken.seq, broken.entry_id) == (2, ids[2])
    _assert_cli_names(log.verify(), 2, ids[2])


@pytest.mark.parametrize(("deleted", "reported"), [(3, 4), (1, 2)])
def test_deleting_an_entry_breaks_the_chain(log: Log, deleted: int, reported: int) -> None:
    log.write(5)
    ids = log.ids_by_seq()
    log.tamper(f"DELETE FROM audit_entry WHERE seq = {deleted}")
    broken = log.first_break()
    assert broken is not None
    assert (broken.seq, broken.entry_id) == (reported, ids[reported])
    assert f"expected entry {deleted}" in broken.reason
    _assert_cli_names(log.verify(), reported, ids[reported])


def test_swapping_seq_values_breaks_the_chain(log: Log) -> None:
    log.write(5)
    ids = log.ids_by_seq()
    log.tamper(
        "UPDATE audit_entry SET seq = -1 WHERE seq = 2",
        "UPDATE audit_entry SET seq = 2 WHERE seq = 3",
        "UPDATE audit_entry SET seq = 3 WHERE seq = -1",
    )
    broken = log.first_break()
    assert broken is not None
    # The entry that was third now comes second, and is the first that fails.
    assert (broken.seq, broken.entry_id) == (2, ids[3])
    _assert_cli_names(log.verify(), 2, ids[3])


def test_swapping_contents_breaks_the_chain(log: Log) -> None:
    log.write(5)
    ids = log.ids_by_seq()
    fields = "occurred_at, actor_id, actor_role, action, object_type, object_id, outcome, mac"
    columns = [name.strip() for name in fields.split(",")]
    assignments = ", ".join(
        f"{c} = (SELECT {c} FROM swap WHERE swap.id != audit_entry.id)" for c in columns
    )
    log.tamper(
        f"CREATE TEMPORARY TABLE swap AS SELECT id, {fields} FROM audit_entry "
        f"WHERE id IN ({ids[2]}, {ids[3]})",
        f"UPDATE audit_entry SET {assignments} WHERE id IN ({ids[2]}, {ids[3]})",
    )
    with log.engine.connect() as connection:
        actions = dict(connection.execute(select(AuditEntry.seq, AuditEntry.action)).all())
    assert (actions[2], actions[3]) == ("test.event0", "test.event1")  # really swapped
    broken = log.first_break()
    assert broken is not None
    assert (broken.seq, broken.entry_id) == (2, ids[2])
    _assert_cli_names(log.verify(), 2, ids[2])


def test_cutting_off_the_end_is_caught_by_the_record_kept_outside_the_table(log: Log) -> None:
    """A chain cannot see its own end removed; the last run's record (instance folder) can."""
    log.write(4)
    before = log.verify()
    assert before.exit_code == 0
    assert "newest entry: seq 4," in before.output
    log.tamper("DELETE FROM audit_entry WHERE seq = 4")
    after = log.verify()
    assert after.exit_code == 1
    assert "reached entry seq 4, which the log no longer holds" in after.output


def test_an_emptied_log_is_not_ok(log: Log) -> None:
    log.write(3)
    assert log.verify().exit_code == 0
    log.tamper("DELETE FROM audit_entry")
    emptied = log.verify()
    assert emptied.exit_code == 1
    assert "audit log OK" not in emptied.output
    assert "entries were removed" in emptied.output


def test_a_rewritten_log_is_not_ok(log: Log) -> None:
    """Rewritten from scratch with the key (so the chain holds): the recorded mac differs."""
    log.write(3)
    assert log.verify().exit_code == 0
    log.tamper("DELETE FROM audit_entry")
    log.write(5)
    rewritten = log.verify()
    assert rewritten.exit_code == 1
    assert "is not the one verified" in rewritten.output


def test_verify_refuses_a_database_without_schema(fresh_database_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["audit", "verify"],
        env={
            "LEGALAID_DATABASE_URL": fresh_database_url,
            "LEGALAID_INSTANCE_PATH": str(tmp_path),
            "LEGALAID_ENV": "development",
        },
    )
    assert result.exit_code == 2
    assert "no audit log yet" in result.output


# --- append-only, same transaction, metadata only ----------------------------------------


def _refused(engine: Engine, statement: str) -> None:
    with engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.exec_driver_sql(statement)
        connection.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET outcome = 'denied' WHERE seq = 1",
        "UPDATE audit_entry SET seq = seq + 10",
        "DELETE FROM audit_entry WHERE seq = 2",
        "DELETE FROM audit_entry",
    ],
)
def test_the_database_refuses_update_and_delete(log: Log, statement: str) -> None:
    log.write(3)
    _refused(log.engine, statement)
    assert log.first_break() is None
    assert len(log.ids_by_seq()) == 3


def test_the_orm_cannot_change_an_entry_either(log: Log) -> None:
    log.write(1)
    with Session(log.engine) as session:
        entry = session.scalars(select(AuditEntry)).one()
        entry.outcome = "denied"
        with pytest.raises(DBAPIError, match="append-only"):
            session.flush()
        session.rollback()
        session.delete(session.scalars(select(AuditEntry)).one())
        with pytest.raises(DBAPIError, match="append-only"):
            session.flush()
        session.rollback()
    assert log.first_break() is None


@pytest.mark.postgres_only
def test_postgresql_refuses_truncate(log: Log) -> None:
    log.write(2)
    _refused(log.engine, "TRUNCATE audit_entry")
    assert len(log.ids_by_seq()) == 2


def _count(session: Session, action: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return int(session.scalar(query) or 0)


def test_an_entry_rolls_back_with_its_change(log: Log) -> None:
    with log.app.app_context():
        database = get_database(log.app)
        with database.session_factory() as session:
            create_clinic(session, code="ROLL", name="Rolled back", economic_region="baku")
            assert _count(session, "clinic.created") == 1
            session.rollback()
        with database.session_factory() as session:
            assert _count(session) == 0
            assert session.scalar(select(func.count()).select_from(Clinic)) == 0
        with database.transaction() as session:
            create_clinic(session, code="KEPT", name="Kept", economic_region="baku")
        with database.session_factory() as session:
            assert _count(session, "clinic.created") == 1
            assert session.scalar(select(func.count()).select_from(Clinic)) == 1
    assert log.first_break() is None


# --- a refusal outlives the rollback of what it refused (audit.service, not the request) --


def _entries(log: Log) -> list[tuple[str, str]]:
    with Session(log.engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.outcome).order_by(AuditEntry.seq)
        )
        return [(row.action, row.outcome) for row in rows]


def _clinics(log: Log) -> int:
    with Session(log.engine) as session:
        return int(session.scalar(select(func.count()).select_from(Clinic)) or 0)


def test_a_refusal_outlives_the_requests_rollback(log: Log) -> None:
    """A view that refuses rolls its request back (rollback_request) and the request then
    commits: the change and its success entry are gone, the refusal is on file, chained."""
    with log.app.test_request_context("/", method="POST"):
        session = db_session()
        create_clinic(session, code="GONE", name="Rolled back", economic_region="baku")
        record_event(session, "test.refused", object_type="thing", object_id=1, outcome="denied")
        rollback_request()
        commit_request()
    assert _clinics(log) == 0
    assert _entries(log) == [("test.refused", "denied")]
    assert log.first_break() is None


def test_a_refusal_outlives_a_rolled_back_savepoint(log: Log) -> None:
    with log.app.app_context(), get_database(log.app).transaction() as session:
        record_event(session, "test.before")
        savepoint = session.begin_nested()
        create_clinic(session, code="GONE", name="Rolled back", economic_region="baku")
        record_event(session, "test.refused", outcome="failure")
        savepoint.rollback()
        record_event(session, "test.after")
    assert _clinics(log) == 0
    assert _entries(log) == [
        ("test.before", "success"),
        ("test.refused", "failure"),
        ("test.after", "success"),
    ]
    assert log.first_break() is None


def test_a_refusal_already_written_is_written_again_after_a_rollback(log: Log) -> None:
    """Reading the log mid-transaction writes what is pending; a rollback after that
    still keeps the refusal (once), as it does when the commit itself fails."""
    with log.app.app_context(), get_database(log.app).session_factory() as session:
        create_clinic(session, code="GONE", name="Rolled back", economic_region="baku")
        record_event(session, "test.refused", outcome="denied")
        assert _count(session) == 2  # written, not committed
        session.rollback()
        session.rollback()  # twice: still once
        session.commit()
    assert _clinics(log) == 0
    assert _entries(log) == [("test.refused", "denied")]
    assert log.first_break() is None


def test_a_closed_session_keeps_no_refusal_for_later(log: Log) -> None:
    with log.app.app_context(), get_database(log.app).session_factory() as session:
        record_event(session, "test.refused", outcome="denied")
        session.close()
        record_event(session, "test.next")
        session.rollback()
        record_event(session, "test.kept")
        session.commit()
    assert _entries(log) == [("test.kept", "success")]


def test_entries_hold_metadata_only(log: Log) -> None:
    assert {column.name for column in AuditEntry.__table__.columns} == METADATA_COLUMNS
    in_database = {column["name"] for column in inspect(log.engine).get_columns("audit_entry")}
    assert in_database == METADATA_COLUMNS


def test_record_event_refuses_control_characters_and_overlong_fields(log: Log) -> None:
    with log.app.app_context(), get_database(log.app).session_factory() as session:
        for kwargs in (
            {"action": "test.x\x1fy"},
            {"action": "a" * 65},
            {"action": "test.x", "object_type": "user\x1f"},
            {"action": "test.x", "object_id": "1" * 65},
        ):
            with pytest.raises(ValueError, match="printable characters"):
                record_event(session, **kwargs)  # type: ignore[arg-type]
        assert _count(session) == 0


# --- the viewer ----------------------------------------------------------------------------


def _page(client: FlaskClient, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["lawyer", "manager", "task_force"])
def test_other_roles_are_refused(
    app: Flask, session: Session, client: FlaskClient, role: str
) -> None:
    user = create_user(session, role)
    sign_in(client, app, user, session=session)
    viewed = _count(session, "audit.viewed")
    response = client.get(URL)
    assert response.status_code == 403
    assert _count(session, "audit.viewed") == viewed
    denied = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "access.denied")
        .order_by(AuditEntry.seq.desc())
    ).first()
    assert denied is not None
    assert (denied.actor_id, denied.object_id, denied.outcome) == (
        user.id,
        "audit.entries",
        "denied",
    )


@pytest.fixture
def admin(app: Flask, session: Session, client: FlaskClient) -> User:
    user = create_user(session, "admin")
    sign_in(client, app, user, session=session)
    return user


@pytest.fixture
def lawyer_and_entries(session: Session, admin: User) -> User:
    lawyer = create_user(session, "lawyer")
    record_event(
        session, "test.alpha", object_type="case", object_id=41, actor=Actor(lawyer.id, "lawyer")
    )
    record_event(
        session,
        "test.beta",
        object_type="case",
        object_id=42,
        actor=Actor(admin.id, "admin"),
        outcome="denied",
    )
    record_event(session, "test.gamma", actor=Actor(None, None))
    session.commit()
    return lawyer


def _actions(html: str) -> set[str]:
    return set(re.findall(r"<code>(test\.[a-z]+)</code>", html))


def test_admin_sees_entries(
    session: Session, client: FlaskClient, admin: User, lawyer_and_entries: User
) -> None:
    html = _page(client)
    assert _actions(html) == {"test.alpha", "test.beta", "test.gamma"}
    assert "auth.login.success" in html
    assert lawyer_and_entries.email in html
    assert admin.email in html
    assert "—" in html  # test.gamma has no actor
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    for name in ("actor", "action", "from", "to"):
        assert f'<label for="{name}">' in html
    # Newest first.
    assert html.index("test.gamma") < html.index("test.beta") < html.index("test.alpha")


def test_each_view_is_audited(session: Session, client: FlaskClient, admin: User) -> None:
    before = _count(session, "audit.viewed")
    _page(client)
    _page(client, "?from=not-a-date")
    session.expire_all()
    assert _count(session, "audit.viewed") == before + 2
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None
    assert (last.action, last.object_type, last.object_id) == ("audit.viewed", "audit_log", None)
    assert (last.actor_id, last.actor_role) == (admin.id, "admin")
    assert (
        first_break(
            client.application.extensions["legalaid.settings"].audit_key,
            session.scalars(select(AuditEntry).order_by(AuditEntry.seq)),
        )
        is None
    )


def test_filter_by_actor(
    session: Session, client: FlaskClient, admin: User, lawyer_and_entries: User
) -> None:
    lawyer = lawyer_and_entries
    assert _actions(_page(client, f"?actor={lawyer.email}")) == {"test.alpha"}
    assert _actions(_page(client, f"?actor={lawyer.email.upper()}")) == {"test.alpha"}
    assert _actions(_page(client, f"?actor={lawyer.id}")) == {"test.alpha"}
    assert _actions(_page(client, f"?actor={admin.email}")) == {"test.beta"}
    html = _page(client, "?actor=nobody@example.org")
    assert "No account has this email address or number." in html
    assert 'value="nobody@example.org"' in html
    assert _actions(html) == set()


def test_filter_by_action(
    session: Session, client: FlaskClient, admin: User, lawyer_and_entries: User
) -> None:
    assert _actions(_page(client, "?action=test")) == {"test.alpha", "test.beta", "test.gamma"}
    assert _actions(_page(client, "?action=test.beta")) == {"test.beta"}
    assert _actions(_page(client, "?action=test.al*")) == {"test.alpha"}
    assert _actions(_page(client, "?action=tes")) == set()
    assert _actions(_page(client, "?action=test.%25")) == set()  # no LIKE wildcards
    html = _page(client, "?action=audit.viewed")
    assert "auth.login.success" not in html


def test_filter_by_dates(
    session: Session, client: FlaskClient, admin: User, lawyer_and_entries: User
) -> None:
    alpha = session.scalars(select(AuditEntry).where(AuditEntry.action == "test.alpha")).one()
    # The filter reads Baku dates (from 20:00 UTC Baku is already on the next day).
    occurred = alpha.occurred_at
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    day = occurred.astimezone(CLINIC_ZONE).date()
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    everything = {"test.alpha", "test.beta", "test.gamma"}
    assert _actions(_page(client, f"?from={day}&to={day}")) == everything
    assert _actions(_page(client, f"?from={before}")) == everything
    assert _actions(_page(client, f"?to={day}")) == everything
    assert _actions(_page(client, f"?to={before}")) == set()
    assert _actions(_page(client, f"?from={after}")) == set()
    assert _actions(_page(client, "?from=0001-01-01&to=9999-12-31")) == everything
    combined = f"?actor={admin.email}&action=test&from={day}&to={day}"
    assert _actions(_page(client, combined)) == {"test.beta"}


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("?from=2026-13-45", "Enter a date as YYYY-MM-DD", 'value="2026-13-45"'),
        ("?to=yesterday", "Enter a date as YYYY-MM-DD", 'value="yesterday"'),
        ("?from=" + "9" * 500, "Enter a date as YYYY-MM-DD", 'value="' + "9" * 500),
        ("?from=2026-03-02&to=2026-03-01", "The end date is before the start date.", "2026-03-01"),
        ("?actor=" + "a" * 300, "Use at most 254 characters.", 'value="' + "a" * 300),
        ("?action=" + "b" * 65, "Use at most 64 characters.", 'value="' + "b" * 65),
        ("?action=test%00x", "Remove the control characters", "test"),
        ("?actor=a%00b@example.org", "Remove the control characters", "@example.org"),
        (
            "?actor=99999999999999999999999",
            "No account has this",
            'value="99999999999999999999999"',
        ),
    ],
)
def test_bad_filters_show_a_message_not_an_error(
    session: Session,
    client: FlaskClient,
    admin: User,
    lawyer_and_entries: User,
    query: str,
    message: str,
    kept: str,
) -> None:
    html = _page(client, query)
    assert message in html
    assert kept in html
    assert 'aria-invalid="true"' in html
    assert "Correct the filters" in html
    assert _actions(html) == set()


def test_pagination_keeps_filters(session: Session, client: FlaskClient, admin: User) -> None:
    for n in range(55):
        record_event(session, "test.page", object_id=n, actor=Actor(None, None))
    session.commit()
    first = _page(client, "?action=test.page")
    assert "55 entries" in first
    assert first.count("<code>test.page</code>") == 50
    assert "page=2" in first
    assert "action=test.page" in first
    second = _page(client, "?action=test.page&page=2")
    assert second.count("<code>test.page</code>") == 5
    assert _page(client, "?action=test.page&page=nonsense").count("<code>test.page</code>") == 50


def test_audit_date_filters_are_days_in_baku(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """An entry at 22:30 UTC on 1 March is 02:30 on 2 March in Baku: it is a 2 March entry."""
    from datetime import UTC, date, datetime

    from legalaid.admin.audit_queries import entries_query

    late = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    early = datetime(2026, 3, 1, 19, 30, tzinfo=UTC)  # 23:30 in Baku, still 1 March
    with app.extensions["tests.twin"].app_context():
        query = entries_query(
            actor_id=None, action="", date_from=date(2026, 3, 2), date_to=date(2026, 3, 2)
        )
    sql = str(query.compile(compile_kwargs={"literal_binds": False}))
    params = query.compile().params
    bounds = sorted(v for v in params.values() if isinstance(v, datetime))
    assert bounds[0] == datetime(2026, 3, 1, 20, 0, tzinfo=UTC), sql
    assert bounds[0] <= late < bounds[1]
    assert early < bounds[0]

"""What one request costs in SQL statements and conflict checks (issue 15, speed).

Bounds, not timings: a save or a case page that starts querying per row again fails here.
The figures in milliseconds live in benchmarks/case_requests.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import UserSession
from legalaid.audit.models import AuditEntry
from legalaid.audit.service import record_event
from legalaid.cases.models import Case
from legalaid.conflicts.models import ConflictCheck
from legalaid.database import utcnow
from tests.case_factories import make_case
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token
from tests.statements import counted_statements
from tests.test_case_views import INTAKE, _fingerprint

#: Creating a case: the save, its one conflict check, client, case, respondent, audit.
INTAKE_SAVE_STATEMENTS = 40
#: The case page, whatever it holds: its session, the case with her client, grounds and
#: respondents, the page's lists and the forms' choices (three statements,
#: casefile/page_rows.py), the reminder bell (one), the audit entry (two; +1 lock on
#: PostgreSQL). See tests/test_case_page_statements.py for a busy case. 16 before.


def _checks(session: Session) -> int:
    session.expire_all()
    return int(
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "conflict.checked")
        )
        or 0
    )


def _post_intake(client, data: Mapping[str, object], action: str, checked: str = ""):
    token = csrf_token(client, "/cases/intake")
    return client.post(
        "/cases/intake", data={**data, "action": action, "checked": checked, "csrf_token": token}
    )


def test_a_save_runs_one_conflict_check_and_stays_within_its_statements(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    # Names that match: the check has hits to fetch and to record.
    make_case(
        session,
        lawyer,
        full_name="Aynur Məmmədova",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
    )
    make_case(
        session,
        lawyer,
        full_name="Aynur Məmmədli",
        respondents=(("Rəşad Əliyev", "family_member"),),
    )
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    checked = _fingerprint(_post_intake(client, INTAKE, "check").get_data(as_text=True))
    token = csrf_token(client, "/cases/intake")
    before = _checks(session)
    with counted_statements(app) as sent:
        response = client.post(
            "/cases/intake",
            data={**INTAKE, "action": "save", "checked": checked, "csrf_token": token},
        )
    assert response.status_code == 302
    assert _checks(session) == before + 1
    assert len(sent) <= INTAKE_SAVE_STATEMENTS, "\n".join(sent)
    check = session.scalars(select(ConflictCheck).order_by(ConflictCheck.id.desc())).first()
    assert check is not None
    assert len(check.hits) >= 2


def test_changed_names_are_checked_once_and_not_saved(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    checked = _fingerprint(_post_intake(client, INTAKE, "check").get_data(as_text=True))
    cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
    before = _checks(session)
    changed = {**INTAKE, "respondents-0-name": "Elçin Həsənov"}
    html = _post_intake(client, changed, "save", checked).get_data(as_text=True)
    assert "The names changed after the conflict check." in html
    assert _checks(session) == before + 1
    assert int(session.scalar(select(func.count()).select_from(Case)) or 0) == cases
    # The page now carries the fingerprint of what it showed: the next save goes through.
    response = _post_intake(client, changed, "save", _fingerprint(html))
    assert response.status_code == 302
    assert _checks(session) == before + 2


def test_a_refused_save_shows_one_check(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    checked = _fingerprint(_post_intake(client, INTAKE, "check").get_data(as_text=True))
    before = _checks(session)
    declined = {**INTAKE, "decision": "decline", "decline_reason": ""}
    html = _post_intake(client, declined, "save", checked).get_data(as_text=True)
    assert "Give the reason for declining." in html
    assert "No match among the clients and respondents of any clinic." in html
    assert _checks(session) == before + 1


def test_the_session_is_written_at_most_once_a_minute(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    row = session.scalars(
        select(UserSession).where(UserSession.user_id == lawyer.id, UserSession.ended_at.is_(None))
    ).one()
    row.last_seen_at = utcnow() - timedelta(minutes=2)
    session.commit()
    with counted_statements(app) as first:
        assert client.get("/home").status_code == 200
    with counted_statements(app) as second:
        assert client.get("/home").status_code == 200
    touches = [sql for sql in first + second if sql.lstrip().startswith("UPDATE user_session")]
    assert len(touches) == 1
    session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_the_audit_entry_is_chained_at_the_commit_not_before_rendering(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    case_ = make_case(session, lawyer)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    with counted_statements(app) as sent:
        assert client.get(f"/cases/{case_.id}").status_code == 200
    audit = [
        index
        for index, sql in enumerate(sent)
        if "audit_entry" in sql or "pg_advisory_xact_lock" in sql
    ]
    # The lock (PostgreSQL), the last entry and the insert close the request.
    assert audit
    assert audit == list(range(len(sent) - len(audit), len(sent)))
    assert len(audit) == (3 if session.get_bind().dialect.name == "postgresql" else 2)


def test_what_a_rolled_back_savepoint_recorded_is_not_written(session: Session) -> None:
    nested = session.begin_nested()
    record_event(session, "test.rolled_back")
    nested.rollback()
    kept = session.begin_nested()
    record_event(session, "test.kept")
    kept.commit()
    session.commit()
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("test.%"))
    ).all()
    assert actions == ["test.kept"]
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))

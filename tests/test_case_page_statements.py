"""The case page reads what it shows in a fixed, small number of statements (issue 15).

A case with documents, hearings, services, notes, tasks, referrals and a conflict check:
each kind of row comes in one statement, whatever their number, so the count of statements
is the same for a case with one note as for one with five. A page that starts reading a
relationship per row again fails here (counted on the connection, ``before_cursor_execute``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.casefile.page_rows import GROUPS, case_lists_statement
from legalaid.cases.models import Case
from legalaid.casework.services import add_hearing, add_note, add_service, add_task
from legalaid.providers.services import create_provider
from legalaid.referrals.services import refer
from tests.case_factories import make_case
from tests.document_factories import add_document
from tests.factories import create_user, sign_in
from tests.statements import counted_statements

#: Her session; the case with client, key populations, grounds, respondents and lawyer;
#: the page's lists and the forms' choices in three statements (casefile/page_rows.py:
#: documents, services, hearings, tasks | notes with revisions, referrals, conflict checks
#: with hits | status changes, assignments, providers, task assignees); the reminder bell
#: (what is due, with when she last looked); the audit entry (last entry, insert).
#: 18 before issue 15, then 15. PostgreSQL adds the audit lock.
CASE_PAGE_LIMIT = 8


def _busy_case(app: Flask, session: Session, rows: int) -> tuple[User, Case]:
    lawyer = create_user(session, "lawyer")
    manager = create_user(session, "manager", clinic=lawyer.clinic)
    case_ = make_case(
        session,
        lawyer,
        respondents=(("Rəşad Əliyev", "intimate_partner"), ("Elçin Həsənov", "family_member")),
    )
    day = today()
    provider = create_provider(
        session,
        name="Shelter Synthetic",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=manager.id,
    )
    with app.test_request_context():
        for n in range(rows):
            add_note(session, case_, body=f"Synthetic note {n}", by=lawyer.id)
            add_hearing(
                session,
                case_,
                kind="hearing",
                due_on=day + timedelta(days=n + 1),
                place=f"Court {n}",
                by=lawyer.id,
                today=day,
            )
            add_service(
                session,
                case_,
                service_type="advice",
                delivered_on=day,
                order_kind=None,
                by=lawyer.id,
                today=day,
            )
            add_task(
                session,
                case_,
                description=f"Synthetic task {n}",
                due_on=day + timedelta(days=n),
                assignee_id=manager.id,
                allowed_assignees={lawyer.id, manager.id},
                by=lawyer.id,
                today=day,
            )
            refer(
                session,
                case_,
                provider_id=provider.id,
                service_type=None,
                sent_on=day,
                by=lawyer.id,
                today=day,
            )
            session.commit()
            add_document(session, case_, lawyer.id, description=f"Synthetic document {n}")
    return lawyer, case_


def _page_statements(app: Flask, session: Session, rows: int) -> tuple[list[str], str]:
    lawyer, case_ = _busy_case(app, session, rows)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    client.get(f"/cases/{case_.id}")
    with counted_statements(app) as sent:
        response = client.get(f"/cases/{case_.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for n in range(rows):
        for shown in (f"Synthetic note {n}", f"Court {n}", f"Synthetic task {n}"):
            assert shown in html
    assert "Shelter Synthetic" in html
    return sent, html


def test_a_busy_case_page_reads_what_it_shows_within_its_statements(
    app: Flask, session: Session
) -> None:
    sent, _html = _page_statements(app, session, rows=3)
    limit = CASE_PAGE_LIMIT + (session.get_bind().dialect.name == "postgresql")
    assert len(sent) <= limit, f"{len(sent)} statements:\n" + "\n\n".join(sent)


def test_more_rows_on_the_case_page_send_no_more_statements(app: Flask, session: Session) -> None:
    one, _html = _page_statements(app, session, rows=1)
    five, _html = _page_statements(app, session, rows=5)
    assert len(five) == len(one), "\n\n".join(five)


@pytest.mark.sqlite_only
def test_each_list_is_read_through_its_case_index(app: Flask, session: Session) -> None:
    """One branch per list, each reached by its ``case_id`` index, none scanned whole: the
    merged statements cost what their separate statements cost. (PostgreSQL scans tables
    this small whatever the index; benchmarks/case_requests.py times it at 100,000 cases.)"""
    _lawyer, case_ = _busy_case(app, session, rows=1)
    dialect = session.get_bind().dialect
    with app.test_request_context():
        for index, names in enumerate(GROUPS):
            statement = case_lists_statement(case_, names, choices=index == len(GROUPS) - 1)
            sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            plan = [
                str(row[-1])
                for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
            ]
            scans = [line for line in plan if line.startswith("SCAN ")]
            # The constant branch table and the two small tables of the choices, no other.
            allowed = (
                "SCAN branch",
                "SCAN CONSTANT ROW",
                "SCAN service_provider",
                "SCAN user_account",
            )
            assert all(line.startswith(allowed) for line in scans), plan
            searched = [line for line in plan if line.startswith("SEARCH ")]
            assert len([line for line in searched if "(case_id=?)" in line]) == len(names), plan

"""The scoped caseload and agenda queries can be served by indexes, on both databases.

Each statement the manager's and the lawyer's caseload rows, attention list, overdue and
upcoming agenda send is EXPLAINed on a small data set. PostgreSQL plans with
``enable_seqscan`` off: a ``Seq Scan on client|legal_case|hearing`` (or an index scan of one
with no ``Index Cond``) left then means no index can serve the scoped query at all, whatever
the table's size. It plans twice: once as it likes (a lawyer's few cases, each probed for its
hearings) and once with ``enable_nestloop`` off too, as for a manager's big clinic, where
probing case by case costs more than the tables: each table must then be reached by its
own condition (the case scope, the hearing's date window) — main's upcoming agenda, whose
window had no index, read the whole hearing table at 10k cases. SQLite: a ``SCAN <table>``
without an index.
``benchmarks/scoped_plans.py`` runs the same check on a 10k or 100k database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.casework.models import Hearing
from legalaid.database import get_database
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user
from tests.plans import captured_selects, full_scans, leading_columns, plan, scoped_calls


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    day = today()
    baku = create_clinic(session, "CLB")
    ganja = create_clinic(session, "CLG", region="ganja_dashkasan")
    manager = create_user(session, "manager", clinic=baku)
    amina = create_user(session, "lawyer", clinic=baku)
    leyla = create_user(session, "lawyer", clinic=baku)
    other = create_user(session, "lawyer", clinic=ganja)
    for lawyer in (amina, amina, leyla, other):
        case_ = make_case(session, lawyer, risk="high")
        for days, done in ((-3, False), (-1, True), (0, False), (5, True), (20, False)):
            session.add(
                Hearing(
                    case_id=case_.id, kind="hearing", due_on=day + timedelta(days=days), done=done
                )
            )
    session.commit()
    return {"manager": manager, "lawyer": amina}


#: PostgreSQL planner settings for each plan (SQLite has none to set).
PER_CASE = ("enable_seqscan",)
PER_CLINIC = ("enable_seqscan", "enable_nestloop")


@pytest.mark.parametrize("role", ["manager", "lawyer"])
@pytest.mark.parametrize(
    "disabled",
    [
        pytest.param(PER_CASE, id="per-case"),
        # SQLite has no planner settings to switch: one plan, the per-case one.
        pytest.param(PER_CLINIC, id="per-clinic", marks=pytest.mark.postgres_only),
    ],
)
def test_scoped_queries_have_an_index_for_every_national_table(
    app: Flask, session: Session, people: dict[str, User], role: str, disabled: tuple[str, ...]
) -> None:
    connection: Connection = get_database(app).session_factory.kw["bind"]
    postgres = connection.dialect.name == "postgresql"
    leading = leading_columns(connection)
    explained: dict[str, int] = {}
    scans: dict[str, list[str]] = {}
    for name, call in scoped_calls(session, people[role], today()).items():
        with captured_selects(connection) as sent:
            call()
        if postgres:
            for setting in disabled:
                session.execute(text(f"SET LOCAL {setting} = off"))
        try:
            for sql, params in sent:
                explained[name] = explained.get(name, 0) + 1
                found = full_scans(plan(connection, sql, params), leading)
                if found:
                    scans.setdefault(name, []).extend(found)
        finally:
            if postgres:
                for setting in disabled:
                    session.execute(text(f"RESET {setting}"))
    # Every query was captured (a capture that saw nothing would pass vacuously).
    assert set(explained) == {"caseload rows", "attention", "overdue", "upcoming"}
    assert scans == {}

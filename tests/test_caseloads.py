"""The caseload page (counts per lawyer, in SQL) and the agenda, each within the user's scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.caseloads.queries import attention_page, caseload_rows
from legalaid.cases.models import Case
from legalaid.cases.services import close_case
from legalaid.casework.models import Hearing
from legalaid.clinics.models import Clinic
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, signed_in_client


@dataclass
class World:
    today: date
    baku: Clinic
    manager: User
    amina: User  # lawyer with most of the work
    leyla: User  # lawyer with one quiet case
    idle: User  # lawyer with nothing assigned
    gone: User  # disabled account that still holds a case
    disabled_no_cases: User
    other_lawyer: User  # another clinic
    other_manager: User
    high_overdue: Case  # amina: open, high risk, one overdue
    medium_overdue: Case  # amina: open, medium risk, one overdue
    high_intake: Case  # amina: at intake, high risk, nothing due
    closed: Case  # amina: closed, high risk, dates left undone
    quiet: Case  # leyla: open, low risk, one date coming up
    orphan: Case  # gone: open, medium risk
    elsewhere: Case  # other clinic: open, high risk, overdue


def _hearing(
    session: Session, case_: Case, due_on: date, place: str, *, done: bool = False
) -> Hearing:
    hearing = Hearing(case_id=case_.id, kind="hearing", due_on=due_on, place=place, done=done)
    session.add(hearing)
    return hearing


@pytest.fixture
def world(session: Session) -> World:
    day = today()
    baku = create_clinic(session, "CLB")
    ganja = create_clinic(session, "CLG", region="ganja_dashkasan")
    amina = create_user(session, "lawyer", clinic=baku)
    leyla = create_user(session, "lawyer", clinic=baku)
    idle = create_user(session, "lawyer", clinic=baku)
    gone = create_user(session, "lawyer", clinic=baku)
    disabled_no_cases = create_user(session, "lawyer", clinic=baku, active=False)
    other_lawyer = create_user(session, "lawyer", clinic=ganja)
    high_overdue = make_case(session, amina, risk="high")
    medium_overdue = make_case(session, amina, risk="medium")
    high_intake = make_case(session, amina, risk="high", open_it=False)
    closed = make_case(session, amina, risk="high")
    quiet = make_case(session, leyla, risk="low")
    orphan = make_case(session, gone, risk="medium")
    elsewhere = make_case(session, other_lawyer, risk="high")

    # amina, high_overdue: two coming up (today and the window's last day), one overdue,
    # one just beyond the window, one past but done.
    _hearing(session, high_overdue, day, "Place due today")
    _hearing(session, high_overdue, day + timedelta(days=14), "Place last day")
    _hearing(session, high_overdue, day + timedelta(days=15), "Place beyond window")
    _hearing(session, high_overdue, day - timedelta(days=1), "Place yesterday")
    _hearing(session, high_overdue, day - timedelta(days=3), "Place done before", done=True)
    # amina, medium_overdue: one long overdue, one coming up but already done.
    _hearing(session, medium_overdue, day - timedelta(days=10), "Place long overdue")
    _hearing(session, medium_overdue, day + timedelta(days=5), "Place done soon", done=True)
    # the closed case's dates are not work any more.
    _hearing(session, closed, day + timedelta(days=2), "Place of closed case")
    _hearing(session, closed, day - timedelta(days=2), "Place closed overdue")
    _hearing(session, quiet, day + timedelta(days=1), "Place of leyla")
    _hearing(session, elsewhere, day - timedelta(days=1), "Place in Ganja")
    session.commit()
    close_case(
        session,
        closed,
        expected_version=closed.version,
        outcome="withdrawn",
        closed_on=None,
        by=amina.id,
        today=day,
        agenda_loss_confirmed=True,
    )
    gone.active = False
    session.commit()
    return World(
        today=day,
        baku=baku,
        manager=create_user(session, "manager", clinic=baku),
        amina=amina,
        leyla=leyla,
        idle=idle,
        gone=gone,
        disabled_no_cases=disabled_no_cases,
        other_lawyer=other_lawyer,
        other_manager=create_user(session, "manager", clinic=ganja),
        high_overdue=high_overdue,
        medium_overdue=medium_overdue,
        high_intake=high_intake,
        closed=closed,
        quiet=quiet,
        orphan=orphan,
        elsewhere=elsewhere,
    )


def _counts(session: Session, user: User, day: date) -> dict[int, tuple[int, int, int, int]]:
    return {
        row.lawyer_id: (row.active_cases, row.high_risk, row.due_soon, row.overdue)
        for row in caseload_rows(session, user, day)
    }


def test_counts_per_lawyer_for_the_manager(session: Session, world: World) -> None:
    counts = _counts(session, world.manager, world.today)
    assert counts == {
        world.amina.id: (3, 2, 2, 2),
        world.leyla.id: (1, 0, 1, 0),
        world.idle.id: (0, 0, 0, 0),
        # disabled, but still holding an active case: she stays on the page to be rebalanced
        world.gone.id: (1, 0, 0, 0),
    }
    rows = {row.lawyer_id: row for row in caseload_rows(session, world.manager, world.today)}
    assert rows[world.amina.id].current
    assert not rows[world.gone.id].current


def test_a_lawyer_counts_only_herself(session: Session, world: World) -> None:
    assert _counts(session, world.amina, world.today) == {world.amina.id: (3, 2, 2, 2)}
    assert _counts(session, world.idle, world.today) == {world.idle.id: (0, 0, 0, 0)}
    assert _counts(session, world.other_lawyer, world.today) == {
        world.other_lawyer.id: (1, 1, 0, 1)
    }


def test_another_clinic_manager_sees_only_her_clinic(session: Session, world: World) -> None:
    assert _counts(session, world.other_manager, world.today) == {
        world.other_lawyer.id: (1, 1, 0, 1)
    }


def test_attention_list_has_active_high_risk_and_overdue_cases(
    session: Session, world: World
) -> None:
    page = attention_page(session, world.manager, world.today, None)
    # The longest overdue first, then high risk without overdue work.
    assert [row.case_id for row in page.items] == [
        world.medium_overdue.id,
        world.high_overdue.id,
        world.high_intake.id,
    ]
    assert page.items[0].overdue_since == world.today - timedelta(days=10)
    assert page.items[1].next_due == world.today
    assert attention_page(session, world.leyla, world.today, None).total == 0


def _table_rows(html: str) -> dict[str, list[str]]:
    """The caseload table: the lawyer's name and the text of her four count cells."""
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        name = re.search(r'<th scope="row">([^<]+)', row)
        if name:
            cells = re.findall(r"<td>(.*?)</td>", row, re.S)
            rows[name.group(1).strip()] = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    return rows


def test_manager_page_shows_her_clinic(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.manager)
    response = client.get("/caseload")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = _table_rows(html)
    assert rows[world.amina.full_name] == ["3", "2", "2", "2"]
    assert rows[world.leyla.full_name] == ["1", "0", "1", "0"]
    assert rows[world.idle.full_name] == ["0", "0", "0", "0"]
    assert world.other_lawyer.full_name not in html
    assert world.disabled_no_cases.full_name not in html
    # counts lead to the case list, filtered
    assert f"lawyer={world.amina.id}" in html
    assert "overdue=1" in html
    assert "risk=high" in html
    # the attention list, with a way to rebalance
    for case_ in (world.high_overdue, world.medium_overdue, world.high_intake):
        assert case_.number in html
        assert f"/cases/{case_.id}/assign?back=caseload" in html
    for case_ in (world.closed, world.quiet, world.elsewhere):
        assert case_.number not in html
    session.expire_all()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "caseload.viewed")).one()
    assert entry.actor_id == world.manager.id


def test_lawyer_page_shows_only_herself(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.amina)
    html = client.get("/caseload").get_data(as_text=True)
    assert _table_rows(html) == {world.amina.full_name: ["3", "2", "2", "2"]}
    assert world.leyla.full_name not in html
    assert world.high_overdue.number in html
    assert world.quiet.number not in html
    assert "/assign" not in html  # reassigning is the manager's


def _sections(html: str) -> tuple[str, str]:
    overdue, upcoming = html.split('id="upcoming"', 1)
    return overdue.split('id="overdue"', 1)[1], upcoming


def test_agenda_of_a_lawyer(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.amina)
    response = client.get("/agenda")
    assert response.status_code == 200
    overdue, upcoming = _sections(response.get_data(as_text=True))
    # overdue: the oldest first; done ones and closed cases' dates are not listed
    assert overdue.index("Place long overdue") < overdue.index("Place yesterday")
    for absent in ("Place done before", "Place closed overdue", "Place due today"):
        assert absent not in overdue
    # the next 14 days, today and the last day included, done ones marked as done
    assert upcoming.index("Place due today") < upcoming.index("Place done soon")
    assert upcoming.index("Place done soon") < upcoming.index("Place last day")
    for absent in ("Place beyond window", "Place of closed case", "Place yesterday"):
        assert absent not in upcoming
    assert "Place of leyla" not in upcoming
    assert "Place in Ganja" not in overdue
    assert world.high_overdue.number in upcoming
    assert world.medium_overdue.number in overdue
    # each open date has a button to mark it done and come back here
    assert "/hearings/" in upcoming
    assert 'name="back" value="agenda"' in upcoming
    session.expire_all()
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "agenda.viewed")).one()


def test_agenda_of_a_manager_covers_her_clinic(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.manager)
    overdue, upcoming = _sections(client.get("/agenda").get_data(as_text=True))
    assert "Place of leyla" in upcoming
    assert "Place due today" in upcoming
    assert world.leyla.full_name in upcoming
    assert "Place long overdue" in overdue
    assert "Place in Ganja" not in overdue


def test_agenda_pages_each_section_on_its_own(app: Flask, session: Session, world: World) -> None:
    for n in range(51):
        _hearing(session, world.quiet, world.today - timedelta(days=1), f"Stack {n}")
    session.commit()
    client = signed_in_client(app, session, world.leyla)
    overdue, upcoming = _sections(client.get("/agenda").get_data(as_text=True))
    assert "overdue_page=2" in overdue
    assert "Place of leyla" in upcoming
    overdue, upcoming = _sections(client.get("/agenda?overdue_page=2").get_data(as_text=True))
    assert overdue.count("Stack ") == 1
    assert "Place of leyla" in upcoming


@pytest.mark.parametrize("role", ["task_force", "admin"])
def test_roles_without_cases_are_refused(app: Flask, session: Session, role: str) -> None:
    client = signed_in_client(app, session, create_user(session, role))
    assert client.get("/caseload").status_code == 403
    assert client.get("/agenda").status_code == 403

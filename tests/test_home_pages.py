"""Each role's home page says what to do today, with counts from her own scope."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from legalaid.calendar import today
from legalaid.casework.models import CaseTask, Hearing
from legalaid.casework.services import add_hearing
from legalaid.providers.services import create_provider
from legalaid.referrals.services import refer
from legalaid.releases.services import create_release
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, open_home, sign_in
from tests.helpers import post_form


def _count(page: str, words: str) -> int:
    match = re.search(r"<strong[^>]*>(\d+)</strong> " + re.escape(words), page)
    assert match, words
    return int(match.group(1))


def test_a_lawyer_sees_her_week_and_what_is_overdue_not_her_colleagues(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    colleague = create_user(session, "lawyer", clinic=clinic)
    day = today()
    mine = make_case(session, lawyer, risk="high", consent_sharing=True)
    add_hearing(
        session, mine, kind="hearing", due_on=day + timedelta(days=2), place="", by=None, today=day
    )
    add_hearing(
        session, mine, kind="deadline", due_on=day - timedelta(days=3), place="", by=None, today=day
    )
    provider = create_provider(
        session,
        name="Synthetic shelter",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=None,
    )
    refer(
        session,
        mine,
        provider_id=provider.id,
        service_type="shelter",
        sent_on=day,
        by=None,
        today=day,
    )
    make_case(session, lawyer, open_it=False)
    theirs = make_case(session, colleague, risk="high")
    add_hearing(
        session,
        theirs,
        kind="hearing",
        due_on=day + timedelta(days=1),
        place="",
        by=None,
        today=day,
    )
    session.commit()

    page = open_home(client, app, session, lawyer)
    assert _count(page, "hearing or deadline in the next 7 days") == 1
    assert _count(page, "overdue deadline") == 1
    assert _count(page, "high-risk open case") == 1
    assert _count(page, "referral awaiting an answer") == 1
    assert _count(page, "intake not yet opened") == 1
    assert mine.number in page
    assert theirs.number not in page


def test_a_manager_sees_her_clinic_per_lawyer(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    clinic = create_clinic(session)
    manager = create_user(session, "manager", clinic=clinic)
    first = create_user(session, "lawyer", clinic=clinic)
    second = create_user(session, "lawyer", clinic=clinic)
    make_case(session, first, risk="high")
    make_case(session, second, risk="high")
    make_case(session, create_user(session, "lawyer"), risk="high")  # another clinic
    page = open_home(client, app, session, manager)
    assert _count(page, "high-risk open cases") == 2
    assert first.full_name in page
    assert second.full_name in page


def test_the_administrator_sees_accounts_waiting_and_refusals(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    admin = create_user(session, "admin")
    create_user(session, "lawyer", password="", enrolled=False)
    sign_in(client, app, admin, session=session)
    assert client.get("/cases/").status_code == 403  # a refusal, audited
    page = client.get("/home").get_data(as_text=True)
    assert _count(page, "account waiting for set-up") >= 1
    assert _count(page, "refusal") >= 1 or _count(page, "refusals") >= 1


def test_the_task_force_sees_the_latest_releases(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    policies = app.extensions["legalaid.policies"]
    member = create_user(session, "task_force")
    empty = open_home(client, app, session, member)
    assert "Released, anonymized indicator tables will appear here." in empty
    release = create_release(
        session,
        catalogue=policies.indicators,
        policy=policies.disclosure,
        user=member,
        period_code="2026Q2",
        reason=None,
        today=today(),
    )
    session.flush()
    page = client.get("/home").get_data(as_text=True)
    section = page[page.index('id="releases-heading"') :]
    assert f'href="/releases/{release.id}">2026Q2</a> · National' in section
    assert "/cases" not in section


def _bell(page: str) -> str:
    match = re.search(r'<a [^>]*id="reminder-bell"[^>]*>(.*?)</a>', page, re.S)
    assert match, "no bell in the navigation"
    return match.group(1)


def test_her_due_reminders_are_on_her_home_page_and_the_bell_counts_the_new_ones(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    colleague = create_user(session, "lawyer", clinic=clinic)
    day = today()
    mine = make_case(session, lawyer, full_name="Nərgiz Gizlinova")
    theirs = make_case(session, colleague)
    # Overdue whatever the hour: a deadline and a task of yesterday. A hearing in three days
    # is in "this week" but not yet reminded (its reminder is the day before).
    session.add_all(
        [
            Hearing(case_id=mine.id, kind="appeal_deadline", due_on=day - timedelta(days=1)),
            Hearing(case_id=mine.id, kind="hearing", due_on=day + timedelta(days=3)),
            task := CaseTask(
                case_id=mine.id,
                description="Call Nərgiz about the shelter",
                due_on=day - timedelta(days=1),
                assignee_id=lawyer.id,
            ),
            CaseTask(
                case_id=theirs.id,
                description="Theirs",
                due_on=day - timedelta(days=2),
                assignee_id=colleague.id,
            ),
            Hearing(case_id=theirs.id, kind="deadline", due_on=day - timedelta(days=1)),
        ]
    )
    session.commit()
    sign_in(client, app, lawyer, session=session)

    agenda = client.get("/agenda").get_data(as_text=True)
    assert "2 new" in _bell(agenda)
    tasks = agenda[agenda.index('id="tasks"') :]
    assert "Call Nərgiz about the shelter" in tasks
    assert mine.number in tasks
    assert "Theirs" not in tasks
    assert theirs.number not in agenda

    home = client.get("/home").get_data(as_text=True)
    listed = home[home.index('id="reminders-heading"') : home.index("This week")]
    assert "(2)" in listed
    assert listed.count(">New<") == 2
    assert listed.count(">Overdue<") == 2
    assert "Appeal deadline" in listed
    assert "Task" in listed
    assert mine.number in listed
    assert theirs.number not in home
    # Only what the home page showed before: no description, no name.
    assert "Call" not in home
    assert "Gizlinova" not in home
    assert "Nərgiz" not in home
    assert "new" not in _bell(home)  # she is looking at them

    again = client.get("/agenda").get_data(as_text=True)
    assert "new" not in _bell(again)
    assert "badge" not in _bell(again)
    assert ">New<" not in client.get("/home").get_data(as_text=True)

    # Done from the agenda: back on the agenda, and no longer a reminder.
    done = post_form(
        client,
        f"/cases/{mine.id}/tasks/{task.id}/done",
        {"done": "1", "back": "agenda"},
        page="/agenda",
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/agenda#tasks")
    assert "Call Nərgiz" not in client.get("/agenda").get_data(as_text=True)
    home = client.get("/home").get_data(as_text=True)
    assert "(1)" in home[home.index('id="reminders-heading"') : home.index("This week")]


def test_no_bell_for_roles_without_casework(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    admin = create_user(session, "admin")
    assert 'id="reminder-bell"' not in open_home(client, app, session, admin)

"""Hearings with a time and a duration, tasks on a case, and the suggested deadlines."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.casework.models import CaseTask, Hearing
from legalaid.casework.services import add_service
from tests.case_factories import lawyer_with_case, make_case, post_hearing
from tests.factories import create_user
from tests.helpers import post_form


def _actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_a_hearing_with_time_and_duration_shows_on_the_case_and_the_agenda(
    app: Flask, session: Session
) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    day = today() + timedelta(days=3)
    response = post_hearing(
        client,
        case_id,
        {
            "kind": "hearing",
            "due_on": day.isoformat(),
            "starts_at": "10:30",
            "duration_minutes": "90",
            "place": "",
        },
    )
    assert response.status_code == 302
    hearing = session.scalars(select(Hearing).where(Hearing.case_id == case_id)).one()
    assert hearing.starts_at is not None
    assert hearing.starts_at.strftime("%H:%M") == "10:30"
    assert hearing.duration_minutes == 90
    assert "10:30 · 90 min" in client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "10:30 · 90 min" in client.get("/agenda").get_data(as_text=True)


def test_a_duration_that_ends_before_it_starts_is_refused_with_what_was_typed_kept(
    app: Flask, session: Session
) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    response = post_hearing(
        client,
        case_id,
        {
            "kind": "hearing",
            "due_on": (today() + timedelta(days=3)).isoformat(),
            "starts_at": "10:30",
            "duration_minutes": "-15",
            "place": "Courtroom 4",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "it cannot end before it starts" in html
    assert 'value="Courtroom 4"' in html
    assert 'value="-15"' in html
    assert session.scalars(select(Hearing).where(Hearing.case_id == case_id)).first() is None


def test_a_duration_without_a_time_is_refused_in_azerbaijani(app: Flask, session: Session) -> None:
    client, case_id, _ = lawyer_with_case(app, session, language="az")
    response = post_hearing(
        client,
        case_id,
        {
            "kind": "hearing",
            "due_on": (today() + timedelta(days=3)).isoformat(),
            "starts_at": "",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give the start time for a duration." not in html
    assert "Müddət üçün başlama vaxtını göstərin." in html
    assert 'value="30"' in html


def test_a_task_is_added_for_someone_who_sees_the_case_and_marked_done(
    app: Flask, session: Session
) -> None:
    client, case_id, lawyer_id = lawyer_with_case(app, session)
    response = post_form(
        client,
        f"/cases/{case_id}/tasks",
        {
            "task-description": "Call back on Friday",
            "task-due_on": (today() + timedelta(days=2)).isoformat(),
            "task-assignee_id": str(lawyer_id),
        },
        page=f"/cases/{case_id}",
    )
    assert response.status_code == 302
    task = session.scalars(select(CaseTask).where(CaseTask.case_id == case_id)).one()
    assert task.description == "Call back on Friday"
    assert task.assignee_id == lawyer_id
    stored = session.execute(
        text("SELECT description FROM case_task WHERE id = :id"), {"id": task.id}
    ).scalar_one()
    assert "Call back" not in stored  # encrypted at rest
    assert "Call back on Friday" in client.get(f"/cases/{case_id}").get_data(as_text=True)
    response = post_form(
        client, f"/cases/{case_id}/tasks/{task.id}/done", {"done": "1"}, page=f"/cases/{case_id}"
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(CaseTask, task.id).done is True  # type: ignore[union-attr]
    assert "case.task_added" in _actions(session)
    assert "case.task_updated" in _actions(session)


def test_a_task_for_someone_outside_the_case_is_refused_and_the_text_kept(
    app: Flask, session: Session
) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    outsider = create_user(session, "lawyer")
    response = post_form(
        client,
        f"/cases/{case_id}/tasks",
        {
            "task-description": "Bring the documents",
            "task-due_on": today().isoformat(),
            "task-assignee_id": str(outsider.id),
        },
        page=f"/cases/{case_id}",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose one of the listed values." in html
    assert 'value="Bring the documents"' in html
    assert outsider.full_name not in html


def test_tasks_of_a_case_outside_her_scope_answer_404(app: Flask, session: Session) -> None:
    client, _case_id, _ = lawyer_with_case(app, session)
    other_lawyer = create_user(session, "lawyer")
    other_case = make_case(session, other_lawyer)
    task = CaseTask(
        case_id=other_case.id,
        description="x",
        due_on=today(),
        assignee_id=other_lawyer.id,
    )
    session.add(task)
    session.commit()
    own_page = "/agenda"
    assert (
        post_form(
            client, f"/cases/{other_case.id}/tasks/{task.id}/done", {}, page=own_page
        ).status_code
        == 404
    )
    assert (
        post_form(
            client,
            f"/cases/{other_case.id}/tasks",
            {"task-description": "x", "task-due_on": today().isoformat(), "task-assignee_id": "1"},
            page=own_page,
        ).status_code
        == 404
    )


def test_a_short_term_order_offers_its_expiry_and_accepting_adds_it_once(
    app: Flask, session: Session
) -> None:
    client, case_id, lawyer_id = lawyer_with_case(app, session)
    from legalaid.cases.models import Case

    case_ = session.get(Case, case_id)
    assert case_ is not None
    with app.extensions["tests.twin"].test_request_context():
        service = add_service(
            session,
            case_,
            service_type="protection_order",
            delivered_on=today(),
            order_kind="short_term",
            by=lawyer_id,
            today=today(),
        )
    session.commit()
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Short-term protection order expires" in html
    assert "Duration to be confirmed by the network" in html
    data = {"rule_code": "short_term_order_expiry", "rule_source": f"service:{service.id}"}
    response = post_form(client, f"/cases/{case_id}/deadlines/suggested", data)
    assert response.status_code == 302
    deadline = session.scalars(select(Hearing).where(Hearing.case_id == case_id)).one()
    assert deadline.kind == "deadline"
    assert deadline.due_on == today() + timedelta(days=60)
    assert "Short-term protection order expires" not in client.get(f"/cases/{case_id}").get_data(
        as_text=True
    )
    again = post_form(client, f"/cases/{case_id}/deadlines/suggested", data, page="/agenda")
    assert again.status_code == 400
    assert "already added or no longer applies" in again.get_data(as_text=True)
    assert len(session.scalars(select(Hearing).where(Hearing.case_id == case_id)).all()) == 1


def test_erasing_a_client_overwrites_the_descriptions_of_her_cases_tasks(
    app: Flask, session: Session
) -> None:
    from legalaid.cases.models import Case
    from legalaid.cases.services import close_case
    from legalaid.retention.erasure import erase_client

    lawyer = create_user(session, "lawyer")
    case_ = make_case(session, lawyer)
    task = CaseTask(
        case_id=case_.id, description="Call Leyla back", due_on=today(), assignee_id=lawyer.id
    )
    session.add(task)
    session.commit()
    with app.extensions["tests.twin"].test_request_context():
        close_case(
            session,
            case_,
            expected_version=case_.version,
            outcome="withdrawn",
            closed_on=today(),
            by=lawyer.id,
            today=today(),
        )
        erase_client(session, case_.client_id, rule="client_request", today=today())
    session.commit()
    session.expire_all()
    assert session.get(CaseTask, task.id).description == ""  # type: ignore[union-attr]
    assert session.get(Case, case_.id) is not None


def test_a_suggested_deadline_whose_rule_points_nowhere_is_refused_and_nothing_added(
    app: Flask, session: Session
) -> None:
    """A forged or outdated form: a rule the policy does not have, or a source on another
    case. A clear message on the case page, no 500, no deadline."""
    client, case_id, _ = lawyer_with_case(app, session)
    for data in (
        {"rule_code": "no_such_rule", "rule_source": "service:1"},
        {"rule_code": "short_term_order_expiry", "rule_source": "service:999999"},
        {"rule_code": "short_term_order_expiry", "rule_source": "nowhere"},
    ):
        response = post_form(
            client, f"/cases/{case_id}/deadlines/suggested", data, page=f"/cases/{case_id}"
        )
        assert response.status_code == 400, data
        assert "already added or no longer applies" in response.get_data(as_text=True)
    assert session.scalars(select(Hearing).where(Hearing.case_id == case_id)).first() is None

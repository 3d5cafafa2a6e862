"""Every form of the case page and the training form finds all its errors in one submit: the
form's own checks and the service's rules across fields together, each listed in the error
summary with a link to its field, and a field that only some answers make required says so."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.calendar import today
from legalaid.casework.models import CaseTask, Hearing, ServiceDelivery
from legalaid.casework.services import add_service
from legalaid.providers.services import create_provider
from legalaid.referrals.models import Referral
from legalaid.trainings.models import TrainingSession
from tests.case_factories import lawyer_with_case, make_case, post_hearing
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token, post_form


def _summary(page: str) -> str:
    start = page.index('class="error-summary"')
    return html.unescape(page[start : page.index("</div>", start)])


def _links(summary: str) -> list[str]:
    return re.findall(r'href="#([^"]+)"', summary)


def test_a_service_shows_its_form_and_rule_errors_together(app: Flask, session: Session) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "(required for a protection-order application)" in page
    response = post_form(
        client,
        f"/cases/{case_id}/services",
        {
            "service_type": "protection_order",
            "delivered_on": (today() + timedelta(days=2)).isoformat(),
            "order_kind": "",
        },
        page=f"/cases/{case_id}",
    )
    assert response.status_code == 400
    summary = _summary(response.get_data(as_text=True))
    # Before, the future date was reported alone and the missing order kind on the next save.
    assert "A service cannot be delivered in the future." in summary
    assert "Protection order (for an application):" in summary
    assert {"delivered_on", "order_kind"} <= set(_links(summary))
    assert (
        session.scalars(select(ServiceDelivery).where(ServiceDelivery.case_id == case_id)).all()
        == []
    )


def test_a_hearing_missing_its_date_also_hears_about_its_duration(
    app: Flask, session: Session
) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    assert "(required when a duration is given)" in client.get(f"/cases/{case_id}").get_data(
        as_text=True
    )
    response = post_hearing(
        client,
        case_id,
        {
            "kind": "hearing",
            "due_on": "",
            "starts_at": "",
            "duration_minutes": "0",
            "place": "Room 2",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = _summary(page)
    assert "Date: This field is required." in summary
    assert "Give the start time for a duration." in summary
    assert "it cannot end before it starts" in summary
    assert {"due_on", "starts_at", "duration_minutes"} <= set(_links(summary))
    assert 'value="Room 2"' in page
    assert session.scalars(select(Hearing).where(Hearing.case_id == case_id)).all() == []


def test_a_task_gives_every_error_in_one_submit(app: Flask, session: Session) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    response = post_form(
        client,
        f"/cases/{case_id}/tasks",
        {
            "task-description": "",
            "task-due_on": (today() + timedelta(days=5 * 366)).isoformat(),
            "task-assignee_id": "999999",
        },
        page=f"/cases/{case_id}",
    )
    assert response.status_code == 400
    summary = _summary(response.get_data(as_text=True))
    assert "Task: This field is required." in summary
    assert "Please check the date: it is years ahead." in summary
    assert "Choose one of the listed values." in summary
    assert {"task-description", "task-due_on", "task-assignee_id"} <= set(_links(summary))
    assert session.scalars(select(CaseTask).where(CaseTask.case_id == case_id)).all() == []


def test_a_referral_without_a_provider_also_hears_about_its_date(
    app: Flask, session: Session
) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    create_provider(
        session,
        name="Synthetic Shelter",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=None,
    )
    session.commit()
    response = post_form(
        client,
        f"/cases/{case_id}/referrals",
        {
            "provider_id": "",
            "service_type": "",
            "sent_on": (today() + timedelta(days=3)).isoformat(),
        },
        page=f"/cases/{case_id}",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = _summary(page)
    assert "Refer to: This field is required." in summary
    assert "The date cannot be in the future." in summary
    # The case page renders the referral fields with a prefix: the links reach them.
    links = _links(summary)
    assert {"referral-provider_id", "referral-sent_on"} <= set(links)
    for target in links:
        assert f'id="{target}"' in page, target
    assert session.scalars(select(Referral).where(Referral.case_id == case_id)).all() == []


def test_an_upload_without_a_kind_or_a_file_says_both(app: Flask, session: Session) -> None:
    client, case_id, _ = lawyer_with_case(app, session)
    token = csrf_token(client, f"/cases/{case_id}")
    response = client.post(
        f"/cases/{case_id}/documents",
        data={
            "csrf_token": token,
            "document-kind": "",
            "document-document_date": "not a date",
            "document-description": "Synthetic description",
            "document-files": (io.BytesIO(b""), ""),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    summary = _summary(response.get_data(as_text=True))
    assert "Kind of document:" in summary
    assert "Not a valid date value." in summary
    assert "Choose at least one file." in summary
    assert {"document-kind", "document-document_date", "document-files"} <= set(_links(summary))


def test_a_training_session_gives_every_error_in_one_submit(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    form_page = client.get("/trainings/new").get_data(as_text=True)
    assert "(required when a partner delivered it)" in form_page
    assert "(required when counts are recorded)" in form_page
    start = today() - timedelta(days=3)
    response = post_form(
        client,
        "/trainings/new",
        {
            "title": "",
            "starts_on": start.isoformat(),
            "ends_on": (start - timedelta(days=1)).isoformat(),
            "economic_region": "baku",
            "venue": "Synthetic hall",
            "delivered_by": "partner",
            "partner_name": "",
            "agency": "police",
            "unit": "Synthetic unit",
            "hours": "6",
            "participation_mode": "counts",
            "officers_total": "10",
            "officers_female": "3",
            "officers_male": "",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = _summary(page)
    for message in (
        "Title: This field is required.",
        "The end date cannot be before the start date.",
        "Partner organisation: This field is required.",
        "Choose at least one module.",
        "Name at least one trainer",
        "Of them men: This field is required.",
    ):
        assert message in summary, message
    assert {"title", "ends_on", "partner_name", "modules-0", "officers_male"} <= set(
        _links(summary)
    )
    assert 'value="Synthetic hall"' in page
    assert session.scalars(select(TrainingSession)).all() == []


def test_an_order_result_gives_its_choice_and_date_errors_together(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    case_ = make_case(session, lawyer, on=today() - timedelta(days=10))
    order = add_service(
        session,
        case_,
        service_type="protection_order",
        delivered_on=today() - timedelta(days=2),
        order_kind="short_term",
        by=lawyer.id,
        today=today(),
    )
    session.commit()
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    url = f"/cases/{case_.id}/services/{order.id}/result"
    for result_on, message in [
        (today() + timedelta(days=3), "The date cannot be in the future."),
        (today() - timedelta(days=5), "The result cannot come before the application."),
    ]:
        response = post_form(
            client,
            url,
            {"result": "", "result_on": result_on.isoformat(), "version": str(order.version)},
            page=f"/cases/{case_.id}",
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        summary = _summary(page)
        # Before, the date was refused only on the save after the result was chosen.
        assert "Result:" in summary
        assert f"Date of the decision: {message}" in summary
        links = {f"order-{order.id}-result", f"order-{order.id}-result_on"}
        assert links <= set(_links(summary))
        for field_id in links:
            assert f'id="{field_id}"' in page
        assert f'value="{result_on.isoformat()}"' in page
    session.expire_all()
    assert session.get_one(ServiceDelivery, order.id).order_result == "pending"

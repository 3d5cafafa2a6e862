"""Manager pages of retention: erasure on request with its confirmation, and the legal hold."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.cases.services import close_case
from legalaid.clients.models import Client
from legalaid.conflicts.models import NameKey
from tests.case_factories import make_case
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token

NAME = "Xatirə Sınaqova"
RESPONDENT = "Elxan Sınaqov"
PHONE = "+994 50 765 43 21"


def _case(session: Session, manager_clinic_lawyer: object, *, closed: bool = True) -> Case:
    case = make_case(
        session,
        manager_clinic_lawyer,  # type: ignore[arg-type]
        full_name=NAME,
        respondents=((RESPONDENT, "intimate_partner"),),
        phone=PHONE,
        on=today() - timedelta(days=40),
    )
    if closed:
        close_case(
            session,
            case,
            expected_version=case.version,
            outcome="resolved_favour",
            closed_on=today() - timedelta(days=2),
            by=case.assigned_lawyer_id,
            today=today(),
        )
        session.commit()
    return case


def _setup(app: Flask, session: Session, *, closed: bool = True, language: str = "en"):
    manager = create_user(session, "manager")
    manager.preferred_language = language
    session.commit()
    lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    case = _case(session, lawyer, closed=closed)
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    return client, case, lawyer


def _erase(client: FlaskClient, client_id: int, **data: str):
    url = f"/clients/{client_id}/erase"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, **data})


def _actions(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(a, o) for a, o in session.execute(select(AuditEntry.action, AuditEntry.outcome))]


def test_confirmation_page_lists_what_goes_and_what_stays(app: Flask, session: Session) -> None:
    client, case, _ = _setup(app, session)
    html = client.get(f"/clients/{case.client_id}/erase").get_data(as_text=True)
    assert "What will be erased" in html
    assert "What stays" in html
    assert "Her full name" in html
    assert "Case notes, with every earlier version" in html
    assert "Services delivered (type and date)" in html
    assert "Age band" in html
    assert 'name="csrf_token"' in html  # a plain form: no script needed to confirm


def test_a_manager_erases_a_client_and_her_values_are_gone(app: Flask, session: Session) -> None:
    client, case, _ = _setup(app, session)
    missing = _erase(client, case.client_id, reason="client_request")
    assert missing.status_code == 400
    assert "Confirm that you have read what will be erased." in missing.get_data(as_text=True)
    response = _erase(client, case.client_id, reason="client_request", confirmed="y")
    assert response.status_code == 302
    session.expire_all()
    erased = session.get(Client, case.client_id)
    assert erased is not None
    assert erased.erased_on == today()
    assert erased.erasure_rule == "client_request"
    assert erased.full_name == ""
    assert erased.phone is None
    assert [r.name for r in session.get(Case, case.id).respondents] == [None]  # type: ignore[union-attr]
    assert not session.scalar(
        select(func.count()).select_from(NameKey).where(NameKey.client_id == case.client_id)
    )
    assert ("client.erased.client_request", "success") in _actions(session)

    date_shown = "erased on"
    for page in (
        f"/clients/{case.client_id}",
        f"/cases/{case.id}",
        "/clients/",
        "/cases/",
    ):
        html = client.get(page).get_data(as_text=True)
        assert date_shown in html.lower(), page
        for value in (NAME, RESPONDENT, PHONE, "Sınaqova"):
            assert value not in html, (page, value)
    again = client.get(f"/clients/{case.client_id}/erase", follow_redirects=True)
    assert "already erased" in again.get_data(as_text=True)
    edit = client.get(f"/clients/{case.client_id}/edit", follow_redirects=True)
    assert "it cannot be edited" in edit.get_data(as_text=True)


def test_an_open_case_refuses_erasure_with_a_translated_message(
    app: Flask, session: Session
) -> None:
    client, case, _ = _setup(app, session, closed=False, language="ru")
    response = _erase(client, case.client_id, reason="consent_withdrawn", confirmed="y")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Дело этого клиента ещё открыто: закройте его перед удалением." in html
    assert "still open" not in html
    session.expire_all()
    kept = session.get(Client, case.client_id)
    assert kept is not None
    assert kept.full_name == NAME
    assert kept.erased_on is None
    assert ("client.erase.consent_withdrawn", "denied") in _actions(session)


def test_legal_hold_set_and_lifted_and_it_refuses_erasure(app: Flask, session: Session) -> None:
    client, case, _ = _setup(app, session, language="az")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    token = csrf_token(client, f"/cases/{case.id}")
    response = client.post(f"/cases/{case.id}/legal-hold", data={"csrf_token": token, "hold": "1"})
    assert response.status_code == 302
    assert page
    session.expire_all()
    held = session.get(Case, case.id)
    assert held is not None
    assert held.legal_hold
    assert held.legal_hold_since == today()

    refused = _erase(client, case.client_id, reason="not_needed", confirmed="y")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Bu müştərinin işinə hüquqi saxlama qoyulub" in html
    assert "legal hold" not in html
    session.expire_all()
    assert session.get(Client, case.client_id).erased_on is None  # type: ignore[union-attr]

    token = csrf_token(client, f"/cases/{case.id}")
    client.post(f"/cases/{case.id}/legal-hold", data={"csrf_token": token, "hold": "0"})
    session.expire_all()
    assert not session.get(Case, case.id).legal_hold  # type: ignore[union-attr]
    actions = [a for a, _ in _actions(session)]
    assert "case.legal_hold_set" in actions
    assert "case.legal_hold_cleared" in actions


def test_without_csrf_nothing_is_erased(app: Flask, session: Session) -> None:
    client, case, _ = _setup(app, session)
    response = client.post(
        f"/clients/{case.client_id}/erase", data={"reason": "client_request", "confirmed": "y"}
    )
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Client, case.client_id).erased_on is None  # type: ignore[union-attr]


def test_lawyers_and_other_clinics_cannot_erase(app: Flask, session: Session) -> None:
    manager = create_user(session, "manager")
    lawyer = create_user(session, "lawyer", clinic=manager.clinic)
    case = _case(session, lawyer)
    as_lawyer = app.test_client()
    sign_in(as_lawyer, app, lawyer, session=session)
    assert as_lawyer.get(f"/clients/{case.client_id}/erase").status_code == 403
    token = csrf_token(as_lawyer, f"/cases/{case.id}")
    assert (
        as_lawyer.post(
            f"/cases/{case.id}/legal-hold", data={"csrf_token": token, "hold": "1"}
        ).status_code
        == 403
    )
    assert "Set a legal hold" not in as_lawyer.get(f"/cases/{case.id}").get_data(as_text=True)

    other = create_user(session, "manager")
    as_other = app.test_client()
    sign_in(as_other, app, other, session=session)
    assert as_other.get(f"/clients/{case.client_id}/erase").status_code == 404
    token = csrf_token(as_other, "/clients/")
    answer = as_other.post(
        f"/clients/{case.client_id}/erase",
        data={"csrf_token": token, "reason": "client_request", "confirmed": "y"},
    )
    assert answer.status_code == 404
    session.expire_all()
    assert session.get(Client, case.client_id).erased_on is None  # type: ignore[union-attr]

"""The name a client uses, and her language and accessibility needs."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from legalaid.calendar import today
from legalaid.cases.conflict_check import check_conflicts
from legalaid.cases.services import close_case
from legalaid.clients.models import Client
from legalaid.conflicts.models import NameKey
from legalaid.conflicts.service import Subject
from legalaid.retention.erasure import erase_client
from tests.case_factories import make_case
from tests.factories import create_user, sign_in

LEGAL = "Ramil Sinaqov"
USED = "Ayan Sinaqova"


def _case(session: Session, lawyer):
    return make_case(
        session,
        lawyer,
        full_name=LEGAL,
        name_to_use=USED,
        language="ru",
        interpreter="sign",
        access_needs="Synthetic: step-free entrance",
        gender_identity="trans_woman",
        on=today() - timedelta(days=30),
    )


def test_the_name_she_uses_is_shown_first_encrypted_and_matched(
    app: Flask, session: Session
) -> None:
    lawyer = create_user(session, "lawyer")
    case = _case(session, lawyer)
    raw = session.execute(
        text("SELECT name_to_use, access_needs FROM client WHERE id = :id"), {"id": case.client_id}
    ).one()
    assert USED not in raw[0]
    assert "step-free" not in raw[1]
    # Another clinic's lawyer typing only the name she uses finds a possible conflict.
    other = create_user(session, "lawyer")
    report = check_conflicts(session, other, [Subject("client", (USED,), label="client")])
    assert report.elsewhere

    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    page = client.get(f"/clients/{case.client_id}").get_data(as_text=True)
    assert page.index(USED) < page.index(LEGAL)
    assert "Sign-language interpreter" in page
    assert "Russian" in page
    case_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Sign-language interpreter" in case_page
    assert "step-free entrance" in case_page
    edit = client.get(f"/clients/{case.client_id}/edit").get_data(as_text=True)
    assert f'value="{USED}"' in edit


def test_erasure_removes_the_name_she_uses_and_her_needs(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    case = _case(session, lawyer)
    close_case(
        session,
        case,
        expected_version=case.version,
        outcome="resolved_favour",
        closed_on=today(),
        by=lawyer.id,
        today=today(),
    )
    erase_client(session, case.client_id, rule="client_request", today=today())
    session.commit()
    session.expire_all()
    erased = session.get(Client, case.client_id)
    assert erased is not None
    assert (erased.name_to_use, erased.language, erased.interpreter, erased.access_needs) == (
        None,
        None,
        None,
        None,
    )
    assert not session.scalar(
        select(func.count()).select_from(NameKey).where(NameKey.client_id == case.client_id)
    )
    other = create_user(session, "lawyer")
    assert not check_conflicts(session, other, [Subject("client", (USED,), label="c")]).hits

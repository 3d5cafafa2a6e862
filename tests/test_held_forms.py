"""A form posted after the session expired is held (encrypted) and handed back after sign-in."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from legalaid.accounts.models import UserSession
from legalaid.casework.models import Note
from legalaid.database import utcnow
from legalaid.held_forms.models import HeldForm
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token

NOTE = "Synthetic: she called from her sister's phone, call back after six."


def _expire_sessions(session: Session, user_id: int) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id)
        .values(last_seen_at=utcnow() - timedelta(minutes=60))
    )
    session.commit()


def _arrange(app: Flask, client: FlaskClient, session: Session):
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    case = make_case(session, lawyer)
    sign_in(client, app, lawyer, session=session)
    token = csrf_token(client, f"/cases/{case.id}")
    return lawyer, case, token


def test_a_note_posted_after_expiry_is_held_and_comes_back_with_a_fresh_token(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    lawyer, case, old_token = _arrange(app, client, session)
    _expire_sessions(session, lawyer.id)

    response = client.post(f"/cases/{case.id}/notes", data={"body": NOTE, "csrf_token": old_token})
    assert response.status_code == 303
    assert "/login" in response.headers["Location"]
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It is kept for 10 minutes" in login_page
    # Encrypted at rest: the note is not in the row as typed.
    raw = session.execute(text("SELECT fields FROM held_form")).scalars().all()
    assert len(raw) == 1
    assert NOTE not in raw[0]
    assert "Synthetic" not in raw[0]
    assert session.scalars(select(Note).where(Note.case_id == case.id)).all() == []

    sign_in(client, app, lawyer, session=session)
    # sign_in followed the login redirect's target only up to its Location: the resume page.
    page = html.unescape(client.get("/resume").get_data(as_text=True))
    assert NOTE in page
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert fresh
    assert fresh.group(1) != old_token
    assert f'action="/cases/{case.id}/notes"' in page
    # Handed back once: the server no longer holds it.
    assert session.scalars(select(HeldForm)).all() == []
    assert "no longer kept" in client.get("/resume", follow_redirects=True).get_data(as_text=True)

    # The old token is refused after sign-in (a new session, a new CSRF token)...
    refused = client.post(f"/cases/{case.id}/notes", data={"body": NOTE, "csrf_token": old_token})
    assert refused.status_code == 400
    # ...and what the page sends again is saved.
    saved = client.post(
        f"/cases/{case.id}/notes", data={"body": NOTE, "csrf_token": fresh.group(1)}
    )
    assert saved.status_code in (302, 303)
    session.expire_all()
    notes = session.scalars(select(Note).where(Note.case_id == case.id)).all()
    assert [n.current.body for n in notes] == [NOTE]


def test_a_held_form_goes_back_only_to_the_user_who_sent_it(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    lawyer, case, old_token = _arrange(app, client, session)
    other = create_user(session, "lawyer", clinic=lawyer.clinic)
    _expire_sessions(session, lawyer.id)
    client.post(f"/cases/{case.id}/notes", data={"body": NOTE, "csrf_token": old_token})

    sign_in(client, app, other, session=session)
    response = client.get("/resume", follow_redirects=True)
    assert NOTE not in response.get_data(as_text=True)
    assert session.scalars(select(HeldForm)).all() == []


def test_a_post_without_its_csrf_token_is_not_held(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    lawyer, case, _token = _arrange(app, client, session)
    _expire_sessions(session, lawyer.id)
    response = client.post(f"/cases/{case.id}/notes", data={"body": NOTE})
    assert response.status_code == 400
    assert session.scalars(select(HeldForm)).all() == []


def test_a_post_after_signing_out_is_not_held(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _lawyer, case, token = _arrange(app, client, session)
    client.post("/logout", data={"csrf_token": token})
    response = client.post(f"/cases/{case.id}/notes", data={"body": NOTE, "csrf_token": token})
    assert response.status_code in (400, 401)
    assert session.scalars(select(HeldForm)).all() == []


def test_the_keepalive_after_expiry_still_answers_401_and_holds_nothing(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    lawyer, _case, token = _arrange(app, client, session)
    _expire_sessions(session, lawyer.id)
    response = client.post("/session/keepalive", headers={"X-CSRFToken": token})
    assert response.status_code == 401
    assert session.scalars(select(HeldForm)).all() == []


def test_an_upload_sent_after_expiry_says_which_file_to_choose_again(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    lawyer, case, old_token = _arrange(app, client, session)
    _expire_sessions(session, lawyer.id)
    response = client.post(
        f"/cases/{case.id}/documents",
        data={
            "csrf_token": old_token,
            "document-kind": "medical_certificate",
            "document-document_date": "2026-11-30",
            "document-description": "Synthetic certificate of injuries",
            "document-files": (io.BytesIO(b"%PDF-1.4 synthetic"), "certificate-nov.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    # The file is not held, neither its content nor (unencrypted) its name.
    raw = session.execute(text("SELECT fields FROM held_form")).scalars().all()
    assert len(raw) == 1
    assert "certificate-nov" not in raw[0]
    assert "PDF" not in raw[0]

    sign_in(client, app, lawyer, session=session)
    page = html.unescape(client.get("/resume").get_data(as_text=True))
    assert "The files you had chosen were not kept: files are never held." in page
    assert "<li>certificate-nov.pdf</li>" in page
    assert 'name="__held_file_name__"' not in page  # the name is said, not posted again
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert fresh
    assert 'name="files_not_kept" value="1"' in page

    # Sent again (as the page does): her other answers are kept, and the file field says
    # plainly that the file must be chosen again, not only "choose a file".
    again = client.post(
        f"/cases/{case.id}/documents",
        data={
            "csrf_token": fresh.group(1),
            "document-kind": "medical_certificate",
            "document-document_date": "2026-11-30",
            "document-description": "Synthetic certificate of injuries",
            "files_not_kept": "1",
        },
    )
    assert again.status_code == 400
    body = html.unescape(again.get_data(as_text=True))
    assert "The file you chose before your session ended was not kept" in body
    assert 'href="#document-files"' in body
    assert "Synthetic certificate of injuries" in body

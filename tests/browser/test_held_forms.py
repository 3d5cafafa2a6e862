"""A form sent after the session expired comes back after signing in again, in Chromium."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

from datetime import timedelta

from sqlalchemy import select, update

from legalaid.accounts.models import User, UserSession
from legalaid.casework.models import Note
from legalaid.database import get_database, utcnow
from tests.browser.conftest import LiveServer, fill_sign_in, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user

NOTE = "Synthetic: she moved to her aunt's; call only after six."


def _expire_and_allow_a_new_code(live_server: LiveServer, user_id: int) -> None:
    """As if she had been away for an hour; her last code step forgotten so that signing
    in again within the same 30 s is not refused as a replayed code."""
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id)
            .values(last_seen_at=utcnow() - timedelta(hours=1))
        )
        session.execute(update(User).where(User.id == user_id).values(totp_last_step=None))
        session.commit()


def test_a_note_sent_after_expiry_is_saved_after_signing_in_again(
    live_server: LiveServer, page: Page
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        case_id = make_case(session, lawyer).id
        email, secret, user_id = lawyer.email, str(lawyer.totp_secret), lawyer.id

    sign_in(page, live_server.url, email, secret)
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_text("Add a note").click()
    page.get_by_role("textbox", name="Note").fill(NOTE)
    _expire_and_allow_a_new_code(live_server, user_id)
    page.get_by_role("button", name="Save the note").click()

    page.wait_for_url("**/login**")
    assert "It is kept for 10 minutes" in page.content()
    fill_sign_in(page, email, secret)
    page.wait_for_url("**/resume")
    assert page.get_by_role("heading", name="Your form was kept").is_visible()
    page.get_by_role("button", name="Send it again").click()
    page.wait_for_url(f"**/cases/{case_id}**")
    assert "Note added." in page.content()
    assert NOTE in page.inner_text("main")
    with app.app_context(), get_database(app).session_factory() as session:
        notes = session.scalars(select(Note).where(Note.case_id == case_id)).all()
        assert [note.current.body for note in notes] == [NOTE]
    # Nothing of the form was put in the browser's storage.
    stored = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert "aunt" not in stored


def test_an_incomplete_intake_sent_after_expiry_comes_back_filled(
    live_server: LiveServer, page: Page
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        email, secret, user_id = lawyer.email, str(lawyer.totp_secret), lawyer.id

    sign_in(page, live_server.url, email, secret)
    page.goto(live_server.url + "/cases/intake")
    page.get_by_label("Full name").fill("Synthetic Aynur Həsənova")
    page.locator("#summary").fill("Synthetic: a long account typed over half an hour.")
    _expire_and_allow_a_new_code(live_server, user_id)
    page.get_by_role("button", name="Save the intake").click()

    page.wait_for_url("**/login**")
    fill_sign_in(page, email, secret)
    page.wait_for_url("**/resume")
    page.get_by_role("button", name="Send it again").click()
    page.wait_for_load_state()
    # Not valid yet: the intake is back with what she typed and what is missing.
    assert page.get_by_label("Full name").input_value() == "Synthetic Aynur Həsənova"
    assert "half an hour" in page.locator("#summary").input_value()
    assert page.locator(".error-summary").is_visible()

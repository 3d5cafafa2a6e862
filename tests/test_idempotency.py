"""A repeated form post (double click, retry after a dropped connection) saves once."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.casework.models import Note
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, sign_in
from tests.forms_in_pages import form_with
from tests.test_races import World, _signed_in, world  # noqa: F401 - fixture


def _notes(session: Session, case_id: int) -> int:
    session.expire_all()
    return session.scalars(
        select(func.count()).select_from(Note).where(Note.case_id == case_id)
    ).one()


def test_every_post_form_carries_a_fresh_submission_token(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    case_ = make_case(session, lawyer)
    browser = app.test_client()
    sign_in(browser, app, lawyer, session=session)
    html = browser.get(f"/cases/{case_.id}").get_data(as_text=True)
    first = form_with(html, "body")["submission_token"]
    again = form_with(browser.get(f"/cases/{case_.id}").get_data(as_text=True), "body")
    assert first
    assert again["submission_token"] != first
    assert html.count('name="submission_token"') == html.count('name="csrf_token"')


def test_the_same_note_sent_twice_is_saved_once(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    case_ = make_case(session, lawyer)
    browser = app.test_client()
    sign_in(browser, app, lawyer, session=session)
    form = form_with(browser.get(f"/cases/{case_.id}").get_data(as_text=True), "body")
    data = {**form, "body": "Client called about the hearing"}
    url = f"/cases/{case_.id}/notes"
    first = browser.post(url, data=data)
    assert first.status_code == 302
    second = browser.post(url, data=data)  # the retry after a dropped connection
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert _notes(session, case_.id) == 1
    page = browser.get(second.headers["Location"]).get_data(as_text=True)
    assert "already sent and saved once" in page
    assert "Client called about the hearing" in page
    # A new page (a new token) adds a new note.
    form = form_with(browser.get(f"/cases/{case_.id}").get_data(as_text=True), "body")
    assert browser.post(url, data={**form, "body": "Second note"}).status_code == 302
    assert _notes(session, case_.id) == 2


def test_a_form_error_does_not_use_up_the_token(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    case_ = make_case(session, lawyer)
    browser = app.test_client()
    sign_in(browser, app, lawyer, session=session)
    form = form_with(browser.get(f"/cases/{case_.id}").get_data(as_text=True), "body")
    url = f"/cases/{case_.id}/notes"
    assert browser.post(url, data={**form, "body": ""}).status_code != 302
    assert browser.post(url, data={**form, "body": "Now with text"}).status_code == 302
    assert _notes(session, case_.id) == 1


def test_a_double_click_of_two_concurrent_posts_saves_once(world: World) -> None:  # noqa: F811
    case_ = make_case(world.session, world.lawyer)
    browser = _signed_in(world, world.lawyer)
    form = form_with(browser.get(f"/cases/{case_.id}").get_data(as_text=True), "body")
    data = {**form, "body": "Double-clicked note"}
    responses: list[Any] = [None, None]

    def send(i: int) -> None:
        responses[i] = browser.post(f"/cases/{case_.id}/notes", data=data)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [302, 302]
    assert _notes(world.session, case_.id) == 1

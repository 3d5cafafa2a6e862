"""What is typed into a search box is not in any URL (issue 12, point 8): the case and
client searches post their term, the server holds it on the session, and the browser is
sent to a list URL without it; nothing typed reaches the query string or the access log."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.case_factories import make_case
from tests.factories import create_user, sign_in
from tests.helpers import csrf_token

TYPED = "Sevinj Mammadova"


@pytest.mark.parametrize("path", ["/cases/", "/clients/"])
def test_the_search_form_posts_and_the_term_never_reaches_a_url(
    app: Flask, session: Session, path: str
) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    page = client.get(path).get_data(as_text=True)
    assert 'method="post" class="filters" role="search"' in page
    token = csrf_token(client, path)
    response = client.post(path, data={"q": TYPED, "status": "open", "csrf_token": token})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "Sevinj" not in location
    assert "q=" not in location
    shown = client.get(location).get_data(as_text=True)
    # The list still shows what was typed, in its box: the term is held by the server.
    assert f'value="{TYPED}"' in shown


def test_a_case_number_search_still_finds_the_case(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    mine = [make_case(session, lawyer) for _ in range(2)]
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    token = csrf_token(client, "/cases/")
    found = client.post(
        "/cases/", data={"q": mine[0].number, "csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert mine[0].number in found
    assert mine[1].number not in found
    # An empty search clears the held term.
    cleared = client.post(
        "/cases/", data={"q": "", "csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert mine[0].number in cleared
    assert mine[1].number in cleared


def test_an_old_link_with_the_term_is_moved_out_of_the_url(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    response = client.get("/clients/?q=Sevinj&page=2")
    assert response.status_code == 303
    assert "Sevinj" not in response.headers["Location"]


def test_the_search_without_csrf_is_refused(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    assert client.post("/cases/", data={"q": TYPED}).status_code == 400


def test_the_held_term_is_another_sessions_secret(app: Flask, session: Session) -> None:
    lawyer = create_user(session, "lawyer")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, app, lawyer, session=session)
    sign_in(elsewhere, app, lawyer, session=session)
    token = csrf_token(here, "/cases/")
    here.post("/cases/", data={"q": TYPED, "csrf_token": token})
    assert TYPED not in elsewhere.get("/cases/").get_data(as_text=True)

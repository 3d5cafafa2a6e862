"""All errors of an intake are found in one submit, the category's required fields included."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token


def _post_intake(client: FlaskClient, **data: str) -> str:
    token = csrf_token(client, "/cases/intake")
    response = client.post("/cases/intake", data={"csrf_token": token, "action": "save", **data})
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _signed_in_lawyer(app: Flask, client: FlaskClient, session: Session) -> None:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    sign_in(client, app, lawyer, session=session)


def test_a_gbv_intake_shows_every_missing_field_at_once(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _signed_in_lawyer(app, client, session)
    page = _post_intake(client, full_name="", category="gbv", risk_level="high")
    summary = page[
        page.index('class="error-summary"') : page.index(
            "</div>", page.index('class="error-summary"')
        )
    ]
    for message in (
        "Full name: This field is required.",
        "Choose the type of violence.",
        "Choose an age band, or give the date of birth.",
        "Choose whether to proceed or decline.",
        "Gender identity:",
    ):
        assert message in summary, message


def test_a_discrimination_intake_without_a_ground_says_so(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _signed_in_lawyer(app, client, session)
    page = _post_intake(
        client,
        full_name="Synthetic Leyla Quliyeva",
        category="discrimination",
        risk_level="medium",
        gender_identity="woman",
        age_band="25_29",
        economic_region="baku",
        settlement="urban",
        disability="no",
        decision="proceed",
    )
    assert "Choose at least one ground." in page
    assert "Choose where it happened." in page
    # The summary's link reaches the first ground's checkbox.
    assert 'href="#grounds-0"' in page
    assert 'id="grounds-0"' in page
    assert 'value="Synthetic Leyla Quliyeva"' in page


def test_declining_without_a_reason_is_found_with_the_rest(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _signed_in_lawyer(app, client, session)
    page = _post_intake(client, full_name="Synthetic", category="gbv", decision="decline")
    assert "Give the reason for declining." in page
    assert "Choose the type of violence." in page

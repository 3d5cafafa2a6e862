"""Pasted text longer than a field's limit is not cut: a counter says so, the save refuses it
and keeps the text; the intake's errors arrive together with the conditional fields marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

from legalaid.database import get_database
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import create_clinic, create_user


def test_pasted_text_over_the_limit_is_kept_and_explained(
    live_server: LiveServer, page: Page
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        email, secret = lawyer.email, str(lawyer.totp_secret)
    sign_in(page, live_server.url, email, secret)
    page.goto(live_server.url + "/cases/intake")

    summary = page.locator("#summary")
    assert summary.get_attribute("maxlength") is None
    long_text = "Synthetic account. " * 300  # 5,700 characters, the limit is 5,000
    summary.fill(long_text)
    assert summary.input_value() == long_text, "nothing was cut"
    counter = page.locator("#summary-count")
    assert "700 characters too many: at most 5000" in counter.inner_text()
    assert summary.get_attribute("aria-invalid") == "true"

    page.get_by_label("Full name").fill("Synthetic Nərgiz Əliyeva")
    page.locator("#category").select_option("discrimination")
    page.get_by_role("button", name="Save the intake").click()
    page.wait_for_load_state()
    errors = page.locator(".error-summary").inner_text()
    # One submit: the length, the ground, the domain, the age band, the decision together.
    for message in (
        "5000",
        "Choose at least one ground.",
        "Choose where it happened.",
        "Choose an age band, or give the date of birth.",
        "Choose whether to proceed or decline.",
    ):
        assert message in errors, message
    assert page.locator("#summary").input_value() == long_text.replace("\r\n", "\n")
    assert (
        page.locator("legend", has_text="Grounds of discrimination")
        .inner_text()
        .endswith("(at least one, required for discrimination)")
    )
    # The summary's link for the grounds reaches the first checkbox.
    page.locator(".error-summary a", has_text="Choose at least one ground.").click()
    assert page.evaluate("() => document.activeElement.id") == "grounds-0"

    summary = page.locator("#summary")
    summary.fill("Synthetic: short now.")
    assert page.locator("#summary-count").inner_text() == "21 of 5000 characters"

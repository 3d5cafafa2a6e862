"""A lawyer finds her client by name, typed in another script, and sees her name on the case."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

from legalaid.database import get_database
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user


def test_a_lawyer_finds_her_client_by_name_in_cyrillic(live_server: LiveServer, page: Page) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        case = make_case(session, lawyer, full_name="Günay Məmmədova", phone="+994 50 000 00 00")
        make_case(session, lawyer, full_name="Sevinc Əliyeva")
        email, secret, number = lawyer.email, str(lawyer.totp_secret), case.client.number

    sign_in(page, live_server.url, email, secret)
    page.locator(".nav-pages").get_by_role("link", name="Clients").click()
    page.get_by_label("Client number or name").fill("Мамедова")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    assert "Мамедова" not in page.url
    assert "%D0" not in page.url
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "Günay Məmmədova" in rows.inner_text()
    page.get_by_role("link", name=number).click()
    page.wait_for_url("**/clients/*")
    # Her case page shows her name and phone beside the safe-contact rules.
    page.locator("main a[href^='/cases/']").first.click()
    page.wait_for_url("**/cases/*")
    header = page.locator("main header").first.inner_text()
    assert "Günay Məmmədova" in header
    contact = page.locator("section[aria-labelledby=contact-heading]").inner_text()
    assert "+994 50 000 00 00" in contact

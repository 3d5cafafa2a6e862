"""The case summary prints without navigation, forms or toggles, in the user's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

from legalaid.database import get_database
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user


def test_the_case_summary_prints_without_navigation_or_forms(
    live_server: LiveServer, page: Page
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        case = make_case(session, lawyer, risk="high", full_name="Synthetic Lalə Rzayeva")
        email, secret, case_id = lawyer.email, str(lawyer.totp_secret), case.id
    sign_in(page, live_server.url, email, secret)
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_role("link", name="Print case summary").click()
    page.wait_for_url("**/print")
    assert not page.locator(".site-nav").is_visible()
    assert page.locator("form:visible, details:visible").count() == 0
    assert "Synthetic Lalə Rzayeva" in page.inner_text("main")
    # On paper (print media) the normal case page drops the same, and badges get a border.
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.emulate_media(media="print")
    assert page.locator("form:visible, details:visible, .site-nav:visible").count() == 0
    border = page.locator(".badge-danger").first.evaluate("e => getComputedStyle(e).borderTopStyle")
    assert border == "solid"
    page.emulate_media(media="screen")

    page.locator("#language-select").select_option("az")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/cases/{case_id}/print")
    assert page.locator("html").get_attribute("lang") == "az"

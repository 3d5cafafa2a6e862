from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

from tests.browser.conftest import LiveServer


def test_visitor_switches_language_to_azerbaijani_and_russian(
    live_server: LiveServer, page: Page
) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Free legal aid clinics"

    page.get_by_label("Language").select_option("az")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Pulsuz hüquqi yardım klinikaları"
    assert page.locator("html").get_attribute("lang") == "az"

    page.get_by_label("Dil").select_option("ru")
    page.get_by_role("button", name="Dili dəyiş").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Бесплатные юридические клиники"

    # The choice is remembered on the next visit.
    page.goto(live_server.url + "/no-such-page")
    assert page.locator("h1").inner_text() == "Страница не найдена"

"""Typing is activity: a lawyer writing a long intake is not signed out half way through."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

from legalaid.database import get_database
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import create_clinic, create_user


def test_typing_sends_a_throttled_keepalive(live_server: LiveServer, page: Page) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        user = create_user(session, "lawyer", clinic=clinic)
        email, secret = user.email, user.totp_secret
    assert secret
    # The page's clock is the test's: minutes pass without waiting for them.
    page.clock.install()
    sign_in(page, live_server.url, email, secret)
    page.goto(live_server.url + "/cases/intake")
    assert page.locator("h1").count() == 1

    keepalives: list[int] = []
    page.on(
        "response",
        lambda r: keepalives.append(r.status) if r.url.endswith("/session/keepalive") else None,
    )
    field = page.locator("textarea, input[type=text]").first
    field.press_sequentially("Client called")
    page.wait_for_timeout(300)
    assert keepalives == [], "the page was just loaded: nothing to keep alive yet"

    # Without typing, time passing sends nothing (an unattended screen still times out).
    page.clock.run_for(61_000)
    page.wait_for_timeout(300)
    assert keepalives == []

    field.press_sequentially(" back")
    page.wait_for_timeout(500)
    assert keepalives == [204], "typing after a minute keeps the session alive"

    field.press_sequentially(" on Friday")
    page.wait_for_timeout(300)
    assert keepalives == [204], "at most one keepalive a minute"

    page.clock.run_for(61_000)
    field.press_sequentially(".")
    page.wait_for_timeout(500)
    assert keepalives == [204, 204]
    assert page.locator("#idle-warning[open]").count() == 0

"""An intake done with the keyboard alone, every control showing where the focus is; and
the time of a hearing entered and shown in Baku time whatever the computer's time zone.

One server and one browser context for both (CI's time is short); the pages do not depend
on the database engine, so this runs in the SQLite pass only."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from legalaid.calendar import today
from legalaid.casework.models import Hearing
from legalaid.database import get_database
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import create_clinic, create_user

pytestmark = pytest.mark.sqlite_only

#: Far from Baku (UTC+4): a time converted by the browser's zone would show.
BROWSER_ZONE = "America/Los_Angeles"

_FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',
          text: (e.innerText || '').trim().slice(0, 40), visible: outline || ring,
          cls: e.className || ''};
}"""


class Keyboard:
    """Tab through the page as she would, noting any control whose focus is not visible."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unseen: list[str] = []

    def focused(self) -> dict[str, str]:
        found: dict[str, str] = self.page.evaluate(_FOCUSED)
        if not found["visible"] and found["tag"] != "body":
            self.unseen.append(f"{found['tag']}#{found['id']} {found['text']}")
        return found

    def tab_to(self, match: str, *, limit: int = 120) -> None:
        """Press Tab until the focused element has this id, or is a button with this text."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            found = self.focused()
            if match in (found["id"], found["text"]):
                return
        raise AssertionError(f"Tab never reached {match}")

    def type_into(self, field_id: str, text: str) -> None:
        self.tab_to(field_id)
        self.page.keyboard.type(text)

    def choose(self, field_id: str, label: str) -> None:
        """A select, by typing the start of the option's label (as a keyboard user does)."""
        self.tab_to(field_id)
        self.page.keyboard.type(label)

    def tick(self, field_id: str) -> None:
        self.tab_to(field_id)
        self.page.keyboard.press("Space")

    def press_button(self, text: str) -> None:
        self.tab_to(text)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


def test_an_intake_with_the_keyboard_alone_then_a_hearing_in_baku_time(
    live_server: LiveServer, browser: Browser
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        session.commit()
        email, secret = lawyer.email, str(lawyer.totp_secret)
    context = browser.new_context(
        locale="en-GB", timezone_id=BROWSER_ZONE, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, email, secret)
        page.goto(live_server.url + "/cases/intake")
        keys = Keyboard(page)
        # The first Tab reaches the skip link, which is shown when focused.
        page.keyboard.press("Tab")
        assert keys.focused()["cls"] == "skip-link"
        assert page.locator(".skip-link").is_visible()

        keys.type_into("full_name", "Synthetic Sevda Kərimova")
        keys.type_into("respondents-0-name", "Synthetic Elnur Kərimov")
        keys.choose("respondents-0-relation", "Intimate")
        keys.press_button("Run the conflict check")
        assert "No match among the clients and respondents of any clinic." in page.content()

        # Saved too early: the error summary takes the focus, and its links lead to fields.
        keys.press_button("Save the intake")
        summary = page.locator(".error-summary")
        assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
        assert "Choose the type of violence." not in summary.inner_text()  # no category yet
        page.keyboard.press("Tab")
        first_link = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert first_link
        assert first_link.startswith("#")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == first_link[1:]
        assert page.get_by_label("Full name").input_value() == "Synthetic Sevda Kərimova"

        # The rest of the intake from the top, with the keyboard.
        page.locator("h1").focus()
        keys.choose("gender_identity", "Woman")
        keys.choose("age_band", "30")
        keys.choose("economic_region", "Baku")
        keys.choose("settlement", "Urban")
        keys.choose("disability", "No")
        keys.tick("consent_services")
        keys.choose("category", "Gender")
        keys.choose("risk_level", "High")
        keys.choose("gbv_type", "Physical")
        keys.tick("decision-0")
        keys.press_button("Save the intake")
        page.wait_for_url("**/cases/*")
        assert "recorded." in page.content()
        assert keys.unseen == [], keys.unseen
        case_url = page.url

        # A hearing at 10:30 Baku time, entered in a browser eight hours behind UTC.
        day = today() + timedelta(days=2)
        page.get_by_text("Add a hearing or deadline").click()
        assert page.get_by_label("Time (Baku)").is_visible()
        page.locator("#kind").select_option("hearing")
        page.locator("#due_on").fill(day.isoformat())
        page.get_by_label("Time (Baku)").fill("10:30")
        page.get_by_label("Duration in minutes").fill("45")
        page.get_by_role("button", name="Save the date").click()
        page.wait_for_load_state()
        assert "Hearing or deadline added." in page.content()
        assert "10:30 · 45 min" in page.content()
        page.goto(live_server.url + "/agenda")
        row = page.locator("tr", has_text="10:30")
        assert row.count() == 1
        assert "45 min" in row.inner_text()
        with app.app_context(), get_database(app).session_factory() as session:
            hearing = session.scalars(select(Hearing)).one()
            assert (hearing.due_on, hearing.starts_at) == (day, time(10, 30))
        assert case_url
    finally:
        context.close()

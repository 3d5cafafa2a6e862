"""Lists a lawyer reads all day: counts in badges are readable (WCAG 1.4.3: at least 4.5:1;
the overdue count on the caseload read 1.04:1, a link's blue on the amber badge), and case
numbers stay on one line on a phone (they wrapped over three)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

import re
from datetime import timedelta

from legalaid.calendar import today
from legalaid.casework.models import Hearing
from legalaid.database import get_database
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user


def _luminance(css_colour: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_overdue_count_on_the_caseload_is_readable(live_server: LiveServer, page: Page) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        case_ = make_case(session, lawyer)
        session.add(Hearing(case_id=case_.id, kind="hearing", due_on=today() - timedelta(days=2)))
        session.commit()
        email, secret = lawyer.email, lawyer.totp_secret
    assert secret
    sign_in(page, live_server.url, email, secret)
    page.goto(live_server.url + "/caseload")
    links = page.locator(".badge a")
    assert links.count() >= 1
    for i in range(links.count()):
        colours = links.nth(i).evaluate(
            "a => [getComputedStyle(a).color,"
            " getComputedStyle(a.closest('.badge')).backgroundColor]"
        )
        assert contrast(*colours) >= 4.5, colours


def test_case_numbers_stay_on_one_line_on_a_phone(live_server: LiveServer, page: Page) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        for _ in range(3):
            make_case(session, lawyer)
        session.commit()
        email, secret = lawyer.email, lawyer.totp_secret
    assert secret
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, email, secret)
    for path in ("/cases/",):
        page.goto(live_server.url + path)
        numbers = page.locator(".record-number")
        assert numbers.count() >= 3, path
        for i in range(numbers.count()):
            # One line box per number: getClientRects() has one rectangle per line.
            assert numbers.nth(i).evaluate("a => a.getClientRects().length") == 1, path


def test_a_failed_save_takes_her_to_the_error_summary(live_server: LiveServer, page: Page) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        session.commit()
        email, secret = lawyer.email, lawyer.totp_secret
    assert secret
    sign_in(page, live_server.url, email, secret)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/cases/intake")
    page.get_by_role("button", name="Save the intake").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.count() == 1
    # Focus is on the summary (read out first), and the page shows it without scrolling.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    box = summary.bounding_box()
    assert box is not None, "the summary is not shown"
    assert box["y"] < 844
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")
    assert target is not None
    first_link.click()
    assert page.evaluate("document.activeElement.id") == target.lstrip("#")

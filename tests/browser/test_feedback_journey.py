"""A lawyer closes a case through its page (confirming that its hearing leaves the
agenda) and prints feedback slips; an anonymous phone answers in Azerbaijani; the manager
sees nothing until five answers exist, then the counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

from datetime import timedelta

from sqlalchemy import func, select

from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.casework.models import Hearing
from legalaid.database import get_database
from legalaid.feedback.models import FeedbackCode
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user


def _answer_on_a_phone(browser: Browser, url: str, code: str) -> str:
    context = browser.new_context(locale="az-AZ", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        phone.goto(url + "/feedback")
        assert phone.locator("html").get_attribute("lang") == "az"
        # Nothing wider than the screen: no sideways scrolling on a cheap phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.get_by_label("Rəy kodunuz").fill(code.lower())
        phone.get_by_label("5 — çox razıyam").check()
        phone.locator("#respected-0").check()
        phone.get_by_role("button", name="Cavablarımı göndər").click()
        phone.wait_for_load_state()
        return str(phone.locator("h1").inner_text())
    finally:
        context.close()


def _print_slip(page: Page, url: str, case_id: int) -> str:
    page.goto(f"{url}/cases/{case_id}")
    page.get_by_role("button", name="Print a feedback slip").click()
    page.wait_for_load_state()
    code = str(page.locator(".slip-code").inner_text())
    assert len(code) == 11
    assert "/feedback" in page.locator(".slip-address").inner_text()
    assert "Synthetic Slip Client" not in page.content()
    return code


def test_close_on_the_page_then_slip_then_anonymous_answers_then_counts(
    live_server: LiveServer, page: Page, browser: Browser
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        manager = create_user(session, "manager", clinic=clinic)
        case = make_case(session, lawyer, full_name="Synthetic Slip Client")
        # A hearing still to come: closing asks first.
        session.add(Hearing(case_id=case.id, kind="hearing", due_on=today() + timedelta(days=5)))
        session.commit()
        case_id = case.id
        lawyer_login = (lawyer.email, str(lawyer.totp_secret))
        manager_login = (manager.email, str(manager.totp_secret))

    sign_in(page, live_server.url, *lawyer_login)
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_label("Outcome").select_option("resolved_favour")
    page.get_by_role("button", name="Close the case").click()
    page.wait_for_load_state()
    assert "This case has 1 hearing or deadline still to come" in page.content()
    with app.app_context(), get_database(app).session_factory() as session:
        assert session.get(Case, case_id).status != "closed"  # type: ignore[union-attr]
    # The choice made is kept; she confirms and closes.
    assert page.get_by_label("Outcome").input_value() == "resolved_favour"
    page.get_by_label("Close it anyway: its hearings and deadlines leave the agenda").check()
    page.get_by_role("button", name="Close the case").click()
    page.wait_for_load_state()
    assert "The case is closed." in page.content()
    with app.app_context(), get_database(app).session_factory() as session:
        closed = session.get(Case, case_id)
        assert closed is not None
        assert closed.status == "closed"
        assert closed.outcome == "resolved_favour"
        assert closed.closed_on == today()

    code = _print_slip(page, live_server.url, case_id)
    assert _answer_on_a_phone(browser, live_server.url, code) == "Təşəkkür edirik"
    # The same code again: refused, with the same words as any wrong code.
    context = browser.new_context(locale="az-AZ", viewport={"width": 390, "height": 844})
    again = context.new_page()
    again.goto(live_server.url + "/feedback")
    again.get_by_label("Rəy kodunuz").fill(code)
    again.get_by_label("5 — çox razıyam").check()
    again.get_by_role("button", name="Cavablarımı göndər").click()
    again.wait_for_load_state()
    assert "Bu kod işləmir" in again.content()
    context.close()

    # Four more slips, printed from the closed case's page as on her request.
    codes = [_print_slip(page, live_server.url, case_id) for _ in range(4)]
    assert len(set(codes) | {code}) == 5
    with app.app_context(), get_database(app).session_factory() as session:
        # Four waiting; the used one was deleted when its answer was saved.
        assert session.scalar(select(func.count()).select_from(FeedbackCode)) == 4

    page.context.clear_cookies()
    sign_in(page, live_server.url, *manager_login)
    page.goto(live_server.url + "/feedback/results")
    assert "Fewer than 5 answers" in page.content()

    for code in codes:
        assert _answer_on_a_phone(browser, live_server.url, code) == "Təşəkkür edirik"
    page.goto(live_server.url + "/feedback/results")
    content = page.content()
    assert "Fewer than" not in content
    assert "5 answers" in content

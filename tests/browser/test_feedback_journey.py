"""A lawyer prints a feedback slip; an anonymous phone answers in Azerbaijani; the manager
sees nothing until five answers exist, then the counts."""

from __future__ import annotations

from legalaid.calendar import today
from legalaid.cases.services import close_case
from legalaid.database import get_database
from legalaid.feedback.services import issue_code
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user


def _answer_on_a_phone(browser, url: str, code: str) -> str:  # type: ignore[no-untyped-def]
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


def test_slip_then_anonymous_answers_then_counts(live_server: LiveServer, page, browser) -> None:  # type: ignore[no-untyped-def]
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        manager = create_user(session, "manager", clinic=clinic)
        case = make_case(session, lawyer, full_name="Synthetic Slip Client")
        close_case(
            session,
            case,
            expected_version=case.version,
            outcome="resolved_favour",
            closed_on=today(),
            by=lawyer.id,
            today=today(),
        )
        session.commit()
        case_id, clinic_id = case.id, clinic.id
        lawyer_login = (lawyer.email, str(lawyer.totp_secret))
        manager_login = (manager.email, str(manager.totp_secret))

    sign_in(page, live_server.url, *lawyer_login)
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_role("button", name="Print a feedback slip").click()
    page.wait_for_load_state()
    code = page.locator(".slip-code").inner_text()
    assert len(code) == 11 and "/feedback" in page.locator(".slip-address").inner_text()
    assert "Synthetic Slip Client" not in page.content()

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

    with app.app_context(), get_database(app).transaction() as session:
        policy = app.extensions["legalaid.policies"].feedback
        codes = [
            issue_code(session, clinic_id=clinic_id, category="gbv", today=today(), policy=policy)
            for _ in range(4)
        ]

    page.context.clear_cookies()
    sign_in(page, live_server.url, *manager_login)
    page.goto(live_server.url + "/feedback/results")
    assert "Fewer than 5 answers" in page.content()

    for code in codes:
        assert _answer_on_a_phone(browser, live_server.url, code) == "Təşəkkür edirik"
    page.goto(live_server.url + "/feedback/results")
    content = page.content()
    assert "Fewer than" not in content and "5 answers" in content

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

import time

import pyotp
import pytest

from legalaid.database import get_database
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, create_clinic, create_user

HOMES = {
    "lawyer": "My caseload",
    "manager": "Clinic overview",
    "task_force": "National indicators",
    "admin": "Administration",
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_signs_in_with_password_and_totp(
    live_server: LiveServer, page: Page, role: str
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session) if role in ("lawyer", "manager") else None
        user = create_user(session, role, clinic=clinic)
        email, secret = user.email, user.totp_secret
    assert secret

    page.goto(live_server.url + "/home")
    assert "/login" in page.url  # signed-out visitors are sent to sign in
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/two-factor")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(time.time()))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == HOMES[role]

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "You are signed out"
    page.goto(live_server.url + "/home")
    assert "/login" in page.url


def test_first_sign_in_enrols_the_authenticator(live_server: LiveServer, page: Page) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        user = create_user(session, "task_force", enrolled=False)
        email = user.email
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/enrol")
    assert page.locator("figure.qr svg").count() == 1
    secret = page.locator("code.totp-secret").inner_text()
    page.get_by_label("6-digit code shown by the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Recovery codes"
    assert page.locator("ul.recovery-codes li").count() == 10
    page.get_by_role("button", name="I have saved them, continue").click()
    assert page.locator("h1").inner_text() == "National indicators"

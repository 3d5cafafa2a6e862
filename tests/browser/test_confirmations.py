"""Clicks that cannot be undone ask first, on a page, in a browser without JavaScript:
disabling and resetting an account, revoking an API token, new recovery codes. (Closing a
case with hearings to come: test_case_journeys.py; freezing a release:
test_release_journey.py.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from sqlalchemy import select

from legalaid.accounts.models import User
from legalaid.database import get_database
from legalaid.tokens.models import ApiToken
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import PASSWORD, create_user


def _no_script_tab(browser: Browser, live_server: LiveServer, email: str, secret: str):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    sign_in(tab, live_server.url, email, secret)
    return context, tab


def test_an_administrator_is_asked_before_disabling_or_resetting(
    live_server: LiveServer, browser: Browser
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        admin = create_user(session, "admin")
        lawyer = create_user(session, "lawyer")
        session.commit()
        email, secret = admin.email, str(admin.totp_secret)
        lawyer_id, name, hash_before = lawyer.id, lawyer.full_name, lawyer.password_hash
    context, tab = _no_script_tab(browser, live_server, email, secret)
    try:
        tab.goto(f"{live_server.url}/admin/accounts/{lawyer_id}")
        tab.get_by_role("button", name="Disable account").click()
        tab.get_by_role("heading", name=f"Disable {name}?").wait_for()
        assert "signed out everywhere" in tab.content()
        tab.get_by_role("button", name="Cancel").click()
        tab.wait_for_url(f"**/admin/accounts/{lawyer_id}")
        with app.app_context(), get_database(app).session_factory() as session:
            assert session.get_one(User, lawyer_id).active, "cancelled: still active"

        tab.get_by_role("button", name="Reset password and two-step sign-in").click()
        tab.get_by_role("heading", name=f"Reset {name}'s sign-in?").wait_for()
        with app.app_context(), get_database(app).session_factory() as session:
            assert session.get_one(User, lawyer_id).password_hash == hash_before, "not yet reset"

        tab.goto(f"{live_server.url}/admin/accounts/{lawyer_id}")
        tab.get_by_role("button", name="Disable account").click()
        tab.get_by_role("heading", name=f"Disable {name}?").wait_for()
        tab.locator("main").get_by_role("button", name="Disable account").click()
        tab.get_by_text("Account disabled and signed out.").wait_for()
        with app.app_context(), get_database(app).session_factory() as session:
            assert not session.get_one(User, lawyer_id).active
    finally:
        context.close()


def test_revoking_a_token_and_new_recovery_codes_ask_first(
    live_server: LiveServer, browser: Browser
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        member = create_user(session, "task_force")
        session.commit()
        email, secret, member_id = member.email, str(member.totp_secret), member.id
    context, tab = _no_script_tab(browser, live_server, email, secret)
    try:
        tab.goto(f"{live_server.url}/settings/tokens")
        tab.get_by_label("Name").fill("DHIS2 import")
        tab.get_by_role("button", name="Make a token").click()
        tab.get_by_role("button", name="Revoke").click()
        tab.get_by_role("heading", name="Revoke this token?").wait_for()
        with app.app_context(), get_database(app).session_factory() as session:
            token = session.scalars(select(ApiToken).where(ApiToken.user_id == member_id)).one()
            assert token.revoked_at is None, "nothing happens before the confirmation"
        tab.locator("main").get_by_role("button", name="Revoke").click()
        tab.get_by_text("The token is revoked: it no longer opens the API.").wait_for()
        with app.app_context(), get_database(app).session_factory() as session:
            token = session.scalars(select(ApiToken).where(ApiToken.user_id == member_id)).one()
            assert token.revoked_at is not None

        tab.goto(f"{live_server.url}/account")
        codes = tab.get_by_role("region", name="Recovery codes")
        codes.get_by_label("Current password").fill(PASSWORD)
        codes.get_by_role("button", name="Make new recovery codes").click()
        tab.get_by_role("heading", name="Make new recovery codes?").wait_for()
        assert "stop working at once" in tab.content()
        tab.locator("main").get_by_role("button", name="Make new recovery codes").click()
        tab.get_by_role("heading", name="Recovery codes").wait_for()
    finally:
        context.close()

"""Every main page of every role fits the screen: no horizontal scroll at 390, 768 and
1280 px, in English, Azerbaijani and Russian, and the navigation stays reachable."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from legalaid.calendar import today
from legalaid.database import get_database
from legalaid.releases.services import create_release
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user
from tests.training_factories import make_training

WIDTHS = (390, 768, 1280)
LANGUAGES = ("en", "az", "ru")
IN_QUARTER = date(2026, 5, 4)
COLLAPSED_BELOW = 1024
#: A directory to keep a screenshot of each page at 390 and 1280 px in (for a reviewer).
SCREENSHOTS = os.environ.get("LEGALAID_SCREENSHOTS", "")


def _arrange(live_server: LiveServer) -> dict[str, tuple[str, str, list[str]]]:
    """Each role's account and the record pages she opens besides her menu."""
    app = live_server.app
    policies = app.extensions["legalaid.policies"]
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        manager = create_user(session, "manager", clinic=clinic)
        cases = [make_case(session, lawyer, on=IN_QUARTER + timedelta(days=n)) for n in range(6)]
        cases.append(
            make_case(
                session,
                lawyer,
                category="discrimination",
                respondents=(("Synthetic Respondent Name", "employer"),),
            )
        )
        training = make_training(session, manager)
        task_force = create_user(session, "task_force")
        admin = create_user(session, "admin")
        release = create_release(
            session,
            catalogue=policies.indicators,
            policy=policies.disclosure,
            user=task_force,
            period_code="2026Q2",
            reason=None,
            today=today(),
        )
        session.commit()
        case_pages = [
            f"/cases/{cases[0].id}",
            f"/cases/{cases[-1].id}",
            f"/clients/{cases[0].client_id}",
        ]
        return {
            "lawyer": (lawyer.email, str(lawyer.totp_secret), case_pages),
            "manager": (
                manager.email,
                str(manager.totp_secret),
                [*case_pages, f"/trainings/{training.id}", "/releases/new"],
            ),
            "task_force": (
                task_force.email,
                str(task_force.totp_secret),
                [f"/releases/{release.id}", "/releases/new"],
            ),
            "admin": (admin.email, str(admin.totp_secret), []),
        }


def _choose_language(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#language-select").select_option(code)
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()


def _too_wide(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth"))


def _culprits(page) -> str:  # type: ignore[no-untyped-def]
    """The innermost elements that reach past the right edge, to say what to fix."""
    return str(
        page.evaluate(
            """() => [...document.querySelectorAll('main *, header *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
              .filter(e => ![...e.children].some(
                  c => c.getBoundingClientRect().right > window.innerWidth + 1))
              .slice(0, 3)
              .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                        + (e.id ? '#' + e.id : ''))
              .join(', ')"""
        )
    )


@pytest.mark.parametrize("role", ["lawyer", "manager", "task_force", "admin"])
def test_no_main_page_scrolls_sideways(live_server: LiveServer, browser, role: str) -> None:  # type: ignore[no-untyped-def]
    accounts = _arrange(live_server)
    email, secret, record_pages = accounts[role]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, email, secret)
        menu = page.eval_on_selector_all(
            ".nav-pages a", "links => links.map(a => new URL(a.href).pathname)"
        )
        assert menu, "the signed-in menu lists pages"
        pages = [*dict.fromkeys([*menu, "/account", *record_pages])]
        too_wide: list[str] = []
        for language in LANGUAGES:
            _choose_language(page, language)
            for path in pages:
                response = page.goto(live_server.url + path)
                assert response is not None and response.status == 200, path
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    excess = _too_wide(page)
                    if excess > 0:
                        too_wide.append(
                            f"{language} {width}px {path}: {excess}px too wide ({_culprits(page)})"
                        )
                    if SCREENSHOTS and width in (390, 1280):
                        slug = path.strip("/").replace("/", "_") or "root"
                        name = f"{role}-{language}-{width}-{slug}"
                        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))
                    toggle = page.locator(".nav-toggle-label")
                    assert toggle.is_visible() == (width < COLLAPSED_BELOW), (language, width)
                    if width >= COLLAPSED_BELOW:
                        # Sign out and the language control are on screen, not off its edge.
                        box = page.locator(".language-switcher button").bounding_box()
                        assert box and box["x"] + box["width"] <= width, (language, width, path)
        assert too_wide == [], "\n".join(too_wide)
    finally:
        context.close()


def test_the_collapsed_menu_opens_without_javascript(live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    email, secret, _pages = _arrange(live_server)["manager"]
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, email, secret)
        no_script = browser.new_context(
            java_script_enabled=False,
            viewport={"width": 390, "height": 800},
            storage_state=context.storage_state(),
        )
        tab = no_script.new_page()
        tab.goto(live_server.url + "/home")
        menu_link = tab.locator(".nav-pages").get_by_role("link", name="Caseload")
        assert not menu_link.is_visible()
        tab.get_by_text("Menu").click()
        assert menu_link.is_visible()
        assert tab.get_by_role("button", name="Sign out").is_visible()
        menu_link.click()
        tab.wait_for_url("**/caseload**")
        no_script.close()
    finally:
        context.close()

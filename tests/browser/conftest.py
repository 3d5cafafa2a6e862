"""Real Chromium (Debian's) driven by Playwright against the app served on loopback."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from legalaid.database import get_database
from legalaid.factory import create_app
from tests.conftest import make_settings, unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(migrated_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The app on its own database, served by a real HTTP server in a thread."""
    app = create_app(make_settings(migrated_database_url, tmp_path))
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        get_database(app).engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def sign_in(page: Page, url: str, email: str, secret: str) -> None:
    """Sign in through the pages as she would: password, then the authenticator's code."""
    page.goto(url + "/login")
    fill_sign_in(page, email, secret)


def fill_sign_in(page: Page, email: str, secret: str) -> None:
    """Fill the sign-in page she is on (password, then the code) and wait for what follows."""
    import time

    import pyotp

    from tests.factories import PASSWORD

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/two-factor")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(time.time()))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

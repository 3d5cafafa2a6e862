"""The task force reads the indicator dashboard and downloads a release; a manager releases
her clinic's indicators through the form."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from legalaid.calendar import today
from legalaid.database import get_database
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.services import create_release
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user

IN_QUARTER = date(2026, 5, 4)  # 2026Q2, a completed quarter


def _cases(session, clinic, count: int) -> None:
    lawyer = create_user(session, "lawyer", clinic=clinic)
    for n in range(count):
        make_case(session, lawyer, on=IN_QUARTER + timedelta(days=n))


def test_the_task_force_reads_the_dashboard_and_downloads_the_csv(
    live_server: LiveServer, page: Page
) -> None:
    app = live_server.app
    policies = app.extensions["legalaid.policies"]
    with app.app_context(), get_database(app).session_factory() as session:
        _cases(session, create_clinic(session), 7)
        _cases(session, create_clinic(session), 2)
        member = create_user(session, "task_force")
        release = create_release(
            session,
            catalogue=policies.indicators,
            policy=policies.disclosure,
            user=member,
            period_code="2026Q2",
            reason=None,
            today=today(),
        )
        session.commit()
        email, secret, release_id = member.email, str(member.totp_secret), release.id

    sign_in(page, live_server.url, email, secret)
    page.get_by_role("link", name="Indicators").first.click()
    page.wait_for_url("**/indicators")
    card = page.locator("article.indicator-card", has_text="Cases opened").first
    assert card.locator(".indicator-value").inner_text().strip() == "9"
    assert "A quarter of the target for 2026 (350 ÷ 4): 87.5" in card.inner_text()
    assert card.locator("progress").is_visible()
    assert "Your clinic today" not in page.content()

    # The overview is the cards; one indicator's charts and data are a click away.
    assert page.locator("svg.indicator-chart").count() == 0
    card.get_by_role("link", name="Charts and data").click()
    page.wait_for_url("**indicator=LA02")
    chart = page.get_by_role("img", name="Cases opened, by type of case")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    # Every text of the charts is drawn at 14 px or more, and every category name whole.
    sizes = page.eval_on_selector_all(
        "svg.indicator-chart text",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert sizes, sizes
    assert min(sizes) >= 14, sizes
    labels = page.eval_on_selector_all(
        "svg.indicator-chart text.chart-label", "els => els.map(e => e.textContent)"
    )
    assert "Gender-based violence" in labels
    assert not any("…" in label for label in labels)
    # Rendered glyphs, not just the style: a text's box is at least 14 px high.
    heights = page.eval_on_selector_all(
        "svg.indicator-chart text.chart-label tspan",
        "els => els.map(e => e.getBoundingClientRect().height)",
    )
    assert min(heights) >= 14, heights
    table = page.get_by_role("table", name="Data of the chart: Cases opened, by type of case")
    assert table.is_visible()
    assert table.get_by_role("rowheader", name="Gender-based violence").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").first.click()
    download = download_info.value
    path = download.path()
    assert path is not None
    text = Path(path).read_text(encoding="utf-8-sig")
    assert "LA02" in text
    assert str(release_id) in download.url


def test_a_manager_releases_her_clinics_indicators(live_server: LiveServer, page: Page) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        _cases(session, clinic, 6)
        manager = create_user(session, "manager", clinic=clinic)
        email, secret, clinic_id = manager.email, str(manager.totp_secret), clinic.id

    sign_in(page, live_server.url, email, secret)
    page.get_by_role("link", name="Releases").first.click()
    page.wait_for_url("**/releases")
    assert "Nothing has been released yet." in page.content()
    page.get_by_role("button", name="Make a release").click()
    page.wait_for_url("**/releases/new")
    page.get_by_label("Reporting period").select_option("2026Q2")
    page.get_by_role("button", name="Release", exact=True).click()
    # A release is frozen once made: a confirmation page says so before it is made.
    page.get_by_role("heading", name="Release Quarter 2 of 2026").wait_for()
    assert "never changed afterwards" in page.content()
    page.get_by_role("button", name="Release", exact=True).click()
    page.wait_for_url("**/releases/*")
    content = page.content()
    assert "Released: Quarter 2 of 2026 (April to June), version 1." in content
    # Each indicator is a collapsed section: the page opens as the list of indicators.
    table = page.get_by_role("table", name="LA02 Cases opened, Q2 2026: total")
    assert not table.is_visible()
    page.locator("#indicator-LA02 > summary").click()
    assert table.is_visible()

    with app.app_context(), get_database(app).session_factory() as session:
        release = session.scalars(select(IndicatorRelease)).one()
        assert (release.clinic_id, release.period_code, release.version) == (
            clinic_id,
            "2026Q2",
            1,
        )

"""A manager records a training session, imports its test sheet and reads the summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Page

from datetime import timedelta

from sqlalchemy import select

from legalaid.calendar import today
from legalaid.database import get_database
from legalaid.trainings.models import TrainingParticipant, TrainingSession
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import create_clinic, create_user
from tests.training_factories import HAND_ROWS, csv_sheet


def test_manager_records_a_session_imports_the_sheet_and_sees_the_summary(
    live_server: LiveServer, page: Page
) -> None:
    app = live_server.app
    with app.app_context(), get_database(app).session_factory() as session:
        clinic = create_clinic(session)
        manager = create_user(session, "manager", clinic=clinic)
        lawyer = create_user(session, "lawyer", clinic=clinic)
        email, secret, lawyer_name = manager.email, str(manager.totp_secret), lawyer.full_name

    sign_in(page, live_server.url, email, secret)
    page.get_by_role("link", name="Trainings").first.click()
    page.wait_for_url("**/trainings/")
    assert "No training sessions yet." in page.content()
    page.get_by_role("button", name="Record a session").click()
    page.wait_for_url("**/trainings/new")

    start = today() - timedelta(days=14)
    page.get_by_label("Title").fill("GBV response for Binagadi police")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill((start + timedelta(days=1)).isoformat())
    page.get_by_label("Hours of training").fill("10.5")
    page.locator("#economic_region").select_option("baku")
    page.get_by_label("Venue").fill("Synthetic district police training room")
    page.get_by_label(lawyer_name).check()
    page.get_by_label("External trainers, one name per line").fill("Synthetic Trainer Həsənova")
    page.locator("#agency").select_option("police")
    page.get_by_label("Unit trained").fill("Binagadi district police department")
    page.get_by_label("GBV response and survivor-centred interviewing").check()
    page.get_by_label("Referral pathways").check()
    # A wrong end date first: refused beside the field, with what she typed kept.
    page.get_by_label("Last day").fill((start - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "The end date cannot be before the start date." in page.content()
    assert page.get_by_label("Title").input_value() == "GBV response for Binagadi police"
    assert page.get_by_label("Referral pathways").is_checked()
    page.get_by_label("Last day").fill((start + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/trainings/*/import")
    assert "Training session recorded." in page.content()

    sheet: FilePayload = {
        "name": "scores.csv",
        "mimeType": "text/csv",
        "buffer": csv_sheet(*HAND_ROWS),
    }
    page.get_by_label("Test sheet (CSV or XLSX)").set_input_files(files=[sheet])
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    content = page.content()
    assert "Test sheet imported: 6 officers." in content
    assert "3 women, 3 men" in content
    assert "75% of the 4 officers with both scores" in content
    chart = page.locator("svg.score-chart")
    assert chart.is_visible()
    assert chart.locator("circle").count() == 4
    assert "Synthetic Trainer Həsənova" in content
    assert lawyer_name in content

    with app.app_context(), get_database(app).session_factory() as session:
        training = session.scalars(select(TrainingSession)).one()
        assert (training.officers_total, training.duration_minutes) == (6, 630)
        rows = session.scalars(
            select(TrainingParticipant).where(TrainingParticipant.session_id == training.id)
        ).all()
        assert len(rows) == 6

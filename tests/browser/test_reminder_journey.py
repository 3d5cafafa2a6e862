"""A lawyer accepts a suggested deadline in a real browser; the job, with the clock moved to
that morning, mails her the reminder through a real SMTP server on loopback."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

import socket
from datetime import datetime, time, timedelta
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select

from legalaid.calendar import CLINIC_ZONE, today
from legalaid.casework.models import Hearing
from legalaid.database import get_database
from legalaid.reminders.policy import WEEKDAYS
from legalaid.reminders.service import send_due_reminders
from legalaid.settings import MailSettings
from tests.browser.conftest import LiveServer, sign_in
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user
from tests.helpers import text_body

CLIENT_NAME = "Səbinə Gizlinova"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def test_a_suggested_expiry_is_accepted_shown_and_reminded(
    live_server: LiveServer, page: Page
) -> None:
    app = live_server.app
    # The 60-day expiry falls in three days: on her home page's week as well as the agenda.
    applied_on = today() - timedelta(days=57)
    with app.app_context(), get_database(app).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        lawyer.reminders_enabled = True
        session.commit()
        case_ = make_case(session, lawyer, full_name=CLIENT_NAME, on=applied_on - timedelta(days=1))
        case_id, number = case_.id, case_.number
        email, secret = lawyer.email, str(lawyer.totp_secret)

    sign_in(page, live_server.url, email, secret)
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_text("Record a service").click()
    page.locator("#service_type").select_option("protection_order")
    page.locator("#delivered_on").fill(applied_on.isoformat())
    page.get_by_label("Protection order (for an application)").select_option("short_term")
    page.get_by_role("button", name="Save the service").click()
    page.wait_for_load_state()
    assert "Short-term protection order expires" in page.content()
    page.get_by_role("button", name="Add this deadline").click()
    page.wait_for_load_state()
    assert "Deadline added." in page.content()
    expiry = applied_on + timedelta(days=60)

    page.goto(f"{live_server.url}/home")
    week = page.locator("section[aria-labelledby=today-heading]").inner_text()
    assert number in week[week.index("This week") :]
    assert "Filing deadline" in week
    assert CLIENT_NAME not in page.content()

    page.goto(f"{live_server.url}/agenda")
    upcoming = page.locator("#upcoming")
    assert number in upcoming.inner_text()
    assert "Filing deadline" in upcoming.inner_text()

    with app.app_context(), get_database(app).session_factory() as session:
        hearing = session.scalars(select(Hearing).where(Hearing.case_id == case_id)).one()
        assert hearing.due_on == expiry
        assert hearing.rule_code == "short_term_order_expiry"

    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mail = MailSettings(
            host="127.0.0.1",
            port=port,
            sender="legalaid@example.org",
            starttls=False,
            base_url=live_server.url,
        )
        policy = app.extensions["legalaid.policies"].reminders
        # The weekly digest would join in if one of the two days were its day: move it.
        busy = {(expiry - timedelta(days=1)).weekday(), expiry.weekday()}
        free = next(day for day in range(7) if day not in busy)
        policy = policy.model_copy(update={"digest_weekday": WEEKDAYS[free]})
        with app.app_context():
            database = get_database(app)
            the_day_before = datetime.combine(expiry - timedelta(days=1), time(9), CLINIC_ZONE)
            assert send_due_reminders(database, the_day_before, policy=policy, mail=mail) == 0
            that_morning = datetime.combine(expiry, time(9), CLINIC_ZONE)
            assert send_due_reminders(database, that_morning, policy=policy, mail=mail) == 1
    finally:
        controller.stop()
    (envelope,) = inbox.messages
    message = message_from_bytes(envelope.content)
    body = text_body(message)
    assert number in str(message["Subject"])
    assert f"{live_server.url}/cases/{case_id}" in body
    assert CLIENT_NAME not in body
    assert "Gizlinova" not in body

"""E-mail reminders through a real SMTP server on loopback (aiosmtpd).

Each reminder goes once, whether the job runs twice in a row or twice at the same moment;
a mail server that is down gets it at the next run; the message names no person or place.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.calendar import CLINIC_ZONE
from legalaid.cases.models import Case
from legalaid.cases.services import assign_case, close_case
from legalaid.casework.models import CaseTask, Hearing
from legalaid.database import get_database
from legalaid.reminders import service
from legalaid.reminders.cli import reminders
from legalaid.reminders.models import ReminderDelivery
from legalaid.settings import MailSettings
from tests.case_factories import make_case
from tests.conftest import committed_app, make_settings
from tests.factories import create_clinic, create_user
from tests.helpers import text_body

CLIENT_NAME = "Leyla Sirriyeva"
RESPONDENT_NAME = "Rauf Gizliyev"
PLACE = "Nasimi District Court"
# A Wednesday morning in Baku.
NOW = datetime(2026, 12, 9, 9, 0, tzinfo=CLINIC_ZONE)


@dataclass
class Inbox:
    messages: list[Any] = field(default_factory=list)
    #: aiosmtpd's session of each message: one object per connection (kept, so ids differ).
    sessions: list[Any] = field(default_factory=list)
    #: Like many relays: "421" to the next MAIL FROM after this many messages on a connection.
    per_connection: int | None = None
    #: Recipients answered "550" at RCPT TO.
    refused: set[str] = field(default_factory=set)

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        taken = sum(1 for seen in self.sessions if seen is session)
        if self.per_connection is not None and taken >= self.per_connection:
            return "421 Too many messages on this connection"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        self.sessions.append(session)
        return "250 Message accepted"

    def connections(self) -> int:
        return len({id(session) for session in self.sessions})

    def parsed(self) -> list[Message]:
        return [message_from_bytes(envelope.content) for envelope in self.messages]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _mail(port: int) -> MailSettings:
    return MailSettings(
        host="127.0.0.1",
        port=port,
        sender="legalaid@example.org",
        starttls=False,
        base_url="https://legalaid.example",
    )


@dataclass
class World:
    app: Flask
    session: Session
    inbox: Inbox
    port: int
    lawyer: User
    clinic_id: int

    def run(self, now: datetime = NOW, port: int | None = None) -> int:
        # The test's own reads end first (SQLite: their transaction holds the write lock).
        self.session.rollback()
        with self.app.app_context():
            return service.send_due_reminders(
                get_database(self.app),
                now,
                policy=self.app.extensions["legalaid.policies"].reminders,
                mail=_mail(port or self.port),
            )

    def case_with(
        self, *hearings: tuple[str, date, time | None], lawyer: User | None = None
    ) -> Case:
        case_ = make_case(
            self.session,
            lawyer or self.lawyer,
            full_name=CLIENT_NAME,
            respondents=((RESPONDENT_NAME, "intimate_partner"),),
            on=NOW.date() - timedelta(days=20),
        )
        for kind, day, at in hearings:
            self.session.add(
                Hearing(case_id=case_.id, kind=kind, due_on=day, starts_at=at, place=PLACE)
            )
        self.session.commit()
        return case_

    def bodies(self) -> list[str]:
        return [text_body(m) for m in self.inbox.parsed()]


@pytest.fixture
def world(migrated_database_url: str, tmp_path: Path) -> Iterator[World]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = make_settings(migrated_database_url, tmp_path, mail=_mail(port))
    try:
        with committed_app(settings) as (app, _twin):
            session = get_database(app).session_factory()
            clinic = create_clinic(session)
            lawyer = create_user(session, "lawyer", clinic=clinic)
            lawyer.reminders_enabled = True
            session.commit()
            yield World(app, session, inbox, port, lawyer, clinic.id)
            session.close()
    finally:
        controller.stop()


def _sent_rows(session: Session) -> int:
    session.expire_all()
    return int(
        session.scalar(
            select(func.count())
            .select_from(ReminderDelivery)
            .where(ReminderDelivery.sent_at.is_not(None))
        )
        or 0
    )


def test_a_hearing_in_seven_days_is_reminded_once_with_no_personal_data(world: World) -> None:
    case_ = world.case_with(("hearing", NOW.date() + timedelta(days=7), time(10, 30)))
    assert world.run() == 1
    assert world.run() == 0  # the second run finds it sent
    assert world.run(NOW + timedelta(hours=3)) == 0
    (message,) = world.inbox.parsed()
    assert message["To"] == world.lawyer.email
    assert case_.number in message["Subject"]
    (body,) = world.bodies()
    assert case_.number in body
    assert "10:30" in body
    assert "Court hearing" in body
    assert f"https://legalaid.example/cases/{case_.id}" in body
    for secret in (CLIENT_NAME, RESPONDENT_NAME, PLACE, *CLIENT_NAME.split(), "Gizliyev"):
        assert secret not in body
        assert secret not in str(message["Subject"])
    world.session.expire_all()
    actions = world.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("reminder.sent") == 1


def test_the_one_day_reminder_follows_and_the_missed_seven_day_one_is_not_sent(
    world: World,
) -> None:
    world.case_with(("hearing", NOW.date() + timedelta(days=1), time(15, 0)))
    assert world.run() == 1
    assert "15:00" in world.bodies()[0]
    # After the hearing has started, nothing more.
    assert world.run(NOW + timedelta(days=1, hours=7)) == 0


def test_two_runs_at_the_same_moment_send_each_reminder_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for days in (1, 7):
        for _ in range(3):
            world.case_with(("hearing", NOW.date() + timedelta(days=days), time(11, 0)))
    # Both runs have read what is due before either claims anything: the unique key decides.
    barrier = threading.Barrier(2, timeout=30)
    original = service._claim
    waited: set[int] = set()

    def both_read_first(*args: Any) -> Any:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()
        return original(*args)

    monkeypatch.setattr(service, "_claim", both_read_first)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(world.run())
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(results) == 6
    assert len(world.inbox.messages) == 6
    assert _sent_rows(world.session) == 6


def test_one_run_sends_all_its_reminders_over_one_connection(world: World) -> None:
    cases = [
        world.case_with(("hearing", NOW.date() + timedelta(days=7), time(9 + n, 0)))
        for n in range(4)
    ]
    assert world.run() == 4
    assert world.inbox.connections() == 1
    subjects = sorted(str(message["Subject"]) for message in world.inbox.parsed())
    assert subjects == sorted(f"Reminder: Court hearing, case {c.number}" for c in cases)
    assert world.run(NOW + timedelta(minutes=5)) == 0
    assert world.inbox.connections() == 1  # nothing due: no connection at all


def test_a_connection_the_server_closes_is_opened_again_and_nothing_goes_twice(
    world: World,
) -> None:
    for n in range(5):
        world.case_with(("hearing", NOW.date() + timedelta(days=7), time(9 + n, 0)))
    world.inbox.per_connection = 2
    assert world.run() == 5
    assert world.inbox.connections() == 3
    subjects = [str(message["Subject"]) for message in world.inbox.parsed()]
    assert len(set(subjects)) == 5
    assert world.run(NOW + timedelta(minutes=5)) == 0
    assert _sent_rows(world.session) == 5


def test_a_refused_address_does_not_hold_back_the_others(world: World) -> None:
    refused = create_user(world.session, "lawyer", clinic=world.lawyer.clinic)
    refused.reminders_enabled = True
    world.session.commit()
    day = NOW.date() + timedelta(days=7)
    world.case_with(("hearing", day, time(9, 0)), lawyer=refused)
    mine = world.case_with(("hearing", day, time(10, 0)))
    world.inbox.refused = {refused.email}
    assert world.run() == 1
    (message,) = world.inbox.parsed()
    assert mine.number in str(message["Subject"])
    world.inbox.refused = set()
    assert world.run(NOW + timedelta(minutes=5)) == 1  # retried at the next run
    assert world.run(NOW + timedelta(minutes=10)) == 0


def test_a_mail_server_that_is_down_gets_the_reminder_at_the_next_run(world: World) -> None:
    world.case_with(("appeal_deadline", NOW.date(), None))
    closed_port = _free_port()  # nothing listens there
    assert world.run(port=closed_port) == 0
    assert _sent_rows(world.session) == 0
    world.session.expire_all()
    assert world.session.scalar(select(func.count()).select_from(ReminderDelivery)) == 0
    failures = world.session.scalars(
        select(AuditEntry.outcome).where(AuditEntry.action == "reminder.failed")
    ).all()
    assert failures == ["failure"]
    assert world.run(NOW + timedelta(minutes=10)) == 1
    assert "Appeal deadline" in world.bodies()[0]
    assert world.run(NOW + timedelta(minutes=20)) == 0


def test_nothing_for_a_closed_case_a_reassigned_case_or_a_user_who_opted_out(
    world: World,
) -> None:
    day = NOW.date() + timedelta(days=7)
    closed = world.case_with(("hearing", day, time(10, 0)))
    reassigned = world.case_with(("hearing", day, time(12, 0)))
    colleague = create_user(world.session, "lawyer", clinic=world.lawyer.clinic)
    colleague.reminders_enabled = True
    quiet = create_user(world.session, "lawyer", clinic=colleague.clinic)
    world.case_with(("hearing", day, time(14, 0)), lawyer=quiet)
    # Her task on the case she hands over goes with it, to be reminded to the new lawyer.
    world.session.add(
        CaseTask(
            case_id=reassigned.id,
            description="Call " + CLIENT_NAME,
            due_on=NOW.date(),
            assignee_id=world.lawyer.id,
        )
    )
    world.session.commit()
    with world.app.test_request_context():
        close_case(
            world.session,
            closed,
            expected_version=closed.version,
            outcome="resolved_favour",
            closed_on=NOW.date(),
            by=world.lawyer.id,
            today=NOW.date(),
            agenda_loss_confirmed=True,
        )
        assign_case(world.session, reassigned, lawyer_id=colleague.id, reason="Caseload", by=None)
    world.session.commit()
    assert world.run() == 2
    messages = world.inbox.parsed()
    assert {message["To"] for message in messages} == {colleague.email}
    assert sorted(str(message["Subject"]) for message in messages) == [
        f"Reminder: Court hearing, case {reassigned.number}",
        f"Reminder: Task, case {reassigned.number}",
    ]


def test_the_message_is_in_the_users_language(world: World) -> None:
    world.lawyer.preferred_language = "ru"
    world.session.commit()
    world.case_with(("deadline", NOW.date(), None))
    assert world.run() == 1
    body = world.bodies()[0]
    assert "Filing deadline" not in body
    assert "A reminder from the legal aid clinic system" not in body


def test_a_task_is_reminded_to_its_assignee_on_its_morning(world: World) -> None:
    case_ = world.case_with()
    world.session.add(
        CaseTask(
            case_id=case_.id,
            description="Call " + CLIENT_NAME,
            due_on=NOW.date(),
            assignee_id=world.lawyer.id,
        )
    )
    world.session.commit()
    assert world.run(NOW.replace(hour=7)) == 0  # before the morning hour
    assert world.run() == 1
    assert CLIENT_NAME not in world.bodies()[0]
    assert "Call" not in world.bodies()[0]


def test_the_monday_digest_lists_the_week_once(world: World) -> None:
    monday = datetime(2026, 12, 14, 8, 30, tzinfo=CLINIC_ZONE)
    # Deadlines only: a hearing this week would also get its own "days before" reminder.
    first = world.case_with(("appeal_deadline", monday.date() + timedelta(days=3), None))
    second = world.case_with(("deadline", monday.date() + timedelta(days=5), None))
    third = world.case_with()
    world.session.add(
        CaseTask(
            case_id=third.id,
            description="Call " + CLIENT_NAME,
            due_on=monday.date() + timedelta(days=4),
            assignee_id=world.lawyer.id,
        )
    )
    world.session.commit()
    sent = world.run(monday)
    assert sent == 1
    subjects = [str(m["Subject"]) for m in world.inbox.parsed()]
    assert subjects == ["Your hearings, deadlines and tasks this week"]
    body = world.bodies()[0]
    assert first.number in body
    assert second.number in body
    # The task between them, in date order, with its kind and link but not what it says.
    assert body.index(first.number) < body.index(third.number) < body.index(second.number)
    assert f"Task, case {third.number}" in body
    assert f"/cases/{third.id}" in body
    assert "Call" not in body
    assert CLIENT_NAME not in body
    assert world.run(monday + timedelta(hours=4)) == 0


def test_the_command_sends_what_is_due_at_the_moment_given(world: World) -> None:
    case_ = world.case_with(("hearing", NOW.date() + timedelta(days=7), time(10, 30)))
    world.session.rollback()
    runner = world.app.test_cli_runner()
    refused = runner.invoke(reminders, ["send", "--at", "2026-12-09T09:00"])
    assert refused.exit_code != 0
    assert "time zone" in refused.output
    result = runner.invoke(reminders, ["send", "--at", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert "sent 1 reminder(s)" in result.output
    assert case_.number in str(world.inbox.parsed()[0]["Subject"])
    again = runner.invoke(reminders, ["send", "--at", NOW.isoformat()])
    assert "sent 0 reminder(s)" in again.output


def test_the_job_runner_sends_reminders_every_five_minutes(world: World) -> None:
    """The periodic job, as the consumer runs it, mails what is due now; run again, it
    sends nothing more."""
    from legalaid.calendar import today
    from legalaid.jobs.registry import declared_jobs

    job = {declared.name: declared for declared in declared_jobs()}["reminders.send"]
    assert job.schedule is not None
    hour = [datetime(2026, 12, 7, 10, minute) for minute in range(60)]
    assert [stamp.minute for stamp in hour if job.schedule(stamp)] == list(range(0, 60, 5))
    # Six days ahead (Baku): the seven-day reminder came due yesterday morning.
    case_ = world.case_with(("hearing", today() + timedelta(days=6), time(11, 0)))
    world.session.rollback()
    with world.app.app_context():
        session = get_database(world.app).session_factory()
        try:
            job(session)
            # On a Monday the weekly digest goes out too: count, do not assume one mail.
            sent = len(world.inbox.parsed())
            job(session)
        finally:
            session.close()
    assert sent >= 1
    assert len(world.inbox.parsed()) == sent
    subjects = [str(message["Subject"]) for message in world.inbox.parsed()]
    assert any(case_.number in subject for subject in subjects), subjects


def test_nothing_is_sent_for_what_is_already_past(world: World) -> None:
    """A hearing or deadline entered after its moment (times in the past) is not reminded:
    a reminder about yesterday, or about a hearing that began an hour ago, helps nobody."""
    yesterday = NOW.date() - timedelta(days=1)
    world.case_with(
        ("hearing", yesterday, time(11, 0)),
        ("deadline", yesterday, None),
        ("hearing", NOW.date(), time(8, 0)),  # began an hour before the run
    )
    assert world.run() == 0
    assert world.inbox.messages == []
    assert _sent_rows(world.session) == 0


def test_a_claim_left_by_a_run_that_died_is_taken_over_after_its_time(world: World) -> None:
    """A run that claimed a reminder and died before sending it holds it for
    ``stale_claim_minutes``; a later run then sends it: nothing is lost, nothing doubled."""
    world.case_with(("hearing", NOW.date() + timedelta(days=7), time(10, 30)))
    assert world.run() == 1
    # Make the sent reminder look like a claim that was never sent, as a crash leaves it.
    world.session.execute(update(ReminderDelivery).values(sent_at=None, claimed_at=NOW))
    world.session.commit()
    stale = world.app.extensions["legalaid.policies"].reminders.stale_claim_minutes
    assert world.run(NOW + timedelta(minutes=stale - 1)) == 0  # the claim still holds
    assert world.run(NOW + timedelta(minutes=stale + 1)) == 1
    assert len(world.inbox.messages) == 2  # the first run's mail, then the taken-over one
    assert world.run(NOW + timedelta(minutes=stale + 6)) == 0
    assert _sent_rows(world.session) == 1

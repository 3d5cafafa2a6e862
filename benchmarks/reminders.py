"""The reminder job at scale: 100 000 cases with 50 000 open hearings and deadlines.

Builds the cases with the bulk demo builder (or reuses them), tops the open hearings and
deadlines up to ``--open`` (spread over the next 60 days, a third with a time of day),
turns reminders on for every lawyer and manager, then times ``send_due_reminders`` against
an SMTP server on loopback (aiosmtpd): the first run (which sends), a second run at the same
moment (which must send nothing), and a Monday run with the digest. It prints the time, the
SQL statements and the mails of each run.

Usage (from the project root)::

    python benchmarks/reminders.py                              # a temporary SQLite file
    python benchmarks/reminders.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench \\
        --instance /tmp/bench-instance --fresh
"""

from __future__ import annotations

import argparse
import logging
import random
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, delete, event, func, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import add_database_options, grow_to, open_database

from legalaid.accounts.models import User
from legalaid.calendar import CLINIC_ZONE
from legalaid.cases.models import Case
from legalaid.casework.models import Hearing
from legalaid.database import get_database
from legalaid.reminders.models import ReminderDelivery
from legalaid.reminders.service import send_due_reminders
from legalaid.settings import MailSettings


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


@contextmanager
def counted(engine: Engine) -> Iterator[list[int]]:
    box = [0]

    def count(*_args: Any) -> None:
        box[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield box
    finally:
        event.remove(engine, "before_cursor_execute", count)


def top_up_hearings(app: Any, target: int, start: datetime, seed: int) -> int:
    database = get_database(app)
    today = start.date()
    with app.app_context(), database.transaction() as session:
        open_now = int(
            session.scalar(
                select(func.count())
                .select_from(Hearing)
                .join(Case, Case.id == Hearing.case_id)
                .where(Hearing.done.is_(False), Case.status != "closed", Hearing.due_on >= today)
            )
            or 0
        )
        missing = target - open_now
        if missing <= 0:
            return open_now
        case_ids = list(session.scalars(select(Case.id).where(Case.status != "closed")))
        rng = random.Random(seed)  # noqa: S311 - synthetic data
        kinds = ("hearing", "deadline", "appeal_deadline", "police_interview", "meeting")
        rows = [
            {
                "case_id": rng.choice(case_ids),
                "kind": rng.choice(kinds),
                "due_on": today + timedelta(days=rng.randrange(0, 60)),
                "starts_at": clock(rng.randrange(9, 17), 0) if rng.random() < 0.33 else None,
                "done": False,
                "created_at": start,
                "version": 1,
            }
            for _ in range(missing)
        ]
        for offset in range(0, len(rows), 5000):
            session.execute(insert(Hearing), rows[offset : offset + 5000])
        return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=50_000, help="open hearings and deadlines")
    add_database_options(parser)
    args = parser.parse_args(argv)

    app = open_database(args)
    engine = get_database(app).engine
    grow_to(app, args.cases, args.seed, "realistic")

    # A Wednesday morning, then the next Monday morning (digest), clinic time.
    now = datetime(2026, 12, 9, 9, 0, tzinfo=CLINIC_ZONE)
    monday = datetime(2026, 12, 14, 9, 0, tzinfo=CLINIC_ZONE)
    open_count = top_up_hearings(app, args.open, now, args.seed)
    with app.app_context(), get_database(app).transaction() as session:
        # A reused database: what an earlier benchmark sent is forgotten, so it is sent again.
        session.execute(delete(ReminderDelivery))
        session.execute(
            update(User).where(User.role.in_(("lawyer", "manager"))).values(reminders_enabled=True)
        )
        users = session.scalar(select(func.count()).where(User.reminders_enabled.is_(True)))
    print(f"{args.cases} cases, {open_count} open hearings/deadlines, {users} users opted in")

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mail = MailSettings(
        host="127.0.0.1", port=port, sender="bench@example.org", starttls=False, base_url="x"
    )
    policy = app.extensions["legalaid.policies"].reminders
    try:
        with app.app_context():
            for label, moment in (
                ("first run", now),
                ("same moment again", now),
                ("Monday", monday),
            ):
                before = sink.count
                with counted(engine) as statements:
                    started = time.perf_counter()
                    sent = send_due_reminders(get_database(app), moment, policy=policy, mail=mail)
                    seconds = time.perf_counter() - started
                print(
                    f"{label:>18}: {seconds:7.2f} s  {statements[0]:>6} statements  "
                    f"{sent:>5} sent ({sink.count - before} received)"
                )
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

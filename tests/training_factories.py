"""Build training sessions and test sheets through the real services."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.trainings.models import TrainingSession
from legalaid.trainings.services import SessionDetails, create_session


def session_details(trainer: User | None = None, **overrides: object) -> SessionDetails:
    start = today() - timedelta(days=10)
    values: dict[str, object] = {
        "title": "GBV response for district police",
        "starts_on": start,
        "ends_on": start + timedelta(days=1),
        "economic_region": "baku",
        "venue": "Synthetic training hall",
        "delivered_by": "clinic",
        "partner_name": "",
        "agency": "police",
        "unit": "Sabail district police department",
        "hours": Decimal("12"),
        "modules": ["gbv_response", "protection_orders"],
        "trainer_ids": [trainer.id] if trainer is not None else [],
        "external_trainers": [] if trainer is not None else ["Synthetic External Trainer"],
    }
    values.update(overrides)
    return SessionDetails(**values)  # type: ignore[arg-type]


def make_training(session: Session, manager: User, **overrides: object) -> TrainingSession:
    assert manager.clinic_id is not None
    training = create_session(
        session, manager, manager.clinic_id, session_details(manager, **overrides), today=today()
    )
    session.commit()
    return training


HEADER = "sex,rank_group,service_years,pre_score,post_score,attended_full"

#: Six officers whose figures are worked out by hand in the tests:
#: officers 6 (3 women, 3 men), 4 attended in full; pre-test 5 officers, average 50;
#: post-test 5 officers, average 61; both scores 4, of whom 3 scored higher and 2 by 10+.
HAND_ROWS = (
    "female,rank_and_file,2_5,40,60,yes",
    "female,junior_officer,6_10,50,55,yes",
    "male,senior_officer,over_20,70,65,no",
    "male,rank_and_file,under_2,,80,yes",
    "male,,,30,45,yes",
    "female,civilian,11_20,60,,no",
)


def csv_sheet(*rows: str, header: str = HEADER, delimiter: str = ",") -> bytes:
    lines = [header, *rows]
    return ("\r\n".join(lines) + "\r\n").replace(",", delimiter).encode("utf-8")


def xlsx_sheet(rows: list[list[object]], header: str = HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def days_ago(days: int) -> date:
    return today() - timedelta(days=days)

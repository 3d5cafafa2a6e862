"""Readable numbers per clinic: cases per year (BAK-2026-0042), clients (BAK-C-00042)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from legalaid.clinics.models import NumberCounter


def next_number(session: Session, clinic_id: int, series: str) -> int:
    """Take the next number of a series atomically (an upsert, safe under concurrency)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(NumberCounter)
        .values(clinic_id=clinic_id, series=series, last=1)
        .on_conflict_do_update(
            index_elements=[NumberCounter.clinic_id, NumberCounter.series],
            set_={"last": NumberCounter.last + 1},
        )
        .returning(NumberCounter.last)
    )
    value = session.execute(statement).scalar_one()
    return int(value)


def reserve_numbers(session: Session, clinic_id: int, series: str, count: int) -> int:
    """Reserve ``count`` numbers at once (bulk demo data); returns the first of them."""
    first = next_number(session, clinic_id, series)
    if count > 1:
        session.execute(
            update(NumberCounter)
            .where(NumberCounter.clinic_id == clinic_id, NumberCounter.series == series)
            .values(last=NumberCounter.last + (count - 1))
        )
    return first


def case_number(clinic_code: str, year: int, seq: int) -> str:
    return f"{clinic_code}-{year}-{seq:04d}"


def client_number(clinic_code: str, seq: int) -> str:
    return f"{clinic_code}-C-{seq:05d}"


def current_last(session: Session, clinic_id: int, series: str) -> int:
    value = session.scalar(
        select(NumberCounter.last).where(
            NumberCounter.clinic_id == clinic_id, NumberCounter.series == series
        )
    )
    return int(value or 0)

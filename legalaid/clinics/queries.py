"""Reading clinics: the lists that views and forms need, in SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from legalaid.clinics.models import Clinic


def all_clinics(session: Session) -> list[Clinic]:
    return list(session.scalars(select(Clinic).order_by(Clinic.code)))


def clinic_choices(session: Session, *, blank_label: str) -> list[SelectChoice]:
    """Open clinics for a select, with a blank first option for national roles."""
    rows = session.execute(
        select(Clinic.id, Clinic.code, Clinic.name)
        .where(Clinic.status != "closed")
        .order_by(Clinic.code)
    )
    return [SelectChoice("", blank_label)] + [
        SelectChoice(str(row.id), f"{row.code} · {row.name}") for row in rows
    ]

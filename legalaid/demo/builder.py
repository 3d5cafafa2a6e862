"""Fill a fresh database with synthetic, reproducible demo data."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from legalaid.clinics.models import Clinic
from legalaid.clinics.services import create_clinic

DEMO_CLINICS = (
    ("BAK", "Baku Legal Aid Clinic", "baku", "Baku", date(2026, 6, 1), "pilot"),
    ("GNJ", "Ganja Legal Aid Clinic", "ganja_dashkasan", "Ganja", date(2026, 6, 15), "pilot"),
    (
        "LNK",
        "Lankaran Legal Aid Clinic",
        "lankaran_astara",
        "Lankaran",
        date(2027, 1, 10),
        "active",
    ),
    ("SHK", "Shaki Legal Aid Clinic", "shaki_zagatala", "Shaki", date(2027, 2, 1), "active"),
)


@dataclass
class DemoReport:
    clinics: list[Clinic] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"clinics ({len(self.clinics)}):"]
        out += [f"  {c.code}  {c.name}  [{c.economic_region}]" for c in self.clinics]
        return out


def build_demo(session: Session, *, seed: int) -> DemoReport:
    # One generator for the whole build, so that --seed reproduces every value.
    rng = random.Random(seed)
    report = DemoReport()
    for code, name, region, city, opened_on, status in DEMO_CLINICS:
        report.clinics.append(
            create_clinic(
                session,
                code=code,
                name=name,
                economic_region=region,
                city=city,
                opened_on=opened_on,
                status=status,
            )
        )
    _ = rng  # later data (accounts, cases, sessions) draws from it
    return report

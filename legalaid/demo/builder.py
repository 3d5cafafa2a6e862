"""Fill a fresh database with synthetic, reproducible demo data."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.accounts.passwords import current_hasher
from legalaid.clinics.models import Clinic
from legalaid.clinics.services import create_clinic
from legalaid.database import utcnow

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


# Synthetic staff: one account per role, plus a second lawyer for reassignment demos.
DEMO_ACCOUNTS = (
    ("admin@demo.legalaid.az", "Aysel Quliyeva", "admin", None),
    ("taskforce@demo.legalaid.az", "Rauf Hasanov", "task_force", None),
    ("manager@demo.legalaid.az", "Leyla Mammadova", "manager", "BAK"),
    ("lawyer@demo.legalaid.az", "Nigar Aliyeva", "lawyer", "BAK"),
    ("lawyer2@demo.legalaid.az", "Svetlana Orlova", "lawyer", "BAK"),
)
_WORDS = (
    "apricot",
    "caspian",
    "lantern",
    "pomegranate",
    "saffron",
    "tandir",
    "carpet",
    "violet",
    "harbour",
    "mountain",
    "silk",
    "river",
    "garden",
    "quince",
    "breeze",
    "amber",
)


@dataclass
class DemoReport:
    clinics: list[Clinic] = field(default_factory=list)
    accounts: list[tuple[User, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"clinics ({len(self.clinics)}):"]
        out += [f"  {c.code}  {c.name}  [{c.economic_region}]" for c in self.clinics]
        out.append("")
        out.append("accounts (demo only: two-step sign-in is off):")
        out += [f"  {u.role:<10}  {u.email:<28}  password: {pw}" for u, pw in self.accounts]
        return out


def _demo_password(rng: random.Random) -> str:
    return "-".join(rng.choice(_WORDS) for _ in range(4))


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
    clinic_ids = {clinic.code: clinic.id for clinic in report.clinics}
    hasher = current_hasher()
    for email, full_name, role, clinic_code in DEMO_ACCOUNTS:
        password = _demo_password(rng)
        user = User(
            email=email,
            full_name=full_name,
            role=role,
            clinic_id=clinic_ids[clinic_code] if clinic_code else None,
            password_hash=hasher.hash(password),
            password_changed_at=utcnow(),
        )
        session.add(user)
        report.accounts.append((user, password))
    session.flush()
    return report

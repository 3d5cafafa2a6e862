"""Synthetic law-enforcement training sessions for the demo (Objective 2.3, from late 2026).

Sessions are recorded through the real services (with their audit entries) by the clinics
open at the time, delivered by the clinic or a partner organisation, across regions and
agencies; most carry a test sheet of officers' rows, a few only totals by sex. Every
value comes from the generator passed in, so ``--seed`` reproduces them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.clinics.models import Clinic
from legalaid.trainings.importing import ParticipantInput
from legalaid.trainings.services import SessionDetails, create_session, replace_participants
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

#: The plan's training of law-enforcement officers starts in late 2026.
FIRST_DAY = date(2026, 10, 1)
SESSIONS_PER_WEEK = 4.0
MAX_SESSIONS = 40

PARTNERS = (
    "Synthetic Women's Rights Centre",
    "Synthetic Public Health Alliance",
    "Synthetic Harm Reduction Network",
    "Synthetic Lawyers' Union training unit",
)
EXTERNAL_TRAINERS = (
    "Synthetic Trainer Məmmədli",
    "Synthetic Trainer Kərimova",
    "Synthetic Trainer Sokolova",
    "Synthetic Trainer Hüseynov",
)
DISTRICTS = {
    "baku": ("Sabail", "Nasimi", "Yasamal", "Binagadi", "Khatai", "Nizami", "Surakhani"),
    "absheron_khizi": ("Absheron", "Sumgayit", "Khizi"),
    "mountainous_shirvan": ("Shamakhi", "Ismayilli", "Gobustan"),
    "ganja_dashkasan": ("Ganja Kapaz", "Ganja Nizami", "Goygol", "Dashkasan"),
    "karabakh": ("Aghdam", "Shusha", "Fuzuli"),
    "gazakh_tovuz": ("Gazakh", "Tovuz", "Shamkir", "Aghstafa"),
    "guba_khachmaz": ("Guba", "Khachmaz", "Gusar"),
    "lankaran_astara": ("Lankaran", "Astara", "Masally", "Lerik"),
    "central_aran": ("Yevlakh", "Mingachevir", "Agdash"),
    "mil_mughan": ("Imishli", "Beylagan", "Saatly"),
    "shaki_zagatala": ("Shaki", "Zagatala", "Gakh", "Balakan"),
    "east_zangezur": ("Lachin", "Kalbajar", "Zangilan"),
    "shirvan_salyan": ("Shirvan", "Salyan", "Hajigabul"),
    "nakhchivan": ("Nakhchivan", "Sharur", "Ordubad"),
}
#: Agency, weight, share of women among the officers trained.
AGENCIES = (
    ("police", 55, 0.12),
    ("prosecutors", 14, 0.30),
    ("courts", 10, 0.40),
    ("penitentiary", 11, 0.18),
    ("migration", 5, 0.35),
    ("other", 5, 0.15),
)
UNITS = {
    "police": "{district} district police department",
    "prosecutors": "{district} district prosecutor's office",
    "courts": "{district} district court",
    "penitentiary": "Penitentiary institution No. {number}",
    "migration": "{district} regional migration office",
    "other": "{district} internal troops unit",
}
TITLES = {
    "gbv_response": "GBV response and survivor-centred interviewing",
    "non_discrimination": "Non-discrimination of key populations",
    "hiv_stigma": "HIV, stigma and the law",
    "drug_use_sex_work": "Rights of people who use drugs and of sex workers",
    "gender_identity": "Gender identity and respectful policing",
    "protection_orders": "Protection orders in practice",
    "referral_pathways": "Referral pathways for survivors",
}
VENUES = (
    "{district} police training room",
    "{district} district executive authority hall",
    "Clinic meeting room",
    "{district} regional hotel, conference hall",
)
RANKS = {
    "police": (("rank_and_file", 50), ("junior_officer", 34), ("senior_officer", 12)),
    "penitentiary": (("rank_and_file", 45), ("junior_officer", 35), ("senior_officer", 10)),
    "prosecutors": (("junior_officer", 40), ("senior_officer", 25), ("civilian", 30)),
    "courts": (("civilian", 80), ("senior_officer", 10)),
    "migration": (("junior_officer", 40), ("civilian", 50)),
    "other": (("rank_and_file", 60), ("junior_officer", 30), ("senior_officer", 10)),
}
SERVICE_BANDS = (("under_2", 12), ("2_5", 28), ("6_10", 27), ("11_20", 23), ("over_20", 10))


@dataclass
class TrainingTally:
    sessions: int = 0
    counts_only: int = 0
    officers: int = 0
    women: int = 0

    def lines(self) -> list[str]:
        return [
            f"training sessions ({self.sessions}, {self.counts_only} with totals only): "
            f"{self.officers} officers trained, {self.women} of them women"
        ]


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    codes, weights = zip(*options, strict=True)
    return str(rng.choices(codes, weights=weights)[0])


def _score(rng: random.Random, mean: float, spread: float) -> int:
    return max(0, min(100, round(rng.gauss(mean, spread))))


def _officers(rng: random.Random, agency: str, women_share: float) -> list[ParticipantInput]:
    count = rng.randint(12, 32)
    baseline = rng.uniform(42, 62)  # some units know more to begin with
    gain = rng.uniform(6, 20)
    rows = []
    for line in range(2, count + 2):
        pre = _score(rng, baseline, 13)
        post = _score(rng, pre + rng.gauss(gain, 9), 3)
        rows.append(
            ParticipantInput(
                line=line,
                sex="female" if rng.random() < women_share else "male",
                rank_group=_weighted(rng, RANKS[agency]) if rng.random() > 0.05 else None,
                service_years=_weighted(rng, SERVICE_BANDS) if rng.random() > 0.08 else None,
                pre_score=None if rng.random() < 0.07 else pre,
                post_score=None if rng.random() < 0.09 else post,
                attended_full=rng.random() > 0.1,
            )
        )
    return rows


def _staff(session: Session, clinic_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.clinic_id == clinic_id, User.role.in_(("lawyer", "manager")))
            .order_by(User.id)
        )
    )


def _details(
    rng: random.Random, clinic: Clinic, staff: list[User], starts_on: date, agency: str
) -> SessionDetails:
    region = clinic.economic_region if rng.random() < 0.6 else rng.choice(ECONOMIC_REGIONS.codes)
    district = rng.choice(DISTRICTS[region])
    by_partner = rng.random() < 0.35
    modules = rng.sample(list(TITLES), k=rng.randint(1, 3))
    if agency in ("police", "prosecutors") and "gbv_response" not in modules and rng.random() < 0.6:
        modules.insert(0, "gbv_response")
    unit = UNITS[agency].format(district=district, number=rng.randint(1, 17))
    days = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    trainers = rng.sample(staff, k=min(len(staff), rng.randint(1, 2)))
    external = [rng.choice(EXTERNAL_TRAINERS)] if by_partner or rng.random() < 0.25 else []
    return SessionDetails(
        title=f"{TITLES[modules[0]]}, {district}",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        economic_region=region,
        venue=rng.choice(VENUES).format(district=district),
        delivered_by="partner" if by_partner else "clinic",
        partner_name=rng.choice(PARTNERS) if by_partner else "",
        agency=agency,
        unit=unit,
        hours=Decimal(days * rng.choice((4, 5, 6))) + rng.choice((Decimal(0), Decimal("0.5"))),
        modules=modules,
        trainer_ids=[user.id for user in trainers],
        external_trainers=external,
        notes=rng.choice(
            (
                "",
                "Synthetic note: the unit asked for a follow-up session on protection orders.",
                "Synthetic note: the deputy chief attended the opening.",
                "Synthetic note: two officers left early for a call-out.",
            )
        ),
    )


def _weekday(day: date) -> date:
    while day.weekday() >= 5:  # sessions run Monday to Friday
        day -= timedelta(days=1)
    return day


def build_trainings(
    session: Session, rng: random.Random, clinics: list[Clinic], today: date
) -> TrainingTally:
    """Sessions from October 2026 up to ``today``, recorded by the clinics open then."""
    tally = TrainingTally()
    last = today - timedelta(days=1)
    if last < FIRST_DAY or not clinics:
        return tally
    weeks = (last - FIRST_DAY).days / 7
    count = min(MAX_SESSIONS, max(1, round(weeks * SESSIONS_PER_WEEK)))
    span = (last - FIRST_DAY).days
    days = sorted(_weekday(FIRST_DAY + timedelta(days=rng.randint(0, span))) for _ in range(count))
    staff = {clinic.id: _staff(session, clinic.id) for clinic in clinics}
    for starts_on in days:
        open_then = [
            clinic
            for clinic in clinics
            if (clinic.opened_on is None or clinic.opened_on <= starts_on) and staff[clinic.id]
        ]
        if starts_on < FIRST_DAY or not open_then:
            continue
        clinic = rng.choice(open_then)
        agency, _weight, women = rng.choices(AGENCIES, weights=[a[1] for a in AGENCIES])[0]
        details = _details(rng, clinic, staff[clinic.id], starts_on, agency)
        managers = [user for user in staff[clinic.id] if user.role == "manager"]
        counts_only = rng.random() < 0.15
        officers = _officers(rng, agency, women)
        if counts_only:
            women_count = sum(1 for row in officers if row.sex == "female")
            details.participation_mode = "counts"
            details.officers_total = len(officers)
            details.officers_female = women_count
            details.officers_male = len(officers) - women_count
            details.officers_full_attendance = (
                sum(1 for row in officers if row.attended_full) if rng.random() < 0.5 else None
            )
        training = create_session(
            session, managers[0] if managers else None, clinic.id, details, today=today
        )
        if not counts_only:
            replace_participants(session, training, officers, expected_version=training.version)
        tally.sessions += 1
        tally.counts_only += counts_only
        tally.officers += training.officers_total
        tally.women += training.officers_female
    return tally

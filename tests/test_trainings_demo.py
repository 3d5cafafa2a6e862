"""The demo's training sessions: realistic, valid, reproducible from the seed."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.demo.trainings import FIRST_DAY, build_trainings
from legalaid.trainings.models import TrainingParticipant, TrainingSession
from tests.factories import create_clinic, create_user

TODAY = date(2026, 12, 18)


def _fingerprint(session: Session, ids: list[int]) -> list[tuple[object, ...]]:
    rows = session.scalars(
        select(TrainingSession).where(TrainingSession.id.in_(ids)).order_by(TrainingSession.id)
    )
    return [
        (t.title, t.starts_on, t.agency, t.economic_region, t.officers_total, t.module_codes)
        for t in rows
    ]


def test_demo_sessions_are_valid_varied_and_reproducible(session: Session) -> None:
    clinics = [
        create_clinic(session, region="baku"),
        create_clinic(session, region="shaki_zagatala"),
    ]
    clinics[1].opened_on = date(2027, 2, 1)  # not open yet: records nothing
    for clinic in clinics:
        create_user(session, "manager", clinic=clinic)
        create_user(session, "lawyer", clinic=clinic)
    session.commit()

    def run() -> list[int]:
        before = set(session.scalars(select(TrainingSession.id)))
        tally = build_trainings(session, random.Random(7), clinics, TODAY)
        session.commit()
        created = sorted(set(session.scalars(select(TrainingSession.id))) - before)
        assert tally.sessions == len(created)
        assert tally.lines()
        assert str(tally.sessions) in tally.lines()[0]
        return created

    first = run()
    assert 20 <= len(first) <= 40
    trainings = session.scalars(select(TrainingSession).where(TrainingSession.id.in_(first))).all()
    assert all(FIRST_DAY <= t.starts_on < TODAY for t in trainings)
    assert {t.clinic_id for t in trainings} == {clinics[0].id}
    assert len({t.economic_region for t in trainings}) >= 3
    assert len({t.agency for t in trainings}) >= 3
    assert {t.participation_mode for t in trainings} == {"rows", "counts"}
    assert {t.delivered_by for t in trainings} == {"clinic", "partner"}
    for training in trainings:
        rows = session.scalar(
            select(func.count())
            .select_from(TrainingParticipant)
            .where(TrainingParticipant.session_id == training.id)
        )
        expected = training.officers_total if training.participation_mode == "rows" else 0
        assert rows == expected
        assert training.officers_total > 0
    # The same seed gives the same sessions.
    second = run()
    assert _fingerprint(session, first) == _fingerprint(session, second)


def test_no_sessions_before_the_training_starts(session: Session) -> None:
    clinic = create_clinic(session)
    create_user(session, "manager", clinic=clinic)
    tally = build_trainings(session, random.Random(1), [clinic], date(2026, 9, 1))
    assert tally.sessions == 0

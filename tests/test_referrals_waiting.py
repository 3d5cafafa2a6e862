"""The list of referrals awaiting an answer: the home page's count as a list, within scope."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.providers.services import create_provider
from legalaid.referrals.models import Referral
from legalaid.referrals.services import refer, set_referral_status
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, sign_in


def test_a_lawyer_sees_her_unanswered_referrals_longest_waiting_first(
    app: Flask, session: Session
) -> None:
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    colleague = create_user(session, "lawyer", clinic=clinic)
    elsewhere = create_user(session, "lawyer", clinic=create_clinic(session))
    shelter = create_provider(
        session,
        name="Synthetic Shelter Baku",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=None,
    )
    day = today()
    older = make_case(session, lawyer, on=day - timedelta(days=20))
    newer = make_case(session, lawyer, on=day - timedelta(days=20))
    answered = make_case(session, lawyer, on=day - timedelta(days=20))
    hidden = [
        make_case(session, colleague, on=day - timedelta(days=20)),
        make_case(session, elsewhere, on=day - timedelta(days=20)),
    ]
    for case_, sent in ((newer, 2), (older, 9), (answered, 5), *((c, 1) for c in hidden)):
        refer(
            session,
            case_,
            provider_id=shelter.id,
            service_type=None,
            sent_on=day - timedelta(days=sent),
            by=None,
            today=day,
        )
    done = session.scalars(select(Referral).where(Referral.case_id == answered.id)).one()
    set_referral_status(
        session, answered, done, status="accepted", expected_version=done.version, today=day
    )
    session.commit()

    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    home = client.get("/home").get_data(as_text=True)
    assert re.search(r'href="/referrals/waiting"><strong>2</strong>', home)
    page = client.get("/referrals/waiting").get_data(as_text=True)
    numbers = re.findall(r'class="record-number">([^<]+)</a>', page)
    assert numbers == [older.number, newer.number]  # the longest waiting first
    assert "9 days" in page
    assert "Synthetic Shelter Baku" in page
    for case_ in (answered, *hidden):
        assert case_.number not in page
    # No name of a client on the list.
    assert older.client.full_name not in page
    assert client.get("/referrals/waiting?page=x").status_code == 200
    session.expire_all()
    assert session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "referral.listed")
    ).all() == ["referral.listed", "referral.listed"]


def test_only_caseworkers_reach_the_list(app: Flask, session: Session) -> None:
    for role in ("task_force", "admin"):
        client = app.test_client()
        sign_in(client, app, create_user(session, role), session=session)
        assert client.get("/referrals/waiting").status_code == 403  # as every page of a role

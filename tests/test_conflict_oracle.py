"""The conflict check is no oracle of who is a client where (issue 12, point 4).

Before: one first name ("Sevinj") or one surname from any lawyer answered "possible
conflict at clinic BAK", checks were unlimited, and the audit did not say which clinic
matched. Now another clinic is named only for a specific subject, checks are limited per
person and hour, the audit entry keeps the matched clinic codes, and a manager sees her
staff's check volumes.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.cases import conflict_check
from legalaid.conflicts.limits import CheckLimitError
from legalaid.policy.security import SecurityPolicy
from tests.factories import sign_in
from tests.test_conflict_check import World, check_client, check_respondent, intake, world

__all__ = ["world"]  # the fixture, shared with tests/test_conflict_check.py


@pytest.mark.parametrize("typed", ["Sevinj", "Mammadova", "Севиндж", "Sevinj Aliyeva"])
def test_a_single_common_name_never_reveals_another_clinic(
    session: Session, world: World, typed: str
) -> None:
    intake(session, world.baku_lawyer, world.baku, "Sevinj Məmmədova")
    assert check_client(session, world.ganja_lawyer, typed).hits == []
    assert check_respondent(session, world.ganja_lawyer, typed).hits == []
    # Her own lawyer still finds her own client on one word: in scope, nothing changes.
    if typed != "Sevinj Aliyeva":
        assert check_client(session, world.baku_lawyer, typed).hits


def test_given_and_family_name_together_still_find_another_clinics_client(
    session: Session, world: World
) -> None:
    intake(session, world.baku_lawyer, world.baku, "Sevinj Məmmədova", birth_year=1991)
    report = check_client(session, world.ganja_lawyer, "Севиндж Мамедова", 1991)
    assert report.elsewhere == [("Client", "BAK")]
    # Both sides know the birth year and it disagrees: not the same person.
    assert check_client(session, world.ganja_lawyer, "Sevinj Mammadova", 1975).hits == []


def test_the_audit_entry_of_a_check_records_the_matched_clinic_codes(
    session: Session, world: World
) -> None:
    intake(session, world.baku_lawyer, world.baku, "Sevinj Məmmədova")
    check_client(session, world.ganja_lawyer, "Sevinj Mammadova")
    entry = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "conflict.checked")
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).one()
    assert entry.actor_id == world.ganja_lawyer.id
    assert entry.object_id == "BAK"
    check_client(session, world.ganja_lawyer, "Nobody Atall")
    last = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "conflict.checked")
        .order_by(AuditEntry.seq.desc())
    ).first()
    assert last is not None
    assert last.object_id is None


def test_checks_are_limited_per_person_and_hour(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.extensions["legalaid.policies"].security.conflict_checks.max_per_hour == 60
    strict = SecurityPolicy.model_validate({"conflict_checks": {"max_per_hour": 3}})
    monkeypatch.setattr(conflict_check, "security_policy", lambda: strict)
    for _ in range(3):
        check_client(session, world.ganja_lawyer, "Sevinj Mammadova")
    with pytest.raises(CheckLimitError, match="3 conflict checks in the last hour"):
        check_client(session, world.ganja_lawyer, "Sevinj Mammadova")
    # Another person's checks are her own.
    check_client(session, world.ganja_manager, "Sevinj Mammadova")
    refused = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "conflict.limited")
    ).all()
    assert [entry.outcome for entry in refused] == ["denied"]


def test_over_the_limit_the_intake_says_so_on_the_form(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = SecurityPolicy.model_validate({"conflict_checks": {"max_per_hour": 1}})
    monkeypatch.setattr(conflict_check, "security_policy", lambda: strict)
    check_client(session, world.ganja_lawyer, "Sevinj Mammadova")
    session.commit()
    client = app.test_client()
    sign_in(client, app, world.ganja_lawyer, session=session)
    from tests.helpers import csrf_token

    token = csrf_token(client, "/cases/intake")
    response = client.post(
        "/cases/intake",
        data={"csrf_token": token, "action": "check", "full_name": "Sevinj Mammadova"},
    )
    assert response.status_code == 200
    assert "1 conflict checks in the last hour" in response.get_data(as_text=True)


def test_a_manager_sees_her_staffs_check_volumes(
    app: Flask, session: Session, world: World
) -> None:
    for _ in range(2):
        check_client(session, world.ganja_lawyer, "Sevinj Mammadova")
    check_client(session, world.baku_lawyer, "Sevinj Mammadova")
    session.commit()
    manager = app.test_client()
    sign_in(manager, app, world.ganja_manager, session=session)
    html = manager.get("/conflict-checks").get_data(as_text=True)
    assert world.ganja_lawyer.full_name in html
    assert world.baku_lawyer.full_name not in html  # another clinic's staff
    row = html.split(world.ganja_lawyer.full_name, 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td>" in row
    lawyer = app.test_client()
    sign_in(lawyer, app, world.ganja_lawyer, session=session)
    assert lawyer.get("/conflict-checks").status_code == 403


def test_birth_dates_are_compared_for_respondents_untouched(session: Session, world: World) -> None:
    intake(
        session,
        world.baku_lawyer,
        world.baku,
        "Zəhra Nəbiyeva",
        respondents=(("Rəşad Əliyev", "intimate_partner"),),
        date_of_birth=date(1990, 1, 1),
    )
    (hit,) = check_respondent(session, world.ganja_lawyer, "Rashad Aliyev").hits
    assert hit.matched_kind == "respondent"
    assert not hit.in_scope

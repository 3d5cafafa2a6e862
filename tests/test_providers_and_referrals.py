"""The provider directory (managers keep it) and referrals out of a case (only with consent)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.clinics.models import Clinic
from legalaid.providers.models import ServiceProvider
from legalaid.providers.services import create_provider, update_provider
from legalaid.referrals.models import Referral
from legalaid.referrals.services import refer
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, signed_in_client
from tests.helpers import csrf_token, post_form

CONSENT_MESSAGE = "Record her consent on the client page first."


@dataclass
class World:
    baku: Clinic
    manager: User
    lawyer: User
    other_lawyer: User  # another clinic
    shelter: ServiceProvider
    clinic_hiv: ServiceProvider
    retired: ServiceProvider


@pytest.fixture
def world(session: Session) -> World:
    baku = create_clinic(session, "RFB")
    ganja = create_clinic(session, "RFG", region="ganja_dashkasan")
    manager = create_user(session, "manager", clinic=baku)
    shelter = create_provider(
        session,
        name="Safe House Baku",
        service_type="shelter",
        economic_region="baku",
        contact="+994 12 000 00 00",
        by=manager.id,
    )
    clinic_hiv = create_provider(
        session,
        name="Ganja Health Centre",
        service_type="health",
        economic_region="ganja_dashkasan",
        contact="",
        by=manager.id,
    )
    retired = create_provider(
        session,
        name="Closed Counselling",
        service_type="psychosocial",
        economic_region="baku",
        contact="",
        by=manager.id,
    )
    retired.active = False
    session.commit()
    return World(
        baku=baku,
        manager=manager,
        lawyer=create_user(session, "lawyer", clinic=baku),
        other_lawyer=create_user(session, "lawyer", clinic=ganja),
        shelter=shelter,
        clinic_hiv=clinic_hiv,
        retired=retired,
    )


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


def _version(html: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    assert match, "no version field"
    return match.group(1)


# --- the directory ------------------------------------------------------------------------


def test_directory_filters(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.lawyer)
    html = client.get("/providers").get_data(as_text=True)
    assert "Safe House Baku" in html
    assert "Ganja Health Centre" in html
    assert "Closed Counselling" not in html  # no longer in use: hidden unless asked for
    assert "/providers/new" not in html  # lawyers read, managers keep the directory
    html = client.get("/providers?service=health").get_data(as_text=True)
    assert "Ganja Health Centre" in html
    assert "Safe House Baku" not in html
    html = client.get("/providers?region=baku&inactive=1").get_data(as_text=True)
    assert "Closed Counselling" in html
    assert "Safe House Baku" in html
    assert "Ganja Health Centre" not in html
    # unknown codes are ignored, not errors
    assert client.get("/providers?service=bogus&region=mars&page=x").status_code == 200


def test_manager_adds_and_edits_a_provider(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.manager)
    response = post_form(
        client,
        "/providers/new",
        {
            "name": "  Harm Reduction Shirvan ",
            "service_type": "harm_reduction",
            "economic_region": "shirvan_salyan",
            "contact": "office@example.org",
        },
    )
    assert response.status_code == 302
    provider = session.scalars(
        select(ServiceProvider).where(ServiceProvider.name == "Harm Reduction Shirvan")
    ).one()
    assert provider.active
    assert provider.created_by_id == world.manager.id
    assert len(_audit(session, "provider.created")) == 4  # three from the fixture
    page = client.get(f"/providers/{provider.id}").get_data(as_text=True)
    response = post_form(
        client,
        f"/providers/{provider.id}",
        {
            "name": "Harm Reduction Shirvan-Salyan",
            "service_type": "harm_reduction",
            "economic_region": "shirvan_salyan",
            "contact": "",
            "version": _version(page),
            # "active" unticked: retired
        },
    )
    assert response.status_code == 302
    session.refresh(provider)
    assert provider.name == "Harm Reduction Shirvan-Salyan"
    assert not provider.active
    assert _audit(session, "provider.updated")[-1].object_id == str(provider.id)


def test_bad_provider_input_keeps_what_was_typed(
    app: Flask, session: Session, world: World
) -> None:
    client = signed_in_client(app, session, world.manager)
    response = post_form(
        client,
        "/providers/new",
        {"name": "Typed Name Kept", "service_type": "shelter", "economic_region": "mars"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Typed Name Kept" in html
    assert "Choose one of the listed values." in html
    assert session.scalar(select(func.count()).select_from(ServiceProvider)) == 3


def test_lawyer_cannot_keep_the_directory(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.lawyer)
    token = csrf_token(client, "/providers")
    assert client.get("/providers/new").status_code == 403
    assert client.get(f"/providers/{world.shelter.id}").status_code == 403
    data = {"name": "X", "service_type": "shelter", "economic_region": "baku", "csrf_token": token}
    assert client.post("/providers/new", data=data).status_code == 403
    assert client.post(f"/providers/{world.shelter.id}", data=data).status_code == 403
    session.refresh(world.shelter)
    assert world.shelter.name == "Safe House Baku"


def test_unknown_provider_is_404(app: Flask, session: Session, world: World) -> None:
    client = signed_in_client(app, session, world.manager)
    assert client.get("/providers/999999").status_code == 404


def test_concurrent_provider_edit_is_refused_with_409(
    app: Flask, session: Session, world: World
) -> None:
    client = signed_in_client(app, session, world.manager)
    page = client.get(f"/providers/{world.shelter.id}").get_data(as_text=True)
    stale = _version(page)
    # Someone else saves first.
    update_provider(
        session,
        world.shelter,
        expected_version=world.shelter.version,
        name="Safe House Baku (new address)",
        service_type="shelter",
        economic_region="baku",
        contact="",
        active=True,
    )
    session.commit()
    data = {
        "name": "My Typed Name",
        "service_type": "shelter",
        "economic_region": "absheron_khizi",
        "contact": "typed contact",
        "active": "y",
        "version": stale,
    }
    response = post_form(client, f"/providers/{world.shelter.id}", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this provider" in html
    assert "Safe House Baku (new address)" in html  # what is saved now
    # what she typed, kept
    assert "My Typed Name" in html
    assert "typed contact" in html
    session.refresh(world.shelter)
    assert world.shelter.name == "Safe House Baku (new address)"
    # Saving again knowingly overwrites.
    response = post_form(
        client, f"/providers/{world.shelter.id}", {**data, "version": _version(html)}
    )
    assert response.status_code == 302
    session.refresh(world.shelter)
    assert world.shelter.name == "My Typed Name"


# --- referrals ----------------------------------------------------------------------------


def test_referral_refused_without_consent(app: Flask, session: Session, world: World) -> None:
    case_ = make_case(session, world.lawyer, consent_sharing=False)
    client = signed_in_client(app, session, world.lawyer)
    page = f"/cases/{case_.id}"
    assert CONSENT_MESSAGE not in client.get(page).get_data(as_text=True)
    response = post_form(
        client,
        f"/cases/{case_.id}/referrals",
        {"provider_id": str(world.shelter.id), "sent_on": ""},
        page=page,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert CONSENT_MESSAGE in html
    assert 'id="referral-provider_id-error"' in html  # beside the field
    assert session.scalar(select(func.count()).select_from(Referral)) == 0
    refused = _audit(session, "case.referral_refused")
    assert [(entry.object_id, entry.outcome, entry.actor_id) for entry in refused] == [
        (str(case_.id), "failure", world.lawyer.id)
    ]
    assert _audit(session, "case.referral_sent") == []


def test_referral_sent_with_consent(app: Flask, session: Session, world: World) -> None:
    case_ = make_case(session, world.lawyer)
    client = signed_in_client(app, session, world.lawyer)
    response = post_form(
        client,
        f"/cases/{case_.id}/referrals",
        {"provider_id": str(world.shelter.id), "service_type": ""},
        page=f"/cases/{case_.id}",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case_.id}#referrals")
    referral = session.scalars(select(Referral).where(Referral.case_id == case_.id)).one()
    assert (referral.provider_id, referral.service_type, referral.status) == (
        world.shelter.id,
        "shelter",  # the provider's main service when none is chosen
        "sent",
    )
    assert referral.sent_on == today()
    assert referral.created_by_id == world.lawyer.id
    assert [e.object_id for e in _audit(session, "case.referral_sent")] == [str(case_.id)]
    html = client.get(f"/cases/{case_.id}").get_data(as_text=True)
    assert "Safe House Baku" in html
    assert f"/cases/{case_.id}/referrals/{referral.id}/status" in html


def test_referral_to_a_retired_provider_is_refused(
    app: Flask, session: Session, world: World
) -> None:
    case_ = make_case(session, world.lawyer)
    client = signed_in_client(app, session, world.lawyer)
    response = post_form(
        client,
        f"/cases/{case_.id}/referrals",
        {"provider_id": str(world.retired.id)},
        page=f"/cases/{case_.id}",
    )
    assert response.status_code == 400
    assert "Choose one of the listed values." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Referral)) == 0
    assert _audit(session, "case.referral_refused") == []


def _referral(session: Session, case_: Case, provider: ServiceProvider, by: User) -> Referral:
    referral = refer(
        session,
        case_,
        provider_id=provider.id,
        service_type=None,
        sent_on=None,
        by=by.id,
        today=today(),
    )
    session.commit()
    return referral


def test_status_change_and_stale_version(app: Flask, session: Session, world: World) -> None:
    case_ = make_case(session, world.lawyer)
    referral = _referral(session, case_, world.shelter, world.lawyer)
    client = signed_in_client(
        app, session, world.manager
    )  # the manager works on her clinic's cases
    url = f"/cases/{case_.id}/referrals/{referral.id}/status"
    page = f"/cases/{case_.id}"
    stale = str(referral.version)
    response = post_form(client, url, {"status": "accepted", "version": stale}, page=page)
    assert response.status_code == 302
    session.refresh(referral)
    assert referral.status == "accepted"
    assert referral.status_on == today()
    assert [e.object_id for e in _audit(session, "case.referral_updated")] == [str(case_.id)]
    response = post_form(client, url, {"status": "declined", "version": stale}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this referral" in html
    session.refresh(referral)
    assert referral.status == "accepted"
    # The re-rendered form carries what she chose and the current version.
    assert f'name="version" value="{referral.version}"' in html
    assert re.search(r'<option value="declined" selected>', html)
    response = post_form(
        client, url, {"status": "bogus", "version": str(referral.version)}, page=page
    )
    assert response.status_code == 400
    assert "Choose one of the listed values." in response.get_data(as_text=True)


def test_other_clinic_case_answers_404(app: Flask, session: Session, world: World) -> None:
    case_ = make_case(session, world.other_lawyer)
    referral = _referral(session, case_, world.clinic_hiv, world.other_lawyer)
    client = signed_in_client(app, session, world.lawyer)
    token = csrf_token(client, "/providers")
    add = client.post(
        f"/cases/{case_.id}/referrals",
        data={"provider_id": str(world.shelter.id), "csrf_token": token},
    )
    status = client.post(
        f"/cases/{case_.id}/referrals/{referral.id}/status",
        data={"status": "completed", "version": str(referral.version), "csrf_token": token},
    )
    assert add.status_code == 404
    assert status.status_code == 404
    session.refresh(referral)
    assert referral.status == "sent"
    assert session.scalar(select(func.count()).select_from(Referral)) == 1
    denied = [e for e in _audit(session, "case.viewed") if e.outcome == "denied"]
    assert len(denied) == 2


def test_referral_of_another_case_answers_404(app: Flask, session: Session, world: World) -> None:
    mine = make_case(session, world.lawyer)
    also_mine = make_case(session, world.lawyer)
    referral = _referral(session, also_mine, world.shelter, world.lawyer)
    client = signed_in_client(app, session, world.lawyer)
    response = post_form(
        client,
        f"/cases/{mine.id}/referrals/{referral.id}/status",
        {"status": "completed", "version": str(referral.version)},
        page=f"/cases/{mine.id}",
    )
    assert response.status_code == 404
    session.refresh(referral)
    assert referral.status == "sent"

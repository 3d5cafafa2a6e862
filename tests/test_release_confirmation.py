"""Issue 13: a new version that would hide numbers its previous version published stops
before it is frozen, shows which, and is made only once someone confirms with a reason."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.cases.models import Case
from legalaid.clients.models import Client
from legalaid.database import get_database
from legalaid.indicators.periods import parse_period
from legalaid.releases import services
from legalaid.releases.models import IndicatorRelease, ReleaseJob
from tests.factories import sign_in
from tests.helpers import post_form
from tests.test_releases import TODAY, World, build_world, release

PERIOD = "2025Q2"


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def _confirm_from(app: Flask, newly_hidden: int) -> None:
    policies = app.extensions["legalaid.policies"]
    stricter = policies.disclosure.model_copy(update={"confirm_when_newly_hidden": newly_hidden})
    app.extensions["legalaid.policies"] = dataclasses.replace(policies, disclosure=stricter)


def _withdraw_one_consent(session: Session) -> None:
    client = session.scalars(
        select(Client)
        .join(Case, Case.client_id == Client.id)
        .where(Client.consent_statistics.is_(True), Case.opened_on == date(2025, 5, 20))
        .order_by(Client.id)
    ).first()
    assert client is not None
    client.consent_statistics = False
    session.flush()


def _request(world: World, *, confirmed: bool = False) -> services.ReleaseRequest:
    return services.ReleaseRequest(
        scope_key="national",
        clinic_id=None,
        period=parse_period(PERIOD, TODAY, 30),
        reason="Consent withdrawn",
        user_id=world.task_force.id,
        more_hidden_confirmed=confirmed,
    )


def test_a_version_hiding_published_numbers_waits_and_stores_nothing(
    app: Flask, session: Session, world: World
) -> None:
    _confirm_from(app, 1)
    first = release(app, session, world.task_force, PERIOD)
    _withdraw_one_consent(session)
    policies = app.extensions["legalaid.policies"]
    with app.app_context(), pytest.raises(services.MoreHiddenError) as stopped:
        services.make_release(
            get_database(app),
            _request(world),
            catalogue=policies.indicators,
            policy=policies.disclosure,
        )
    more = stopped.value.more
    shown_before = {
        (entry["measure"], tuple(map(tuple, entry["coords"])))
        for entry in more.as_json()["newly_hidden"]  # type: ignore[attr-defined]
    }
    # Every listed cell was published by the first version, and is hidden by the second.
    assert shown_before
    assert more.previous_hidden == first.cells_suppressed
    assert more.hidden > more.previous_hidden
    session.expire_all()
    assert session.scalars(select(IndicatorRelease.version)).all() == [1]
    # Confirmed, the same version is made, with the same numbers hidden.
    with app.app_context():
        made = services.make_release(
            get_database(app),
            _request(world, confirmed=True),
            catalogue=policies.indicators,
            policy=policies.disclosure,
        )
    second = session.get(IndicatorRelease, made)
    assert second is not None
    assert second.version == 2
    assert second.cells_suppressed == more.hidden


def test_below_the_policy_threshold_a_version_is_made_at_once(
    app: Flask, session: Session, world: World
) -> None:
    release(app, session, world.task_force, PERIOD)
    _withdraw_one_consent(session)
    policies = app.extensions["legalaid.policies"]
    with app.app_context():
        counted = services.count_release(
            get_database(app).session_factory(),
            _request(world),
            catalogue=policies.indicators,
            policy=policies.disclosure,
        )
    assert counted.newly_hidden  # the withdrawal does hide some published cells
    at_count = policies.disclosure.model_copy(
        update={"confirm_when_newly_hidden": len(counted.newly_hidden)}
    )
    with pytest.raises(services.MoreHiddenError):
        services.check_hidden_growth(counted, at_count)
    above = policies.disclosure.model_copy(
        update={"confirm_when_newly_hidden": len(counted.newly_hidden) + 1}
    )
    services.check_hidden_growth(counted, above)  # no error: made at once


def test_the_page_lists_what_would_be_hidden_and_a_reason_releases_it(
    app: Flask, session: Session, world: World
) -> None:
    _confirm_from(app, 1)
    release(app, session, world.task_force, PERIOD)
    _withdraw_one_consent(session)
    client = app.test_client()
    sign_in(client, app, world.task_force, session=session)
    asked = post_form(
        client,
        "/releases/new",
        {"period": PERIOD, "reason": "Consent withdrawn", "confirmed": "yes"},
    )
    progress = asked.headers["Location"]
    page = client.get(progress).get_data(as_text=True)
    assert "This version would hide numbers that were published before" in page
    assert "LA02" in page
    assert "Nothing was released." in page
    assert "Consent withdrawn" in page  # her reason, ready to be confirmed
    stopped_id = int(re.findall(r"\d+$", progress)[0])
    confirm = f"/releases/jobs/{stopped_id}/confirm"
    # No reason: said on the same page, nothing released.
    refused = post_form(client, confirm, {"reason": "  "}, page=progress)
    assert refused.status_code == 400
    assert "Say why this version is released although it hides more." in refused.get_data(
        as_text=True
    )
    session.expire_all()
    assert session.scalars(select(IndicatorRelease.version)).all() == [1]
    # Another scope's manager cannot confirm it.
    stranger = app.test_client()
    sign_in(stranger, app, world.manager_a, session=session)
    assert post_form(stranger, confirm, {"reason": "x"}, page="/").status_code == 404
    done = post_form(client, confirm, {"reason": "Late consent withdrawal"}, page=progress)
    assert done.status_code == 302
    released = client.get(done.headers["Location"])
    assert released.status_code == 302
    assert "/releases/" in released.headers["Location"]
    session.expire_all()
    newest = session.scalars(
        select(IndicatorRelease).order_by(IndicatorRelease.version.desc())
    ).first()
    assert newest is not None
    assert newest.version == 2
    assert newest.reason == "Late consent withdrawal"
    jobs = session.scalars(select(ReleaseJob).order_by(ReleaseJob.id)).all()
    assert [(j.failure, j.more_hidden_confirmed) for j in jobs] == [
        ("confirm", False),
        (None, True),
    ]
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "release.more_hidden_confirmed" in actions

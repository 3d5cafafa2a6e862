"""Every record loader goes through ``access.visible.visible_or_404``: a record outside the
viewer's scope and a missing id both answer 404, and both leave a ``denied`` entry naming
the id asked for; the record's own viewer still reaches it."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.releases import services as release_services
from legalaid.releases.models import ReleaseJob, clinic_scope_key
from tests.case_factories import make_case
from tests.document_factories import add_document
from tests.factories import create_clinic, create_user, sign_in
from tests.training_factories import make_training

QUARTER = "2026Q2"
IN_QUARTER = date(2026, 5, 4)
MISSING = 100_000


def _denied(session: Session) -> list[tuple[str, str | None]]:
    session.expire_all()
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.object_id)
        .where(AuditEntry.outcome == "denied")
        .order_by(AuditEntry.seq)
    )
    return [(action, object_id) for action, object_id in rows]


def test_every_loader_answers_404_out_of_scope_or_missing_and_audits_it(
    app: Flask, session: Session
) -> None:
    clinic, other = create_clinic(session), create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    manager = create_user(session, "manager", clinic=clinic)
    stranger = create_user(session, "manager", clinic=other)
    case_ = make_case(session, lawyer, on=IN_QUARTER)
    second = make_case(session, lawyer, on=IN_QUARTER + timedelta(days=1))
    with app.test_request_context():
        document = add_document(session, case_, lawyer.id)
    training = make_training(session, manager)
    policies = app.extensions["legalaid.policies"]
    release = release_services.create_release(
        session,
        catalogue=policies.indicators,
        policy=policies.disclosure,
        user=manager,
        period_code=QUARTER,
        reason=None,
        today=today(),
    )
    job = ReleaseJob(
        scope_key=clinic_scope_key(clinic.id),
        clinic_id=clinic.id,
        period_code=QUARTER,
        requested_by_id=manager.id,
        status="failed",
        failure="error",
    )
    session.add(job)
    session.commit()
    # (URL with {} for the id, the id, the audited action): one per converted loader.
    loaders = [
        ("/cases/{}", case_.id, "case.viewed"),  # case_page_or_404
        ("/cases/{}/print", case_.id, "case.viewed"),  # case_or_404
        ("/clients/{}", case_.client_id, "client.viewed"),
        ("/trainings/{}", training.id, "training.viewed"),
        ("/releases/{}", release.id, "release.viewed"),
        ("/releases/{}/export.csv", release.id, "release.exported"),
        ("/releases/jobs/{}", job.id, "release.job_viewed"),
        # A document is opened only through its own case, even by her own lawyer.
        (f"/cases/{case_.id}/documents/{{}}", document.id, "document.viewed"),
    ]
    mine = app.test_client()
    sign_in(mine, app, manager, session=session)
    for url, record_id, _action in loaders:
        assert mine.get(url.format(record_id)).status_code == 200, url

    outsider = app.test_client()
    sign_in(outsider, app, stranger, session=session)
    for url, record_id, action in loaders[:-1]:
        before = _denied(session)
        outside = outsider.get(url.format(record_id))
        missing = outsider.get(url.format(record_id + MISSING))
        assert (outside.status_code, missing.status_code) == (404, 404), url
        assert _denied(session)[len(before) :] == [
            (action, str(record_id)),
            (action, str(record_id + MISSING)),
        ], url

    url, record_id, action = loaders[-1]
    before = _denied(session)
    through_other_case = mine.get(f"/cases/{second.id}/documents/{document.id}")
    assert through_other_case.status_code == 404
    assert mine.get(url.format(record_id + MISSING)).status_code == 404
    assert _denied(session)[len(before) :] == [
        (action, str(record_id)),
        (action, str(record_id + MISSING)),
    ]

"""Names, phones and notes never reach the disk, a dump, the audit log or the app log in clear.

These tests commit for real (no rollback) into a database of their own, then read the raw
SQLite file (and its WAL) or a pg_dump of the PostgreSQL database.
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.conflicts.names import name_skeletons
from legalaid.database import get_database
from legalaid.factory import create_app
from tests.conftest import make_settings
from tests.factories import PASSWORD, create_clinic, create_user
from tests.helpers import csrf_token, post_form

# Distinctive synthetic values: any of them found in clear is a leak.
SECRETS = {
    "full_name": "Zümrüd Qəhrəmanova",
    "other_names": "Зумруд Гахраманова",
    "phone": "+994 51 777 31 42",
    "address": "Nizami küçəsi 7731",
    "contact_notes": "Ring twice, ask for Sevda 5512",
    "respondent": "Tofiq Bəşirov",
    "summary": "Synthetic summary marker QX7731",
    "note": "Synthetic note marker NT5519",
    "place": "Synthetic courtroom PL8842",
    "reason": "Synthetic reopen reason RR6631",
}


@pytest.fixture
def committed_app(migrated_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    settings = make_settings(migrated_database_url, tmp_path)
    app = create_app(settings)
    app.config.update(TESTING=True)
    # The test's own session runs in a twin's context: requests must not share its ``g``.
    app.extensions["tests.twin"] = create_app(settings, check_schema=False)
    try:
        yield app
    finally:
        get_database(app).engine.dispose()
        get_database(app.extensions["tests.twin"]).engine.dispose()


def _walk_a_case_through_the_app(app: Flask, session: Session) -> Case:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    email, secret = lawyer.email, str(lawyer.totp_secret)
    session.commit()  # an open SQLite transaction would hold the write lock against the app
    client = app.test_client()
    _sign_in(client, email, secret)
    data = {
        "full_name": SECRETS["full_name"],
        "other_names": SECRETS["other_names"],
        "date_of_birth": "1991-04-05",
        "phone": SECRETS["phone"],
        "address": SECRETS["address"],
        "contact_notes": SECRETS["contact_notes"],
        "respondents-0-name": SECRETS["respondent"],
        "respondents-0-relation": "law_enforcement",
        "gender_identity": "trans_woman",
        "key_populations": ["transgender", "sex_work"],
        "economic_region": "baku",
        "settlement": "urban",
        "disability": "no",
        "consent_services": "y",
        "consent_sharing": "y",
        "category": "discrimination",
        "grounds": ["gender_identity"],
        "discrimination_domain": "law_enforcement",
        "risk_level": "high",
        "summary": SECRETS["summary"],
        "decision": "proceed",
    }
    token = csrf_token(client, "/cases/intake")
    html = client.post(
        "/cases/intake", data={**data, "action": "check", "csrf_token": token}
    ).get_data(as_text=True)
    checked = re.search(r'name="checked" type="hidden" value="([^"]*)"', html)
    assert checked
    response = client.post(
        "/cases/intake",
        data={**data, "action": "save", "checked": checked.group(1), "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    # No name in any URL the app hands out.
    assert all(value not in response.headers["Location"] for value in SECRETS.values())
    case_url = response.headers["Location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    version = _version(session, case_id)
    assert (
        post_form(
            client, f"/cases/{case_id}/open", {"version": str(version)}, page=case_url
        ).status_code
        == 302
    )
    assert (
        post_form(
            client, f"/cases/{case_id}/notes", {"body": SECRETS["note"]}, page=case_url
        ).status_code
        == 302
    )
    day = (today() + timedelta(days=2)).isoformat()
    assert (
        post_form(
            client,
            f"/cases/{case_id}/hearings",
            {"kind": "hearing", "due_on": day, "place": SECRETS["place"]},
            page=case_url,
        ).status_code
        == 302
    )
    version = _version(session, case_id)
    assert (
        post_form(
            client,
            f"/cases/{case_id}/close",
            {"outcome": "withdrawn", "version": str(version), "agenda_loss_confirmed": "y"},
            page=case_url,
        ).status_code
        == 302
    )
    version = _version(session, case_id)
    assert (
        post_form(
            client,
            f"/cases/{case_id}/reopen",
            {"reason": SECRETS["reason"], "version": str(version)},
            page=case_url,
        ).status_code
        == 302
    )
    page = client.get(case_url).get_data(as_text=True)
    # The person who may see it does see it: the values went in and come back out.
    for key in ("summary", "note", "place", "reason", "respondent"):
        assert SECRETS[key] in page, key
    case_ = session.get(Case, case_id)
    assert case_ is not None
    session.commit()
    return case_


def _sign_in(client: FlaskClient, email: str, secret: str) -> None:
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    code = pyotp.TOTP(secret).now()
    response = post_form(client, "/login/two-factor", {"code": code})
    assert response.status_code == 302
    assert "/login" not in response.headers["Location"]


def _version(session: Session, case_id: int) -> int | None:
    # Commit at once: an open SQLite transaction would hold the write lock against the app.
    version = session.scalar(select(Case.version).where(Case.id == case_id))
    session.commit()
    return version


def _forms_of(value: str) -> list[bytes]:
    """The value as it could sit on disk: UTF-8, the skeleton the conflict check uses."""
    forms = [value.encode("utf-8"), value.lower().encode("utf-8")]
    forms += [shape.encode() for shape in name_skeletons(value) if len(shape) >= 5]
    return forms


def _assert_absent(blob: bytes, where: str) -> None:
    for key, value in SECRETS.items():
        for form in _forms_of(value):
            assert form not in blob, f"{key} found in {where}"


def test_nothing_personal_in_the_database_files_the_dump_or_the_logs(
    committed_app: Flask, migrated_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = get_database(committed_app)
    # Log everything, SQL statements and their parameters included.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with committed_app.extensions["tests.twin"].app_context():
        session = database.session_factory()
        try:
            case_ = _walk_a_case_through_the_app(committed_app, session)
            audit_rows = session.execute(text("SELECT * FROM audit_entry")).all()
            actions = set(session.scalars(select(AuditEntry.action)))
        finally:
            session.close()
    assert {
        "case.created",
        "client.created",
        "conflict.checked",
        "conflict.recorded",
        "case.opened",
        "case.note_added",
        "case.hearing_added",
        "case.closed",
        "case.reopened",
        "case.viewed",
    } <= actions
    assert case_.number
    _assert_absent(repr(audit_rows).encode("utf-8"), "the audit log")
    _assert_absent(caplog.text.encode("utf-8"), "the application log")
    assert "INSERT INTO client" in caplog.text  # the SQL log was on: the check means something
    database.engine.dispose()
    url = make_url(migrated_database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        blobs = [path.read_bytes()] + [
            Path(f"{path}{suffix}").read_bytes()
            for suffix in ("-wal", "-journal")
            if Path(f"{path}{suffix}").exists()
        ]
        for blob in blobs:
            _assert_absent(blob, "the SQLite file")
        assert b"legal_case" in blobs[0]  # it is the right file
    else:
        dump = subprocess.run(
            [
                "pg_dump",
                "--data-only",
                "--no-owner",
                "-d",
                url.set(drivername="postgresql").render_as_string(hide_password=False),
            ],
            check=True,
            capture_output=True,
        ).stdout
        assert case_.number.encode() in dump  # it is the right database
        _assert_absent(dump, "the PostgreSQL dump")

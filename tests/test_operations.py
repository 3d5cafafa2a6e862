"""Operations: commit errors logged without values, success printed only after commit,
downgrades that would delete the audit log or the releases refused without consent."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select
from sqlalchemy.engine.base import RootTransaction
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import legalaid.factory
from legalaid.audit.models import AuditEntry
from legalaid.cli import main
from legalaid.database import commit_request as database_commit
from legalaid.database import make_engine
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user, sign_in

SECRET_VALUE = "Synthetic Secretname Clientova"


def test_a_failed_commit_is_logged_with_type_and_frames_never_values(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    def failing_commit() -> None:
        raise IntegrityError(
            "INSERT INTO client (full_name) VALUES (%(name)s)",
            {"name": SECRET_VALUE},
            Exception(f'duplicate key: Key (full_name)=("{SECRET_VALUE}")'),
        )

    monkeypatch.setattr(legalaid.factory, "commit_request", failing_commit)
    with caplog.at_level(logging.INFO):
        response = client.get("/login")
    assert response.status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "IntegrityError" in logged
    assert "at commit" in logged
    assert SECRET_VALUE not in logged
    assert SECRET_VALUE not in caplog.text
    assert SECRET_VALUE not in response.get_data(as_text=True)


def test_a_refusal_is_kept_when_its_requests_commit_fails(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A manager of another clinic asks for a case: 404 and a ``denied`` entry. When that
    request's commit fails, nothing of it is saved, but the refusal is still on file."""
    clinic, other = create_clinic(session), create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    stranger = create_user(session, "manager", clinic=other)
    case_ = make_case(session, lawyer, on=date(2026, 5, 4))
    session.commit()
    client = app.test_client()
    sign_in(client, app, stranger, session=session)
    real_commit = database_commit
    calls: list[int] = []

    def fails_once() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("COMMIT", {}, Exception("the commit failed"))
        real_commit()

    monkeypatch.setattr(legalaid.factory, "commit_request", fails_once)
    response = client.get(f"/cases/{case_.id}")
    assert response.status_code == 500
    session.expire_all()
    denied = session.scalars(
        select(AuditEntry.object_id).where(
            AuditEntry.action == "case.viewed", AuditEntry.outcome == "denied"
        )
    ).all()
    assert denied == [str(case_.id)]


def test_a_lost_race_at_commit_answers_409(client: FlaskClient, monkeypatch) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    def stale() -> None:
        raise StaleDataError("UPDATE statement on table 'client' expected to update 1 row")

    monkeypatch.setattr(legalaid.factory, "commit_request", stale)
    assert client.get("/login").status_code == 409


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "LEGALAID_DATABASE_URL": url,
        "LEGALAID_INSTANCE_PATH": str(tmp_path),
        "LEGALAID_ENV": "development",
    }


def test_users_create_prints_created_only_after_the_commit(
    migrated_database_url: str, tmp_path: Path, monkeypatch
) -> None:
    def refuse(self: RootTransaction) -> None:
        raise IntegrityError("COMMIT", {}, Exception("disk I/O error"))

    env = _env(migrated_database_url, tmp_path)
    args = ["users", "create", "--role", "admin", "--no-password", "--email"]
    first = CliRunner().invoke(main, [*args, "first@example.org"], env=env)
    assert first.exit_code == 0
    assert "created admin account" in first.output
    # The database's own COMMIT fails (not a savepoint's release inside the work).
    monkeypatch.setattr(RootTransaction, "_do_commit", refuse)
    result = CliRunner().invoke(main, [*args, "a@example.org"], env=env)
    assert result.exit_code != 0
    assert "created" not in result.output
    assert "set-up code" not in result.output


@pytest.mark.parametrize(
    ("revision", "lost"),
    [("base", "the audit log"), ("0004", "every frozen indicator release")],
)
def test_downgrade_refuses_to_delete_the_audit_log_or_releases_without_consent(
    migrated_database_url: str, tmp_path: Path, revision: str, lost: str
) -> None:
    env = _env(migrated_database_url, tmp_path)
    refused = CliRunner().invoke(main, ["db", "downgrade", revision, "--yes"], env=env)
    assert refused.exit_code == 1
    assert lost in refused.output
    assert "--i-understand-data-loss" in refused.output
    engine = make_engine(migrated_database_url)
    assert {"audit_entry", "indicator_release"} <= set(inspect(engine).get_table_names())
    done = CliRunner().invoke(
        main, ["db", "downgrade", revision, "--yes", "--i-understand-data-loss"], env=env
    )
    assert done.exit_code == 0, done.output
    assert "indicator_release" not in inspect(engine).get_table_names()
    engine.dispose()


def test_downgrade_that_keeps_the_data_needs_no_consent(
    migrated_database_url: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main, ["db", "downgrade", "--yes", "--", "-1"], env=_env(migrated_database_url, tmp_path)
    )
    assert result.exit_code == 0, result.output


def test_the_shipped_gunicorn_settings_fit_the_longest_request() -> None:
    """A national release on a million cases took 38-64 s (README); 30 s would kill it."""
    from legalaid import gunicorn_conf

    assert gunicorn_conf.timeout >= 120
    assert gunicorn_conf.graceful_timeout >= gunicorn_conf.timeout
    assert gunicorn_conf.bind.startswith("127.0.0.1:")
    nginx = (Path(__file__).parent.parent / "docs/deploy/nginx.conf").read_text()
    assert f"proxy_read_timeout {gunicorn_conf.timeout + 10}s" in nginx
    unit = (Path(__file__).parent.parent / "docs/deploy/legalaid.service").read_text()
    assert "gunicorn -c python:legalaid.gunicorn_conf legalaid.wsgi:app" in unit
    assert "LEGALAID_TRUSTED_PROXIES=1" in unit

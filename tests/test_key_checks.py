"""Key check values: a wrong key is refused at start-up, naming its variable."""

from __future__ import annotations

import base64
import dataclasses
import secrets
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from legalaid.cli import main
from legalaid.crypto.checks import KeyCheck
from legalaid.database import get_database
from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.settings import Settings, format_key_ring
from tests.conftest import make_settings


def _start(settings: Settings) -> None:
    app = create_app(settings)
    get_database(app).engine.dispose()


@pytest.fixture
def settings(migrated_database_url: str, tmp_path: Path) -> Settings:
    first = make_settings(migrated_database_url, tmp_path)
    _start(first)  # records the check values
    return first


def _stored(settings: Settings) -> dict[str, str]:
    app = create_app(settings)
    try:
        with get_database(app).session_factory() as session:
            return {row.name: row.check_value for row in session.scalars(select(KeyCheck))}
    finally:
        get_database(app).engine.dispose()


def test_first_start_records_a_check_value_per_key_never_the_key(settings: Settings) -> None:
    stored = _stored(settings)
    assert set(stored) == {"encryption:t1", "blind_index", "audit", "secret_key"}
    keys = [settings.audit_key, settings.blind_index_key, *settings.encryption_keys.values()]
    for value in stored.values():
        assert len(value) == 64
        for key in keys:
            assert key.hex() not in value
            assert base64.urlsafe_b64encode(key).decode() not in value
    _start(settings)  # the same keys start again


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"audit_key": secrets.token_bytes(32)}, "LEGALAID_AUDIT_KEY"),
        ({"blind_index_key": secrets.token_bytes(32)}, "LEGALAID_BLIND_INDEX_KEY"),
        ({"encryption_keys": {"t1": secrets.token_bytes(32)}}, "LEGALAID_ENCRYPTION_KEYS"),
        ({"secret_key": secrets.token_urlsafe(48)}, "LEGALAID_SECRET_KEY"),
    ],
)
def test_a_wrong_key_stops_start_up_with_one_line_naming_the_variable(
    settings: Settings, change: dict[str, object], variable: str
) -> None:
    with pytest.raises(StartupError) as refused:
        _start(dataclasses.replace(settings, **change))  # type: ignore[arg-type]
    message = str(refused.value)
    assert message.startswith(variable)
    assert "does not match" in message
    assert "\n" not in message


def test_a_new_key_id_is_accepted_and_recorded(settings: Settings) -> None:
    rotated = dataclasses.replace(
        settings, encryption_keys={"t2": secrets.token_bytes(32), **settings.encryption_keys}
    )
    _start(rotated)
    assert "encryption:t2" in _stored(rotated)


def _env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {
        "LEGALAID_ENV": "development",
        "LEGALAID_DATABASE_URL": settings.database_url,
        "LEGALAID_INSTANCE_PATH": str(tmp_path / "cli-instance"),
        "LEGALAID_SECRET_KEY": settings.secret_key,
        "LEGALAID_ENCRYPTION_KEYS": format_key_ring(settings.encryption_keys),
        "LEGALAID_BLIND_INDEX_KEY": base64.urlsafe_b64encode(settings.blind_index_key).decode(),
        "LEGALAID_AUDIT_KEY": base64.urlsafe_b64encode(settings.audit_key).decode(),
    }


def test_keys_status_reports_each_check_value_and_commands_refuse_a_wrong_key(
    settings: Settings, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = _env(settings, tmp_path)
    ok = runner.invoke(main, ["keys", "status"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "LEGALAID_AUDIT_KEY [audit]: matches" in ok.output
    wrong = {**env, "LEGALAID_AUDIT_KEY": base64.urlsafe_b64encode(bytes(32)).decode()}
    status = runner.invoke(main, ["keys", "status"], env=wrong)
    assert status.exit_code == 1
    assert "LEGALAID_AUDIT_KEY [audit]: differs" in status.output
    assert "LEGALAID_BLIND_INDEX_KEY [blind_index]: matches" in status.output
    verify = runner.invoke(main, ["audit", "verify"], env=wrong)
    assert verify.exit_code == 2
    assert "LEGALAID_AUDIT_KEY does not match" in verify.output


def test_a_changed_secret_key_can_be_accepted_on_purpose(
    settings: Settings, tmp_path: Path
) -> None:
    new_secret = secrets.token_urlsafe(48)
    env = {**_env(settings, tmp_path), "LEGALAID_SECRET_KEY": new_secret}
    result = CliRunner().invoke(main, ["keys", "accept-secret-key"], env=env)
    assert result.exit_code == 0, result.output
    _start(dataclasses.replace(settings, secret_key=new_secret))

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask

from legalaid.database import get_database
from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.settings import DEFAULT_POLICY_DIR, load_settings, new_key
from tests.conftest import make_settings

GOOD_PRODUCTION_ENV = {
    "LEGALAID_ENV": "production",
    "LEGALAID_SECRET_KEY": "q" * 5 + "Zx8!kP2@mN7#vB4$wR1%tY6^uI3&oE9*",
    "LEGALAID_ENCRYPTION_KEYS": f"p1:{new_key()}",
    "LEGALAID_BLIND_INDEX_KEY": new_key(),
    "LEGALAID_AUDIT_KEY": new_key(),
    "LEGALAID_BASE_URL": "https://legalaid.example.org",
}


def test_factory_builds_an_app_from_test_settings(app: Flask) -> None:
    assert app.config["DEBUG"] is False
    assert app.config["TESTING"] is True
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert "Free legal aid clinics" in response.get_data(as_text=True)


def test_every_call_builds_a_separate_app(shared_settings) -> None:
    first, second = create_app(shared_settings), create_app(shared_settings)
    assert first is not second
    assert first.extensions["legalaid.db"] is not second.extensions["legalaid.db"]
    for built in (first, second):
        get_database(built).engine.dispose()


@pytest.mark.parametrize(
    "missing",
    [
        "LEGALAID_SECRET_KEY",
        "LEGALAID_ENCRYPTION_KEYS",
        "LEGALAID_BLIND_INDEX_KEY",
        "LEGALAID_AUDIT_KEY",
        "LEGALAID_DATABASE_URL",
        "LEGALAID_BASE_URL",
    ],
)
def test_production_refuses_to_start_without_each_secret(
    missing: str, migrated_database_url: str, tmp_path: Path
) -> None:
    env = {
        **GOOD_PRODUCTION_ENV,
        "LEGALAID_DATABASE_URL": migrated_database_url,
        "LEGALAID_INSTANCE_PATH": str(tmp_path),
    }
    del env[missing]
    with pytest.raises(StartupError) as error:
        create_app(env)
    assert missing in str(error.value)
    assert "\n" not in str(error.value)
    # Production never generates secrets of its own.
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize(
    "weak", ["changeme", "short-secret", "a" * 40, "abcabcabcabcabcabcabcabcabcabcabcabc"]
)
def test_production_refuses_a_weak_secret_key(weak: str, migrated_database_url: str) -> None:
    env = {
        **GOOD_PRODUCTION_ENV,
        "LEGALAID_DATABASE_URL": migrated_database_url,
        "LEGALAID_SECRET_KEY": weak,
    }
    with pytest.raises(StartupError, match="LEGALAID_SECRET_KEY is too weak"):
        create_app(env)


@pytest.mark.parametrize("address", ["legalaid.example.org", "ftp://legalaid.example.org"])
def test_production_refuses_a_base_url_that_is_no_address(address: str, tmp_path: Path) -> None:
    env = {
        **GOOD_PRODUCTION_ENV,
        "LEGALAID_DATABASE_URL": "sqlite:////nowhere/x.sqlite3",
        "LEGALAID_BASE_URL": address,
    }
    with pytest.raises(StartupError, match="LEGALAID_BASE_URL must be the app's address"):
        load_settings(env)


def test_production_starts_with_good_secrets(migrated_database_url: str) -> None:
    app = create_app(
        {
            **GOOD_PRODUCTION_ENV,
            "LEGALAID_DATABASE_URL": migrated_database_url,
            "LEGALAID_BASE_URL": "https://legalaid.example.org/",
        }
    )
    assert app.config["DEBUG"] is False
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    # Links in mails are built from it (no trailing slash to double).
    assert app.extensions["legalaid.settings"].mail.base_url == "https://legalaid.example.org"
    get_database(app).engine.dispose()


def test_demo_mode_is_refused_in_production(migrated_database_url: str) -> None:
    env = {
        **GOOD_PRODUCTION_ENV,
        "LEGALAID_DATABASE_URL": migrated_database_url,
        "LEGALAID_DEMO": "1",
    }
    with pytest.raises(StartupError, match="LEGALAID_DEMO"):
        create_app(env)


def test_development_generates_its_secrets_once_with_mode_0600(tmp_path: Path) -> None:
    env = {"LEGALAID_ENV": "development", "LEGALAID_INSTANCE_PATH": str(tmp_path)}
    first = load_settings(env)
    path = tmp_path / "secrets.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = load_settings(env)
    assert first.secret_key == second.secret_key
    assert first.encryption_keys == second.encryption_keys
    assert len(first.secret_key) >= 32


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "LEGALAID_DATABASE_URL is not a valid database URL"),
        ("mysql://root@localhost/test", "must point at SQLite or PostgreSQL"),
        ("postgresql+psycopg2://postgres@127.0.0.1/test", "psycopg 3 driver"),
    ],
)
def test_malformed_database_url_stops_start_up(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=message):
        load_settings({"LEGALAID_INSTANCE_PATH": str(tmp_path), "LEGALAID_DATABASE_URL": url})


def test_plain_postgresql_url_means_psycopg_3(tmp_path: Path) -> None:
    settings = load_settings(
        {"LEGALAID_INSTANCE_PATH": str(tmp_path), "LEGALAID_DATABASE_URL": "postgresql://u@h/db"}
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_unreachable_database_stops_start_up_with_one_line(tmp_path: Path) -> None:
    settings = make_settings("postgresql+psycopg://postgres@127.0.0.1:1/test", tmp_path)
    with pytest.raises(StartupError) as error:
        create_app(settings)
    assert str(error.value).startswith("cannot reach the database (127.0.0.1:1)")
    assert "\n" not in str(error.value)


def test_unwritable_sqlite_location_stops_start_up(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3", tmp_path)
    with pytest.raises(StartupError, match="cannot reach the database"):
        create_app(settings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[passwords\nmin_length = 12", "is not valid TOML"),
        ("[passwords]\nmin_length = 3", "passwords.min_length"),
        ("[passwords]\nminimum = 12", "passwords.minimum"),
        ('[two_factor]\nrequired_for_roles = ["pirate"]', "unknown role"),
    ],
)
def test_bad_policy_file_stops_start_up(
    content: str, message: str, tmp_path: Path, migrated_database_url: str
) -> None:
    policy_dir = tmp_path / "policies"
    policy_dir.mkdir()
    for source in DEFAULT_POLICY_DIR.glob("*.toml"):
        (policy_dir / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (policy_dir / "security.toml").write_text(content, encoding="utf-8")
    settings = make_settings(migrated_database_url, tmp_path, policy_dir=policy_dir)
    with pytest.raises(StartupError, match=message) as error:
        create_app(settings)
    assert "security.toml" in str(error.value)


def test_missing_policy_folder_stops_start_up(tmp_path: Path, migrated_database_url: str) -> None:
    settings = make_settings(migrated_database_url, tmp_path, policy_dir=tmp_path / "nowhere")
    with pytest.raises(StartupError, match="does not exist"):
        create_app(settings)


def test_policy_folder_overrides_file_by_file(tmp_path: Path, migrated_database_url: str) -> None:
    """A network's folder holding only security.toml keeps the shipped files for the rest."""
    policy_dir = tmp_path / "policies"
    policy_dir.mkdir()
    (policy_dir / "security.toml").write_text("[passwords]\nmin_length = 16\n", encoding="utf-8")
    app = create_app(make_settings(migrated_database_url, tmp_path, policy_dir=policy_dir))
    try:
        policies = app.extensions["legalaid.policies"]
        assert policies.security.passwords.min_length == 16
        assert policies.access.endpoints  # the shipped access.toml
    finally:
        get_database(app).engine.dispose()

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from legalaid.cli import main
from legalaid.clinics.models import Clinic
from legalaid.database import get_database, make_engine
from legalaid.factory import create_app
from legalaid.releases.models import IndicatorRelease
from legalaid.settings import load_settings
from tests.helpers import csrf_token


def _invoke(args: list[str], database_url: str, instance: Path, **env: str):
    runner = CliRunner()
    environment = {
        "LEGALAID_DATABASE_URL": database_url,
        "LEGALAID_INSTANCE_PATH": str(instance),
        "LEGALAID_ENV": "development",
        **env,
    }
    return runner.invoke(main, args, env=environment, catch_exceptions=False)


def test_db_upgrade_builds_the_schema(fresh_database_url: str, tmp_path: Path) -> None:
    result = _invoke(["db", "upgrade"], fresh_database_url, tmp_path)
    assert result.exit_code == 0, result.output
    engine = make_engine(fresh_database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    current = _invoke(["db", "current"], fresh_database_url, tmp_path)
    lines = current.output.splitlines()
    assert lines[0].split()[-1] == lines[1].split()[-1]


def test_clinics_create_and_duplicate_code(migrated_database_url: str, tmp_path: Path) -> None:
    args = [
        "clinics",
        "create",
        "--code",
        "gnj",
        "--name",
        "Ganja clinic",
        "--region",
        "ganja_dashkasan",
    ]
    result = _invoke(args, migrated_database_url, tmp_path)
    assert result.exit_code == 0, result.output
    assert "created clinic GNJ" in result.output
    again = _invoke(args, migrated_database_url, tmp_path)
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_clinics_create_refuses_an_unknown_region(
    migrated_database_url: str, tmp_path: Path
) -> None:
    args = ["clinics", "create", "--code", "XX", "--name", "X", "--region", "atlantis"]
    result = _invoke(args, migrated_database_url, tmp_path)
    assert result.exit_code == 2
    assert "atlantis" in result.output


def test_demo_is_reproducible_and_prints_how_to_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    first = _invoke(["demo", "--seed", "7"], url, tmp_path)
    assert first.exit_code == 0, first.output
    assert "legalaid run" in first.output
    engine = make_engine(url)
    with engine.connect() as connection:
        regions = connection.execute(select(Clinic.economic_region)).scalars().all()
        count = connection.execute(select(func.count()).select_from(Clinic)).scalar_one()
        releases = connection.execute(
            select(IndicatorRelease.scope_key, IndicatorRelease.period_kind)
        ).all()
    engine.dispose()
    assert count >= 3
    assert len(set(regions)) >= 3, "demo clinics should lie in different economic regions"
    # The dashboard has a national and a clinic release of the last completed quarter.
    assert sorted(scope.split(":")[0] for scope, _ in releases) == ["clinic", "national"]
    assert {kind for _, kind in releases} == {"quarter"}
    assert "release by taskforce@" in first.output
    second = _invoke(["demo", "--seed", "7"], url, tmp_path)
    # Run again on the same file, the demo says that it wiped it (no terminal to ask in).
    wiped, *rest = second.output.splitlines(keepends=True)
    assert wiped == f"wiped the existing database {tmp_path / 'demo.sqlite3'}\n"
    assert "".join(rest) == first.output
    assert "wiped" not in first.output
    for role, clinic in (
        ("lawyer", "BAK"),
        ("manager", "BAK"),
        ("task_force", "-"),
        ("admin", "-"),
    ):
        assert re.search(
            rf"^  {role}\s+{clinic}\s+\S+@\S+\s+password: \S+$", first.output, re.MULTILINE
        )
    # The command as she must type it from where she is, and the real address.
    assert re.search(r"^Start the app with:  \S*legalaid run$", first.output, re.MULTILINE)
    assert "http://127.0.0.1:5000/login" in first.output
    other_seed = _invoke(["demo", "--seed", "8"], url, tmp_path)
    assert other_seed.output != first.output


def test_demo_instance_shows_the_banner_and_skips_two_step_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = _invoke(["demo", "--seed", "3"], url, tmp_path)
    match = re.search(r"^  lawyer\s+BAK\s+(\S+)\s+password: (\S+)$", result.output, re.MULTILINE)
    assert match
    app = create_app(
        load_settings({"LEGALAID_DATABASE_URL": url, "LEGALAID_INSTANCE_PATH": str(tmp_path)})
    )
    try:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        assert "Demonstration instance" in page
        # The sign-in page lists the demo accounts, so the terminal output is not needed.
        assert "Demo accounts" in page
        assert f"<code>{match.group(1)}</code>" in page
        assert f"<code>{match.group(2)}</code>" in page
        token = csrf_token(client, "/login")
        response = client.post(
            "/login",
            data={"email": match.group(1), "password": match.group(2), "csrf_token": token},
        )
        assert response.headers["Location"].endswith("/home")
    finally:
        get_database(app).engine.dispose()


def test_demo_asks_before_wiping_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import legalaid.demo.cli as demo_cli

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert _invoke(["demo", "--seed", "7"], url, tmp_path).exit_code == 0
    engine = make_engine(url)

    def clinics() -> list[str]:
        with engine.connect() as connection:
            return list(connection.execute(select(Clinic.code).order_by(Clinic.code)).scalars())

    before = clinics()
    assert before
    monkeypatch.setattr(demo_cli, "_interactive", lambda: True)
    refused = CliRunner().invoke(
        main,
        ["demo", "--seed", "7"],
        input="n\n",
        env={
            "LEGALAID_DATABASE_URL": url,
            "LEGALAID_INSTANCE_PATH": str(tmp_path),
            "LEGALAID_ENV": "development",
        },
    )
    assert refused.exit_code == 1
    assert "already exists; the demo wipes it" in refused.output
    assert clinics() == before, "a refused wipe keeps the database"
    engine.dispose()
    assert _invoke(["demo", "--seed", "7", "--yes"], url, tmp_path).exit_code == 0


def test_an_instance_that_is_not_a_demo_lists_no_accounts(tmp_path: Path) -> None:
    from legalaid.demo.sign_in_list import DemoAccount, write_demo_accounts

    url = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    assert _invoke(["db", "upgrade"], url, tmp_path).exit_code == 0
    write_demo_accounts(tmp_path, [DemoAccount("x@example.org", "admin", "", "leftover-pass")])
    app = create_app(
        load_settings({"LEGALAID_DATABASE_URL": url, "LEGALAID_INSTANCE_PATH": str(tmp_path)})
    )
    try:
        page = app.test_client().get("/login").get_data(as_text=True)
        assert "Demo accounts" not in page
        assert "leftover-pass" not in page
    finally:
        get_database(app).engine.dispose()


def test_wsgi_entry_point_reports_start_up_errors_in_one_line(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "import legalaid.wsgi"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"LEGALAID_ENV": "production", "LEGALAID_INSTANCE_PATH": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert completed.returncode == 4
    assert completed.stderr.strip().splitlines() == [
        "legalaid: error: LEGALAID_DATABASE_URL is not set; production needs it"
    ]


@pytest.mark.postgres_only
def test_demo_refuses_to_wipe_postgresql_without_confirmation(
    tmp_path: Path, database_server
) -> None:
    url = database_server.new_url()
    result = _invoke(["demo"], url, tmp_path)
    assert result.exit_code == 1
    assert "--reset-postgresql" in result.output


def test_cli_startup_errors_are_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["db", "current"],
        env={"LEGALAID_DATABASE_URL": "not a url", "LEGALAID_INSTANCE_PATH": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert result.output.strip().startswith("legalaid: error: LEGALAID_DATABASE_URL")
    assert "Traceback" not in result.output


def test_console_script_works_without_flask_app(migrated_database_url: str, tmp_path: Path) -> None:
    script = shutil.which("legalaid") or str(Path(sys.executable).parent / "legalaid")
    completed = subprocess.run(
        [script, "routes"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": str(Path(sys.executable).parent),
            "LEGALAID_DATABASE_URL": migrated_database_url,
            "LEGALAID_INSTANCE_PATH": str(tmp_path),
        },
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "pages.healthz" in completed.stdout

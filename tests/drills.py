"""What the operational drills share (restore drill, disk faults): running a system command
and checking it, copying a SQLite database online, and opening the copy again with the same
keys, through the app and through the ``legalaid`` command."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.engine import make_url

from legalaid.cli import main
from legalaid.settings import Settings, format_key_ring
from tests.conftest import make_settings, unavailable


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a system command, its output captured; the caller judges the outcome."""
    return subprocess.run(list(command), capture_output=True, text=True, check=False)


def _said(done: subprocess.CompletedProcess[str]) -> str:
    return done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}"


def must(*command: str) -> str:
    """Run a command that must succeed here; its output, or the test fails with its error."""
    done = run(*command)
    assert done.returncode == 0, f"{command[0]}: {_said(done)}"
    return done.stdout.strip()


def need(what: str, *command: str) -> str:
    """Run a command this machine may not allow (mount, losetup): unavailable if it fails."""
    done = run(*command)
    if done.returncode != 0:
        unavailable(f"{what}: {_said(done)}")
    return done.stdout.strip()


def copy_sqlite(source_url: str, target: Path) -> str:
    """A copy made with SQLite's online backup API (safe while the app writes, in WAL mode)."""
    source = sqlite3.connect(make_url(source_url).database or "")
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return f"sqlite:///{target}"


def cli_env(settings: Settings, url: str, instance: Path) -> dict[str, str]:
    """The environment of a ``legalaid`` command on ``url`` with the keys of ``settings``."""
    b64 = base64.urlsafe_b64encode
    return {
        "LEGALAID_ENV": "development",
        "LEGALAID_DATABASE_URL": url,
        "LEGALAID_INSTANCE_PATH": str(instance),
        "LEGALAID_SECRET_KEY": settings.secret_key,
        "LEGALAID_ENCRYPTION_KEYS": format_key_ring(settings.encryption_keys),
        "LEGALAID_BLIND_INDEX_KEY": b64(settings.blind_index_key).decode(),
        "LEGALAID_AUDIT_KEY": b64(settings.audit_key).decode(),
    }


def same_keys(settings: Settings, url: str, instance: Path) -> Settings:
    """Settings for another database (a restored or repaired copy) with the same keys."""
    return make_settings(
        url,
        instance,
        secret_key=settings.secret_key,
        encryption_keys=settings.encryption_keys,
        blind_index_key=settings.blind_index_key,
        audit_key=settings.audit_key,
    )


def assert_audit_verifies(settings: Settings, url: str, instance: Path) -> None:
    """``legalaid audit verify`` on ``url`` passes."""
    verified = CliRunner().invoke(main, ["audit", "verify"], env=cli_env(settings, url, instance))
    assert verified.exit_code == 0, verified.output
    assert "audit log OK" in verified.output

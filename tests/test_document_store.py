"""Where document files live and what guards them: the orphan sweep, the S3 store
(against a real S3-compatible server on loopback), the clamd scan (against a loopback
server speaking clamd's INSTREAM protocol) and HEIC photos."""

from __future__ import annotations

import io
import os
import time
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.documents.jobs import sweep_orphan_files
from legalaid.documents.scan import ClamdScanner, ScanUnavailableError, make_scanner
from legalaid.documents.storage import LocalStore, new_storage_name
from legalaid.documents.sweep import sweep_store
from legalaid.errors import StartupError
from legalaid.jobs.registry import declared_jobs
from legalaid.settings import load_settings
from tests.case_factories import make_case
from tests.clamd_stub import EICAR, clamd_stub, closed_port
from tests.document_factories import add_document
from tests.factories import create_clinic, create_user

DAY_AND_MORE = 25 * 3600


def _write(store: LocalStore, name: str, *, age: int = 0) -> Path:
    with store.write(name) as sink:
        sink.write(b"ciphertext")
    path = store.root / name
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def _partial(store: LocalStore, *, age: int) -> Path:
    """What a write cut off by a crash leaves: the hidden partial file."""
    store.root.mkdir(parents=True, exist_ok=True)
    path = store.root / f".{new_storage_name()}.partial"
    path.write_bytes(b"half")
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_the_sweep_removes_old_orphans_and_unfinished_writes_only(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    document = add_document(session, make_case(session, lawyer), lawyer.id)
    store = LocalStore(tmp_path / "store")
    held = _write(store, str(document.storage_name), age=DAY_AND_MORE)  # its row committed
    orphan = _write(store, new_storage_name(), age=DAY_AND_MORE)  # a crash before commit
    recent = _write(store, new_storage_name())  # an upload perhaps still committing
    old_partial = _partial(store, age=DAY_AND_MORE)
    new_partial = _partial(store, age=60)

    result = sweep_store(session, store, after_hours=24)

    assert (result.orphans, result.partial) == (1, 1)
    assert held.exists() and recent.exists() and new_partial.exists()
    assert not orphan.exists() and not old_partial.exists()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "document.swept")).one()
    assert entry.object_id == "1 orphans, 1 unfinished"


def test_the_sweep_is_an_hourly_job_on_the_runner_with_the_policy_age(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    job = {job.name: job for job in declared_jobs()}["documents.sweep"]
    assert job.schedule is not None
    stamps = (datetime(2026, 12, 7, hour, minute) for hour in range(24) for minute in range(60))
    assert sum(1 for stamp in stamps if job.schedule(stamp)) == 24
    store = LocalStore(tmp_path / "store")
    orphan = _write(store, new_storage_name(), age=DAY_AND_MORE)
    younger = _write(store, new_storage_name(), age=3 * 3600)
    app.extensions["legalaid.documents.store"] = store
    assert app.extensions["legalaid.policies"].documents.sweep_after_hours == 24
    with app.app_context():
        sweep_orphan_files(session)
    assert not orphan.exists() and younger.exists()


# The virus scan: ClamdScanner against a loopback stand-in for clamd (tests/clamd_stub.py).


def test_the_clamd_client_speaks_instream_over_tcp_and_a_unix_socket(tmp_path: Path) -> None:
    clean = io.BytesIO(os.urandom(200_000))  # several INSTREAM chunks
    with clamd_stub() as (address, scanned):
        scanner = ClamdScanner(address)
        assert scanner.scan(clean) is None
        assert scanned == [clean.getvalue()] and clean.tell() == 0
        assert scanner.scan(io.BytesIO(b"prefix " + EICAR)) == "Eicar-Test-Signature"
    with clamd_stub(unix_path=tmp_path / "clamd.sock") as (address, _scanned):
        assert address.startswith("unix://")
        assert ClamdScanner(address).scan(io.BytesIO(EICAR)) == "Eicar-Test-Signature"


def test_a_daemon_down_or_over_its_limit_gives_no_verdict() -> None:
    with pytest.raises(ScanUnavailableError):
        ClamdScanner(closed_port(), timeout=2).scan(io.BytesIO(b"x"))
    with clamd_stub(max_bytes=1000) as (address, _scanned), pytest.raises(ScanUnavailableError):
        ClamdScanner(address).scan(io.BytesIO(b"y" * 5000))


def test_scanning_is_off_unless_an_address_is_set(tmp_path: Path) -> None:
    assert make_scanner("") is None
    assert isinstance(make_scanner("tcp://127.0.0.1:3310"), ClamdScanner)
    env = {"LEGALAID_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(env).clamd_address == ""
    with pytest.raises(StartupError, match="LEGALAID_CLAMD_ADDRESS"):
        load_settings({**env, "LEGALAID_CLAMD_ADDRESS": "127.0.0.1:3310"})

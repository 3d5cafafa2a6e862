"""Where document files live and what guards them: the orphan sweep, the S3 store
(against a real S3-compatible server on loopback), the clamd scan (against a real
clamd with a signature database of our own) and HEIC photos."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.models import AuditEntry
from legalaid.database import utcnow
from legalaid.documents.jobs import sweep_orphan_files
from legalaid.documents.models import Document
from legalaid.documents.scan import ClamdScanner, ScanUnavailableError, make_scanner
from legalaid.documents.storage import (
    PART_BYTES,
    LocalStore,
    S3Store,
    make_store,
    new_storage_name,
)
from legalaid.documents.sweep import sweep_store
from legalaid.errors import StartupError
from legalaid.jobs.registry import declared_jobs
from legalaid.settings import S3Settings, load_settings
from tests.case_factories import make_case
from tests.clamd_daemon import EICAR, SIGNATURE, STREAM_MAX_BYTES, ClamdDaemon
from tests.document_factories import add_document, minimal_pdf
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token, post_form

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
    assert held.exists()
    assert recent.exists()
    assert new_partial.exists()
    assert not orphan.exists()
    assert not old_partial.exists()
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
    assert not orphan.exists()
    assert younger.exists()


# The virus scan: ClamdScanner against the real clamd, with our own signature for EICAR
# (tests/clamd_daemon.py).


def test_the_clamd_client_speaks_instream_over_tcp_and_a_unix_socket(clamd: ClamdDaemon) -> None:
    scanner = ClamdScanner(clamd.tcp_address)
    clean = io.BytesIO(os.urandom(200_000))  # several INSTREAM chunks
    assert scanner.scan(clean) is None
    assert clean.tell() == 0
    # Found only if every chunk reached the daemon: the test string is in the last one.
    infected = io.BytesIO(os.urandom(200_000) + EICAR)
    assert scanner.scan(infected) == SIGNATURE
    assert infected.tell() == 0
    assert clamd.unix_address.startswith("unix://")
    assert ClamdScanner(clamd.unix_address).scan(io.BytesIO(EICAR)) == SIGNATURE


class _StopsTheDaemonAfterTheFirstChunk(io.BytesIO):
    def __init__(self, data: bytes, daemon: ClamdDaemon) -> None:
        super().__init__(data)
        self.daemon, self.reads = daemon, 0

    def read(self, size: int | None = -1, /) -> bytes:
        self.reads += 1
        if self.reads == 2:
            self.daemon.stop()
        return super().read(size)


def test_a_daemon_over_its_limit_stopped_mid_scan_or_down_gives_no_verdict(
    clamd: ClamdDaemon,
) -> None:
    scanner = ClamdScanner(clamd.tcp_address, timeout=10)
    # clamd answers "size limit exceeded" and closes; the close may reset the connection
    # before the answer is read (a race in TCP, not in us): either way, no verdict.
    with pytest.raises(ScanUnavailableError, match=r"size limit|BrokenPipe|ConnectionReset"):
        scanner.scan(io.BytesIO(b"y" * (STREAM_MAX_BYTES + 70_000)))
    cut_off = _StopsTheDaemonAfterTheFirstChunk(os.urandom(300_000) + EICAR, clamd)
    with pytest.raises(ScanUnavailableError):
        scanner.scan(cut_off)
    assert not clamd.running
    assert cut_off.tell() == 0
    for address in (clamd.tcp_address, clamd.unix_address):
        with pytest.raises(ScanUnavailableError):
            ClamdScanner(address, timeout=2).scan(io.BytesIO(b"x"))


def test_scanning_is_off_unless_an_address_is_set(tmp_path: Path) -> None:
    assert make_scanner("") is None
    assert isinstance(make_scanner("tcp://127.0.0.1:3310"), ClamdScanner)
    env = {"LEGALAID_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(env).clamd_address == ""
    with pytest.raises(StartupError, match="LEGALAID_CLAMD_ADDRESS"):
        load_settings({**env, "LEGALAID_CLAMD_ADDRESS": "127.0.0.1:3310"})


# The S3-compatible store, against a real S3 server on loopback (moto's server).

BUCKET = "legalaid-documents"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_store(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Store:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "loopback-test")
    settings = S3Settings(BUCKET, "documents/", s3_endpoint, "us-east-1")
    store = S3Store(settings)
    existing = {b["Name"] for b in store.client.list_buckets()["Buckets"]}
    if BUCKET not in existing:
        store.client.create_bucket(Bucket=BUCKET)
    return store


def _objects(store: S3Store) -> dict[str, bytes]:
    listed = store.client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: store.client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listed
    }


def test_documents_through_the_pages_live_encrypted_in_the_bucket(
    app: Flask, session: Session, s3_store: S3Store
) -> None:
    from tests.test_documents import _post_multipart

    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    case_ = make_case(session, lawyer)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    app.extensions["legalaid.documents.store"] = s3_store
    before = _objects(s3_store)
    content = minimal_pdf("Leyla-Huseynova-police-report") + os.urandom(150_000)
    upload = _post_multipart(
        client,
        f"/cases/{case_.id}/documents",
        {
            "csrf_token": csrf_token(client, f"/cases/{case_.id}"),
            "document-kind": "police_report",
            "document-files": [(io.BytesIO(content), "report.pdf")],
        },
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)[:2000]
    session.expire_all()
    (document,) = session.scalars(select(Document).where(Document.case_id == case_.id)).all()
    key = f"documents/{document.storage_name}"
    stored = _objects(s3_store)
    assert set(stored) - set(before) == {key}
    assert b"Leyla-Huseynova" not in stored[key]
    assert content[-2048:] not in stored[key]
    download = client.get(f"/cases/{case_.id}/documents/{document.id}/download")
    assert download.status_code == 200
    assert download.get_data() == content
    # Another object swapped in under its name fails to open; the page says so.
    with app.app_context():
        other = add_document(session, case_, lawyer.id, content=minimal_pdf("other"))
    s3_store.client.put_object(
        Bucket=BUCKET, Key=key, Body=_objects(s3_store)[f"documents/{other.storage_name}"]
    )
    swapped = client.get(f"/cases/{case_.id}/documents/{document.id}/download")
    assert swapped.status_code == 500
    assert "failed its integrity check" in swapped.get_data(as_text=True)
    # A manager's deletion removes the object once it commits.
    manager = create_user(session, "manager", clinic=lawyer.clinic)
    manager_client = app.test_client()
    sign_in(manager_client, app, manager, session=session)
    base = f"/cases/{case_.id}/documents/{document.id}"
    done = post_form(manager_client, f"{base}/delete", {"reason": "Wrong case"}, page=base)
    assert done.status_code == 302
    assert key not in _objects(s3_store)


def test_a_large_write_is_one_multipart_upload_visible_only_once_complete(
    session: Session, s3_store: S3Store
) -> None:
    big = os.urandom(PART_BYTES * 2 + 12345)
    name = new_storage_name()
    with s3_store.write(name) as sink:
        for start in range(0, len(big), 1 << 20):
            sink.write(big[start : start + (1 << 20)])
            if start == PART_BYTES:  # parts are on the server, the object is not yet
                assert f"documents/{name}" not in _objects(s3_store)
    with s3_store.open(name) as handle:
        assert handle.read() == big
    # A write that fails midway leaves neither an object nor an unfinished upload.
    broken = new_storage_name()
    with pytest.raises(RuntimeError), s3_store.write(broken) as sink:  # noqa: PT012
        sink.write(big)
        raise RuntimeError("the request died")
    assert f"documents/{broken}" not in _objects(s3_store)
    uploads = s3_store.client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert not any(upload["Key"].endswith(broken) for upload in uploads)
    s3_store.delete(name)
    with pytest.raises(FileNotFoundError):
        s3_store.open(name)


def test_the_sweep_works_on_the_bucket_too(app: Flask, session: Session, s3_store: S3Store) -> None:
    lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
    app.extensions["legalaid.documents.store"] = s3_store
    with app.app_context():
        document = add_document(session, make_case(session, lawyer), lawyer.id)
    orphan = new_storage_name()
    with s3_store.write(orphan) as sink:
        sink.write(b"ciphertext of a crashed upload")
    # A crash during a multipart upload leaves an unfinished one.
    s3_store.client.create_multipart_upload(Bucket=BUCKET, Key=f"documents/{new_storage_name()}")

    # Objects cannot be back-dated on the server: the sweep runs "two days later".
    result = sweep_store(session, s3_store, after_hours=24, now=utcnow() + timedelta(days=2))

    assert result.orphans >= 1
    assert result.partial >= 1
    left = _objects(s3_store)
    assert f"documents/{document.storage_name}" in left
    assert f"documents/{orphan}" not in left
    assert s3_store.client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_the_bucket_is_chosen_by_settings(tmp_path: Path) -> None:
    env = {"LEGALAID_INSTANCE_PATH": str(tmp_path)}
    local = load_settings(env)
    assert local.documents_s3 is None
    assert isinstance(make_store(local), LocalStore)
    chosen = load_settings(
        {
            **env,
            "LEGALAID_DOCUMENTS_S3_BUCKET": BUCKET,
            "LEGALAID_DOCUMENTS_S3_ENDPOINT": "http://127.0.0.1:9000",
            "LEGALAID_DOCUMENTS_S3_PREFIX": "clinic-a",
            "LEGALAID_DOCUMENTS_S3_REGION": "us-east-1",
        }
    )
    assert chosen.documents_s3 == S3Settings(
        BUCKET, "clinic-a/", "http://127.0.0.1:9000", "us-east-1"
    )
    store = make_store(chosen)
    assert isinstance(store, S3Store)
    assert store.bucket == BUCKET
    with pytest.raises(StartupError, match="LEGALAID_DOCUMENTS_S3_ENDPOINT"):
        load_settings(
            {
                **env,
                "LEGALAID_DOCUMENTS_S3_BUCKET": BUCKET,
                "LEGALAID_DOCUMENTS_S3_ENDPOINT": "minio:9000",
            }
        )

"""Case documents through the pages: encrypted at rest, scoped, audited, cleaned."""

from __future__ import annotations

import base64
import dataclasses
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import Text, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import type_coerce
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from legalaid import models
from legalaid.audit.models import AuditEntry
from legalaid.crypto.keyring import KeyRing
from legalaid.crypto.rotation import rotate_all
from legalaid.documents.keys import check_document_keys
from legalaid.documents.models import Document
from legalaid.documents.scan import ClamdScanner
from legalaid.documents.services import clean_filename
from tests.case_factories import make_case
from tests.clamd_daemon import EICAR, ClamdDaemon
from tests.document_factories import add_document, minimal_pdf
from tests.factories import create_clinic, create_user, sign_in
from tests.helpers import csrf_token, post_form

MARKER = "Aysel-Mammadova-injuries-left-arm"
FILENAME = "Aysel Mammadova medical.pdf"
DESCRIPTION = "Bruises photographed at the Sumqayit polyclinic"


def _store_root(app: Flask) -> Path:
    root: Path = app.extensions["legalaid.documents.store"].root
    return root


def _upload(
    client: FlaskClient,
    case_id: int | str,
    files: list[tuple[bytes, str]],
    *,
    kind: str = "medical_certificate",
    description: str = DESCRIPTION,
):
    """Upload from the case page (``case_id``), or from the owner's page path given."""
    page = case_id if isinstance(case_id, str) else f"/cases/{case_id}"
    token = csrf_token(client, page)
    data: dict[str, object] = {
        "csrf_token": token,
        "document-kind": kind,
        "document-document_date": "2026-11-30",
        "document-description": description,
        "document-files": [(io.BytesIO(content), name) for content, name in files],
    }
    return _post_multipart(client, f"{page}/documents", data)


def _post_multipart(client: FlaskClient, url: str, data: dict[str, object]) -> TestResponse:
    # Encoded in memory: the test client's own encoder spools large bodies to a temporary
    # file it never closes (and that would blur what the spill test looks for).
    fields: MultiDict[str, object] = MultiDict()
    for key, value in data.items():
        if isinstance(value, list):
            for stream, name in value:
                fields.add(key, FileStorage(stream, filename=name, name=key))
        else:
            fields.add(key, value)
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _only_document(session: Session, case_id: int) -> Document:
    session.expire_all()
    (document,) = session.scalars(select(Document).where(Document.case_id == case_id)).all()
    return document


def _files_under(root: Path) -> list[bytes]:
    return [path.read_bytes() for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def lawyer_with_case(app: Flask, session: Session):
    clinic = create_clinic(session)
    lawyer = create_user(session, "lawyer", clinic=clinic)
    case_ = make_case(session, lawyer)
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    return lawyer, case_, client


def test_upload_then_download_gives_the_same_bytes_and_nothing_readable_is_stored(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    _lawyer, case_, client = lawyer_with_case
    content = minimal_pdf(MARKER) + os.urandom(3 * 65536)  # several chunks
    response = _upload(client, case_.id, [(content, FILENAME)])
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    document = _only_document(session, case_.id)
    assert document.original_filename == FILENAME
    assert document.description == DESCRIPTION
    assert document.content_type == "application/pdf"
    assert document.size_bytes == len(content)

    download = client.get(f"/cases/{case_.id}/documents/{document.id}/download")
    assert download.status_code == 200
    assert download.get_data() == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["Cache-Control"] == "no-store"

    # The store: one file, under a random name, holding no plaintext.
    stored = list(_store_root(app).iterdir())
    names = {path.name for path in stored}
    assert document.storage_name in names
    assert all(re.fullmatch(r"[0-9a-f]{64}", name) for name in names)
    for blob in _files_under(_store_root(app)):
        assert MARKER.encode() not in blob
        assert content[-4096:] not in blob
    # The database: file name, description and key are ciphertext.
    raw = session.execute(
        select(
            type_coerce(Document.original_filename, Text),
            type_coerce(Document.description, Text),
            type_coerce(Document.data_key, Text),
        ).where(Document.id == document.id)
    ).one()
    for value in raw:
        assert value.startswith("v1:")
        assert "Mammadova" not in value
        assert "Sumqayit" not in value
    assert base64.urlsafe_b64encode(b"x")  # (the key column's plaintext is base64 too)
    assert document.data_key is not None
    assert document.data_key not in raw[2]
    # Audited: the upload and the download, with no content.
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(document.id))
    ).all()
    assert {"document.uploaded", "document.downloaded"} <= set(actions)


def test_several_files_at_once_and_the_case_page_lists_them(
    session: Session, lawyer_with_case
) -> None:
    _lawyer, case_, client = lawyer_with_case
    response = _upload(
        client, case_.id, [(minimal_pdf("one"), "first.pdf"), (minimal_pdf("two"), "second.pdf")]
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case_.id}").get_data(as_text=True)
    assert "first.pdf" in page
    assert "second.pdf" in page


def test_no_plaintext_reaches_a_temporary_file_while_the_upload_is_parsed(
    app: Flask, session: Session, lawyer_with_case, tmp_path: Path, monkeypatch
) -> None:
    """Werkzeug spools uploads over 500 KB into temporary files: keep every one of them."""
    _lawyer, case_, client = lawyer_with_case
    spill = tmp_path / "spill"
    spill.mkdir()
    real = tempfile.NamedTemporaryFile

    def kept_temporary_file(*args: object, **kwargs: object):
        kwargs.update(dir=spill, delete=False)
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(tempfile, "TemporaryFile", kept_temporary_file)
    marker = (MARKER * 40).encode()
    content = minimal_pdf("big") + marker * (3 * 1024 * 1024 // len(marker))
    response = _upload(client, case_.id, [(content, "big.pdf")])
    assert response.status_code == 302
    spilled = _files_under(spill)
    assert spilled, "the upload should have spilled to a temporary file (test is blind)"
    for blob in spilled + _files_under(_store_root(app)):
        assert marker[:200] not in blob
    document = _only_document(session, case_.id)
    download = client.get(f"/cases/{case_.id}/documents/{document.id}/download")
    assert download.get_data() == content


def test_the_default_werkzeug_spool_would_have_leaked(tmp_path: Path, monkeypatch) -> None:
    """The check above can see a leak: Werkzeug's own factory writes plaintext."""
    from werkzeug.formparser import default_stream_factory

    real = tempfile.NamedTemporaryFile
    monkeypatch.setattr(
        tempfile,
        "TemporaryFile",
        lambda *a, **k: real(*a, **{**k, "dir": tmp_path, "delete": False}),
    )
    stream = default_stream_factory(10_000_000, "application/pdf", "x.pdf", None)
    try:
        stream.write(MARKER.encode() * 100_000)
        stream.flush()
        assert any(MARKER.encode() in blob for blob in _files_under(tmp_path))
    finally:
        stream.close()


@pytest.mark.parametrize("holder", ["case", "client"])
def test_every_document_route_is_404_outside_her_scope(
    app: Flask, session: Session, lawyer_with_case, holder: str
) -> None:
    """A lawyer of another clinic gets 404 on a case's and on a client's documents, also
    through a case or client of her own; each refusal is audited."""
    lawyer, case_, _client = lawyer_with_case
    outsider = create_user(session, "lawyer")
    mine = make_case(session, outsider)
    if holder == "case":
        document = add_document(session, case_, lawyer.id)
        owner, own_owner, viewed = f"/cases/{case_.id}", f"/cases/{mine.id}", "case.viewed"
    else:
        document = add_document(session, case_.client, lawyer.id, filename="id-card.pdf")
        owner, own_owner = f"/clients/{case_.client_id}", f"/clients/{mine.client_id}"
        viewed = "client.viewed"
    other = app.test_client()
    sign_in(other, app, outsider, session=session)
    base = f"{owner}/documents/{document.id}"
    assert other.get(base).status_code == 404
    assert other.get(f"{base}/download").status_code == 404
    token = csrf_token(other, "/accounts/settings")
    assert other.post(f"{base}/replace", data={"csrf_token": token}).status_code == 404
    assert other.post(f"{owner}/documents", data={"csrf_token": token}).status_code == 404
    assert other.get(f"{own_owner}/documents/{document.id}").status_code == 404
    denied = session.scalars(select(AuditEntry.action).where(AuditEntry.outcome == "denied")).all()
    assert viewed in denied
    assert "document.viewed" in denied


def test_a_manager_deletes_with_a_reason_the_content_goes_and_the_record_stays(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    lawyer, case_, lawyer_client = lawyer_with_case
    document = add_document(session, case_, lawyer.id)
    stored = _store_root(app) / str(document.storage_name)
    assert stored.exists()
    base = f"/cases/{case_.id}/documents/{document.id}"
    # A lawyer may not delete.
    token = csrf_token(lawyer_client, base)
    refused = lawyer_client.post(f"{base}/delete", data={"csrf_token": token, "reason": "x"})
    assert refused.status_code == 403
    manager = create_user(session, "manager", clinic=session.get(type(lawyer), lawyer.id).clinic)  # type: ignore[union-attr]
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    missing_reason = post_form(client, f"{base}/delete", {"reason": "  "}, page=base)
    assert missing_reason.status_code == 400
    assert "Say why the document is deleted." in missing_reason.get_data(as_text=True)
    assert stored.exists()
    done = post_form(client, f"{base}/delete", {"reason": "Uploaded to the wrong case"}, page=base)
    assert done.status_code == 302
    assert not stored.exists()
    session.expire_all()
    row = session.get_one(Document, document.id)
    assert row.deleted_at is not None
    assert row.deleted_by_id == manager.id
    assert row.delete_reason == "Uploaded to the wrong case"
    assert row.storage_name is None
    assert row.data_key is None
    page = client.get(base).get_data(as_text=True)
    assert "Uploaded to the wrong case" in page
    assert client.get(f"{base}/download").status_code == 410
    assert "document.deleted" in session.scalars(select(AuditEntry.action)).all()


def test_replace_keeps_the_old_version(app: Flask, session: Session, lawyer_with_case) -> None:
    lawyer, case_, client = lawyer_with_case
    old = add_document(session, case_, lawyer.id, content=minimal_pdf("first version"))
    base = f"/cases/{case_.id}/documents/{old.id}"
    token = csrf_token(client, base)
    response = _post_multipart(
        client,
        f"{base}/replace",
        {"csrf_token": token, "files": [(io.BytesIO(minimal_pdf("second")), "v2.pdf")]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    new = session.scalars(select(Document).where(Document.replaces_id == old.id)).one()
    assert client.get(f"{base}/download").get_data() == minimal_pdf("first version")
    new_page = client.get(f"/cases/{case_.id}/documents/{new.id}/download")
    assert new_page.get_data() == minimal_pdf("second")
    case_page = client.get(f"/cases/{case_.id}").get_data(as_text=True)
    assert "v2.pdf" in case_page
    assert "certificate.pdf" not in case_page


def test_rotation_rewraps_keys_and_every_file_still_opens(
    app: Flask, session: Session, lawyer_with_case, monkeypatch: pytest.MonkeyPatch
) -> None:
    lawyer, case_, client = lawyer_with_case
    document = add_document(session, case_, lawyer.id, content=minimal_pdf(MARKER))
    stored = (_store_root(app) / str(document.storage_name)).read_bytes()
    old_ring: KeyRing = app.extensions["legalaid.keyring"]
    new_key = os.urandom(32)
    both = KeyRing({"r2": new_key, **{kid: old_ring._keys[kid] for kid in old_ring.key_ids}})
    report = rotate_all(session, both, models.metadata)
    session.commit()
    assert "case_document.data_key" in {column.name for column in report.columns}
    raw = session.scalar(
        select(type_coerce(Document.data_key, Text)).where(Document.id == document.id)
    )
    assert raw is not None
    assert raw.startswith("v1:r2:")
    # Files are not rewritten; only the new key is needed to open them.
    assert (_store_root(app) / str(document.storage_name)).read_bytes() == stored
    only_new = KeyRing({"r2": new_key})
    for application in (app, app.extensions["tests.twin"]):
        # Put back after the test: the app (and its twin) serve the whole run.
        monkeypatch.setitem(application.extensions, "legalaid.keyring", only_new)
    session.expire_all()
    assert check_document_keys(session, app.extensions["legalaid.documents.store"]).opened >= 1
    download = client.get(f"/cases/{case_.id}/documents/{document.id}/download")
    assert download.get_data() == minimal_pdf(MARKER)


def _photo_with_gps(image_format: str) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    out = io.BytesIO()
    if image_format in ("JPEG", "HEIF"):
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = {1: "N", 2: (40.0, 35.0, 12.0), 3: "E", 4: (49.0, 40.0, 5.0)}
        exif[0x8825] = gps
        # HEIF: a phone's photo, written by pillow-heif (libheif) as a real HEIC file.
        image.save(out, format=image_format, exif=exif.tobytes())
    else:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Location", "40.5867 N 49.6681 E shelter")
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        image.save(out, format="PNG", pnginfo=info, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "HEIF"])
def test_photo_metadata_and_gps_are_removed(
    session: Session, lawyer_with_case, image_format: str
) -> None:
    _lawyer, case_, client = lawyer_with_case
    photo = _photo_with_gps(image_format)
    with Image.open(io.BytesIO(photo)) as original:
        assert original.format == image_format
        assert original.getexif()  # the fixture really carries EXIF
    assert b"PhoneMaker" in photo
    response = _upload(client, case_.id, [(photo, "IMG_0001.HEIC")], kind="evidence_photo")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    document = _only_document(session, case_.id)
    body = client.get(f"/cases/{case_.id}/documents/{document.id}/download").get_data()
    assert b"PhoneMaker" not in body
    assert b"shelter" not in body
    kept = "JPEG" if image_format == "HEIF" else image_format  # HEIC is kept as JPEG
    assert document.content_type == f"image/{kept.lower()}"
    assert document.original_filename == f"IMG_0001.{'png' if kept == 'PNG' else 'jpg'}"
    with Image.open(io.BytesIO(body)) as cleaned:
        assert cleaned.format == kept
        assert not cleaned.getexif()
        assert "Location" not in cleaned.info
        assert "exif" not in cleaned.info
        assert cleaned.size == (64, 48)


def _docx(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_real_docx_and_odt_are_accepted(session: Session, lawyer_with_case) -> None:
    _lawyer, case_, client = lawyer_with_case
    docx = _docx({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    odt = _docx({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    response = _upload(client, case_.id, [(docx, "letter.docx"), (odt, "letter.odt")])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00" + os.urandom(2000), "certificate.pdf", "This type of file is not accepted"),
        (b"", "empty.pdf", "The file is empty."),
        (
            _docx({"[Content_Types].xml": b"<T/>", "word/document.xml": b"\0" * 150_000_000}),
            "bomb.docx",
            "zip bomb",
        ),
        (_docx({"a.txt": b"hello"}), "archive.docx", "This type of file is not accepted"),
    ],
    ids=["exe-as-pdf", "empty", "zip-bomb", "plain-zip"],
)
def test_refused_files_say_why_on_the_case_page_with_the_form_kept(
    app: Flask, session: Session, lawyer_with_case, content: bytes, name: str, message: str
) -> None:
    _lawyer, case_, client = lawyer_with_case
    before = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    response = _upload(client, case_.id, [(content, name)])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert DESCRIPTION in page  # what she typed is kept
    assert session.scalars(select(Document).where(Document.case_id == case_.id)).all() == []
    after = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    assert after == before


def test_a_bad_second_file_stores_neither(app: Flask, session: Session, lawyer_with_case) -> None:
    _lawyer, case_, client = lawyer_with_case
    before = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    response = _upload(client, case_.id, [(minimal_pdf(), "ok.pdf"), (b"MZ\x90", "bad.pdf")])
    assert response.status_code == 400
    after = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    assert after == before


def _small_limit(app: Flask) -> None:
    policies = app.extensions["legalaid.policies"]
    smaller = policies.documents.model_copy(update={"max_file_mb": 1})
    app.extensions["legalaid.policies"] = dataclasses.replace(policies, documents=smaller)


def test_a_file_over_the_limit_gets_413_and_the_message_in_azerbaijani(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    _lawyer, case_, client = lawyer_with_case
    _small_limit(app)
    post_form(client, "/language", {"language": "az", "next": "/"}, page="/")
    big = minimal_pdf() + os.urandom(1024 * 1024 + 10)
    response = _upload(client, case_.id, [(big, "scan.pdf")])
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "1 MB" in page
    assert "is larger than" not in page  # translated, not English
    assert DESCRIPTION in page
    assert session.scalars(select(Document).where(Document.case_id == case_.id)).all() == []


def test_a_request_over_the_upload_cap_is_413_without_reading_it(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    _lawyer, case_, client = lawyer_with_case
    _small_limit(app)
    cap = app.extensions["legalaid.policies"].documents.max_request_bytes
    response = _upload(client, case_.id, [(minimal_pdf() + b"\0" * (cap + 1), "huge.pdf")])
    assert response.status_code == 413
    assert "1 MB" in response.get_data(as_text=True)


def test_other_routes_keep_the_two_megabyte_cap(app: Flask, lawyer_with_case) -> None:
    _lawyer, case_, client = lawyer_with_case
    token = csrf_token(client, f"/cases/{case_.id}")
    response = client.post(
        f"/cases/{case_.id}/notes",
        data={"csrf_token": token, "body": "x" * (3 * 1024 * 1024)},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\aysel\\Desktop\\scan.pdf", "scan.pdf"),
        ("report\x00\x07\u202egpj.exe.pdf", "reportgpj.exe.pdf"),
        ("...", "document.pdf"),
        ("photo.exe", "photo.pdf"),
    ],
)
def test_file_names_are_cleaned_and_take_the_proven_extension(
    raw: str, expected: str, app: Flask
) -> None:
    with app.test_request_context():
        assert clean_filename(raw, "pdf") == expected


def test_a_file_swapped_in_from_another_document_does_not_open(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    lawyer, case_, client = lawyer_with_case
    other_case = make_case(session, lawyer)
    mine = add_document(session, case_, lawyer.id, content=minimal_pdf("mine"))
    theirs = add_document(session, other_case, lawyer.id, content=minimal_pdf("theirs"))
    root = _store_root(app)
    (root / str(mine.storage_name)).write_bytes((root / str(theirs.storage_name)).read_bytes())
    response = client.get(f"/cases/{case_.id}/documents/{mine.id}/download")
    assert response.status_code == 500
    assert "integrity check" in response.get_data(as_text=True)
    assert b"theirs" not in response.get_data()


def test_the_raw_database_holds_no_file_name(session: Session, lawyer_with_case) -> None:
    lawyer, case_, _client = lawyer_with_case
    add_document(session, case_, lawyer.id, filename=FILENAME, description=DESCRIPTION)
    rows = session.execute(text("SELECT * FROM case_document")).all()
    flat = " ".join(str(value) for row in rows for value in row)
    assert "Mammadova" not in flat
    assert "Sumqayit" not in flat


def test_an_upload_cut_off_halfway_stores_nothing(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    _lawyer, case_, client = lawyer_with_case
    token = csrf_token(client, f"/cases/{case_.id}")
    fields: MultiDict[str, object] = MultiDict(
        {"csrf_token": token, "document-kind": "medical_certificate"}
    )
    content = minimal_pdf() + os.urandom(800_000)
    fields.add("document-files", FileStorage(io.BytesIO(content), filename="cut.pdf"))
    boundary, body = encode_multipart(fields)
    before = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    response = client.post(
        f"/cases/{case_.id}/documents",
        input_stream=io.BytesIO(body[: len(body) // 2]),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Content-Length": str(len(body))},
    )
    assert response.status_code == 400
    after = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    assert after == before
    assert session.scalars(select(Document).where(Document.case_id == case_.id)).all() == []


def test_the_spool_reads_like_a_file_and_keeps_nothing_readable() -> None:
    from legalaid.documents.spool import SealedSpool

    data = os.urandom(300_000)
    spool = SealedSpool()
    try:
        for start in range(0, len(data), 7000):
            spool.write(data[start : start + 7000])
        spool.seek(0)
        assert spool.read(200_000) == data[:200_000]
        assert spool.read() == data[200_000:]
        spool.seek(123_456)
        assert spool.read(10) == data[123_456:123_466]
        spool.seek(-5, io.SEEK_END)
        assert spool.read() == data[-5:]
        spool._sink.seek(0)
        assert data[1000:1100] not in spool._sink.read()
    finally:
        spool.close()


class _ExplodingStream(io.RawIOBase):
    """A body that fails the test if anyone reads it."""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0  # the test client rewinds it before sending

    def tell(self) -> int:
        return 0

    def readinto(self, buffer: object) -> int:
        raise AssertionError("the body of a refused upload was read")


def test_an_anonymous_upload_is_refused_before_its_body_is_read(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    _lawyer, case_, _client = lawyer_with_case
    anonymous = app.test_client()
    response = anonymous.post(
        f"/cases/{case_.id}/documents",
        input_stream=_ExplodingStream(),
        content_type="multipart/form-data; boundary=b",
        headers={"Content-Length": str(50 * 1024 * 1024)},
    )
    assert response.status_code == 401


# A client's own documents (identity papers), from the client page.


def test_a_clients_identity_document_from_upload_to_deletion(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    lawyer, case_, client = lawyer_with_case
    her = f"/clients/{case_.client_id}"
    form = client.get(her).get_data(as_text=True)
    assert re.search(r'<option selected value="identity_document">Identity document<', form)
    passport = minimal_pdf("passport AZE 1234567")
    response = _upload(client, her, [(passport, "passport.pdf")], kind="identity_document")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith(f"{her}#documents")
    session.expire_all()
    (document,) = session.scalars(
        select(Document).where(Document.client_id == case_.client_id)
    ).all()
    assert document.case_id is None
    page = client.get(her).get_data(as_text=True)
    assert "Her identity documents" in page
    assert "passport.pdf" in page
    # Her documents are not the case's, and a case's URL does not open them.
    assert "passport.pdf" not in client.get(f"/cases/{case_.id}").get_data(as_text=True)
    assert client.get(f"/cases/{case_.id}/documents/{document.id}").status_code == 404
    base = f"{her}/documents/{document.id}"
    download = client.get(f"{base}/download")
    assert download.status_code == 200
    assert download.get_data() == passport
    assert download.headers["Content-Disposition"].startswith("attachment;")
    for blob in _files_under(_store_root(app)):
        assert b"AZE 1234567" not in blob
    # Replaced: the new version is listed, the old one kept.
    token = csrf_token(client, base)
    replaced = _post_multipart(
        client,
        f"{base}/replace",
        {"csrf_token": token, "files": [(io.BytesIO(minimal_pdf("renewed")), "new.pdf")]},
    )
    assert replaced.status_code == 302, replaced.get_data(as_text=True)[:2000]
    page = client.get(her).get_data(as_text=True)
    assert "new.pdf" in page
    assert "passport.pdf" not in page
    assert client.get(f"{base}/download").get_data() == passport
    # A manager of the clinic deletes the old version with a reason; a lawyer may not.
    refused = client.post(f"{base}/delete", data={"csrf_token": token, "reason": "x"})
    assert refused.status_code == 403
    manager = create_user(session, "manager", clinic=session.get(type(lawyer), lawyer.id).clinic)  # type: ignore[union-attr]
    manager_client = app.test_client()
    sign_in(manager_client, app, manager, session=session)
    done = post_form(manager_client, f"{base}/delete", {"reason": "Expired passport"}, page=base)
    assert done.status_code == 302
    session.expire_all()
    row = session.get_one(Document, document.id)
    assert row.storage_name is None
    assert row.data_key is None
    assert manager_client.get(f"{base}/download").status_code == 410
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(document.id))
    ).all()
    assert {"document.uploaded", "document.downloaded", "document.deleted"} <= set(actions)


def test_a_refused_identity_document_says_why_on_the_client_page(
    app: Flask, session: Session, lawyer_with_case
) -> None:
    _lawyer, case_, client = lawyer_with_case
    her = f"/clients/{case_.client_id}"
    response = _upload(
        client, her, [(b"MZ\x90\x00 not a pdf", "passport.pdf")], kind="identity_document"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This type of file is not accepted" in page
    assert DESCRIPTION in page  # what she typed is kept
    assert f"Client {case_.client.number}" in page
    assert (
        session.scalars(select(Document).where(Document.client_id == case_.client_id)).all() == []
    )


# The virus scan hook, against the real clamd with our own signature for EICAR
# (tests/clamd_daemon.py).


class _DaemonStopsAfterOneVerdict:
    """The real daemon answers for the first file, then is stopped before the next."""

    def __init__(self, daemon: ClamdDaemon) -> None:
        self.daemon, self.scanner = daemon, ClamdScanner(daemon.unix_address, timeout=5)

    def scan(self, stream: BinaryIO) -> str | None:
        verdict = self.scanner.scan(stream)
        self.daemon.stop()
        return verdict


def test_an_infected_upload_is_refused_said_and_audited_and_a_clean_one_kept(
    app: Flask, session: Session, lawyer_with_case, clamd: ClamdDaemon
) -> None:
    _lawyer, case_, client = lawyer_with_case
    before = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    app.extensions["legalaid.documents.scanner"] = ClamdScanner(clamd.tcp_address)
    infected = minimal_pdf("invoice") + EICAR
    refused = _upload(client, case_.id, [(minimal_pdf(), "ok.pdf"), (infected, "bill.pdf")])
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The virus check found malware in “bill.pdf”; nothing was saved." in page
    assert DESCRIPTION in page  # what she typed is kept
    assert session.scalars(select(Document).where(Document.case_id == case_.id)).all() == []
    after = set(_store_root(app).iterdir()) if _store_root(app).exists() else set()
    assert after == before
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "document.refused_infected")
    ).one()
    assert entry.outcome == "denied"
    # A clean file is scanned by the daemon and kept, and opens as it was sent.
    clean = minimal_pdf("clean") + os.urandom(150_000)  # several INSTREAM chunks
    assert _upload(client, case_.id, [(clean, "clean.pdf")]).status_code == 302
    kept = _only_document(session, case_.id)
    download = client.get(f"/cases/{case_.id}/documents/{kept.id}/download")
    assert download.get_data() == clean


def test_an_upload_is_refused_when_clamd_stops_midway(
    app: Flask, session: Session, lawyer_with_case, clamd: ClamdDaemon
) -> None:
    _lawyer, case_, client = lawyer_with_case
    app.extensions["legalaid.documents.scanner"] = _DaemonStopsAfterOneVerdict(clamd)
    files = [(minimal_pdf("first"), "first.pdf"), (minimal_pdf("later"), "later.pdf")]
    down = _upload(client, case_.id, files)
    # Fails closed: the file clamd passed is not kept either, and she is told to try again.
    assert not clamd.running
    assert down.status_code == 503
    page = down.get_data(as_text=True)
    assert "The virus check could not be done just now, so “later.pdf” was not saved." in page
    assert DESCRIPTION in page
    assert session.scalars(select(Document).where(Document.case_id == case_.id)).all() == []
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "document.scan_failed")
    ).one()
    assert entry.outcome == "denied"

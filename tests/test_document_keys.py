"""`legalaid keys rotate` re-wraps document keys and leaves the files as they were."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Text, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import type_coerce

from legalaid.cli import main
from legalaid.database import get_database, make_engine
from legalaid.documents.models import Document
from legalaid.documents.services import read_document
from legalaid.factory import create_app
from legalaid.settings import load_settings
from tests.case_factories import make_case
from tests.document_factories import add_document, minimal_pdf
from tests.factories import create_user

CONTENT = minimal_pdf("rotation keeps me readable")


def _environment(database_url: str, instance: Path) -> dict[str, str]:
    return {
        "LEGALAID_ENV": "development",
        "LEGALAID_DATABASE_URL": database_url,
        "LEGALAID_INSTANCE_PATH": str(instance),
    }


def _with_app(environment: dict[str, str], action):
    application = create_app(load_settings(environment))
    try:
        with application.app_context(), get_database(application).session_factory() as session:
            result = action(application, session)
            session.commit()
            return result
    finally:
        get_database(application).engine.dispose()


def _seed(application, session: Session) -> tuple[int, bytes]:
    lawyer = create_user(session, "lawyer")
    case_ = make_case(session, lawyer)
    document = add_document(session, case_, lawyer.id, content=CONTENT)
    root = application.extensions["legalaid.documents.store"].root
    return document.id, (root / str(document.storage_name)).read_bytes()


def _read(application, session: Session, document_id: int) -> bytes:
    document = session.get_one(Document, document_id)
    store = application.extensions["legalaid.documents.store"]
    return b"".join(read_document(session, store, document))


def test_rotation_rewraps_every_document_key_and_no_file_is_rewritten(
    migrated_database_url: str, tmp_path: Path
) -> None:
    environment = _environment(migrated_database_url, tmp_path)
    document_id, stored_before = _with_app(environment, _seed)

    result = CliRunner().invoke(main, ["keys", "rotate"], env=environment, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "case_document.data_key: 1 values, 1 re-encrypted" in result.output
    assert "documents: 1 files open with their re-wrapped keys, none rewritten" in result.output
    engine = make_engine(migrated_database_url)
    try:
        with Session(engine) as session:
            wrapped = session.scalar(select(type_coerce(Document.data_key, Text)))
            name = session.scalar(select(Document.storage_name))
    finally:
        engine.dispose()
    assert wrapped is not None
    assert wrapped.startswith("v1:k2:")
    assert (tmp_path / "documents" / str(name)).read_bytes() == stored_before
    # A fresh start with only the new key (the old one is gone from the instance) opens it.
    assert _with_app(environment, lambda app, s: _read(app, s, document_id)) == CONTENT


def test_rotation_fails_loudly_when_a_document_does_not_open(
    migrated_database_url: str, tmp_path: Path
) -> None:
    environment = _environment(migrated_database_url, tmp_path)
    document_id, stored = _with_app(environment, _seed)
    (path,) = (tmp_path / "documents").iterdir()
    damaged = bytearray(stored)
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged[: len(damaged) // 2]))
    result = CliRunner().invoke(main, ["keys", "rotate"], env=environment)
    assert result.exit_code == 1
    assert f"documents that do not open: {document_id}" in result.output

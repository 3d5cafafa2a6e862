"""A 20 MB document through the real routes: upload (multipart, sealed spool, store) and
download (decrypt while streaming), beside a plain file copy on the same machine.

Builds a throw-away SQLite instance, signs a lawyer in through the test client and
posts the file as a browser would. Memory: tracemalloc's peak of Python allocations
during each request (the request body is built before measuring), so "flat" means the
peak stays far below the file size; the upload's peak includes Werkzeug's parser
buffers, the download's the response chunks.

Usage (from the project root)::

    .venv/bin/python benchmarks/document_routes.py [--mb 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from legalaid.accounts.models import User
from legalaid.database import get_database, make_engine
from legalaid.documents.models import Document
from legalaid.factory import create_app
from legalaid.schema.migrations import upgrade
from tests.case_factories import make_case
from tests.conftest import make_settings
from tests.document_factories import minimal_pdf
from tests.factories import create_user, sign_in

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _ShortSessions:
    """What sign_in needs of a session, without holding SQLite's write lock meanwhile."""

    def __init__(self, app: object) -> None:
        self.app = app

    def refresh(self, user: User) -> None:
        with get_database(self.app).session_factory() as session:  # type: ignore[arg-type]
            user.totp_last_step = session.get_one(User, user.id).totp_last_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        settings = make_settings(url, root / "instance")
        app = create_app(settings)
        app.config.update(TESTING=True)
        # Arranging data in app's own context would share g with the client's requests.
        twin = create_app(settings, check_schema=False)
        content = minimal_pdf("bench") + os.urandom(args.mb * 1024 * 1024 - 600)
        plain = root / "plain"
        plain.write_bytes(content)
        with twin.app_context():
            session = get_database(twin).session_factory()
            session.expire_on_commit = False
            lawyer = create_user(session, "lawyer")
            case_id = make_case(session, lawyer).id
            session.commit()
            session.close()
            client = app.test_client()
            sign_in(client, app, lawyer, session=_ShortSessions(twin))  # type: ignore[arg-type]
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        match = _CSRF.search(page)
        assert match is not None  # noqa: S101
        token = match.group(1)

        def body() -> tuple[str, bytes]:
            fields: MultiDict[str, object] = MultiDict(
                {"csrf_token": token, "document-kind": "medical_certificate"}
            )
            fields.add("document-files", FileStorage(io.BytesIO(content), filename="c.pdf"))
            return encode_multipart(fields)  # type: ignore[arg-type]

        copy_times, up, down = [], [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            with plain.open("rb") as src, (root / "copy").open("wb") as dst:
                shutil.copyfileobj(src, dst, 64 * 1024)
                os.fsync(dst.fileno())
            copy_times.append(time.perf_counter() - started)

            boundary, payload = body()
            tracemalloc.start()
            started = time.perf_counter()
            response = client.post(
                f"/cases/{case_id}/documents",
                data=payload,
                content_type=f"multipart/form-data; boundary={boundary}",
            )
            up.append((time.perf_counter() - started, tracemalloc.get_traced_memory()[1]))
            tracemalloc.stop()
            del payload
            if response.status_code != 302:
                raise SystemExit(f"upload answered {response.status_code}")
            with twin.app_context():
                session = get_database(twin).session_factory()
                newest = session.scalars(select(Document.id).order_by(Document.id.desc())).first()
                session.close()

            tracemalloc.start()
            started = time.perf_counter()
            download = client.get(f"/cases/{case_id}/documents/{newest}/download", buffered=False)
            size = 0
            digest_ok = True
            offset = 0
            for piece in download.iter_encoded():
                digest_ok &= piece == content[offset : offset + len(piece)]
                offset += len(piece)
                size += len(piece)
            download.close()
            down.append((time.perf_counter() - started, tracemalloc.get_traced_memory()[1]))
            tracemalloc.stop()
            if size != len(content) or not digest_ok:
                raise SystemExit("the downloaded file differs from the upload")
        get_database(app).engine.dispose()
        get_database(twin).engine.dispose()

    mb = len(content) / (1024 * 1024)
    print(f"file: {mb:.0f} MiB through the routes, best of {args.runs}")
    best_copy = min(copy_times)
    print(f"  {'plain copy (fsync)':24} {best_copy * 1000:8.1f} ms  {mb / best_copy:8.1f} MiB/s")
    for name, rows in (("upload (POST)", up), ("download (GET)", down)):
        seconds = min(row[0] for row in rows)
        peak = max(row[1] for row in rows)
        print(
            f"  {name:24} {seconds * 1000:8.1f} ms  {mb / seconds:8.1f} MiB/s"
            f"  tracemalloc peak {peak / (1024 * 1024):6.1f} MiB"
        )


if __name__ == "__main__":
    main()

"""Storage that fails under the app: its commits are refused, nothing acknowledged is lost.

A full disk: the database lives on a small tmpfs mounted for the test. Rows are committed
through the app's engine (``make_engine``: WAL, synchronous=FULL) until the tmpfs is full:
each commit that returned is acknowledged, the later ones must fail (never a false
"saved"), and afterwards every acknowledged row must be in the database, which must pass
``PRAGMA integrity_check``.

A filesystem gone read-only (issue 14's loss: 22 of 89 notes under ``synchronous=NORMAL``):
a lawyer saves notes through the app while ext4 on a loop device is made to fail
(``trigger_fs_error`` with ``errors=remount-ro``: the journal is aborted, what was not
synced is gone). A read-only remount (``mount -o remount,ro``, also of a bind mount) is
refused while the database is open for writing ("mount point is busy"), and this kernel
has no device-mapper, hence this way. Every note she was told was saved must be there
after a repair and a writable mount, the writes after the failure answer a 503 page that
says nothing was saved, and the integrity check and the audit chain pass. With
``synchronous=NORMAL`` this test loses every note.

Root is needed to mount; where the machine cannot, the tests skip and say why (the
read-only one fails instead under ``CI=true``).
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from legalaid.casework.models import Note, NoteRevision
from legalaid.database import get_database, make_engine
from legalaid.factory import create_app
from tests.case_factories import make_case
from tests.conftest import make_settings, unavailable
from tests.drills import assert_audit_verifies, copy_sqlite, must, need, run, same_keys
from tests.factories import PASSWORD, create_clinic, create_user, fresh_step, totp_code
from tests.forms_in_pages import form_with
from tests.helpers import csrf_token

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "disk"
    where.mkdir()
    mounted = run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield where
    finally:
        run("umount", "-l", str(where))


def test_a_full_disk_refuses_commits_and_loses_none_acknowledged(small_disk: Path) -> None:
    database = small_disk / "full.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    acknowledged: list[int] = []
    refused = 0
    for _ in range(1000):
        try:
            with engine.begin() as connection:
                new_id = connection.execute(
                    text("INSERT INTO note (body) VALUES (:b) RETURNING id"), {"b": "x" * 2000}
                ).scalar_one()
        except OperationalError as error:
            assert "full" in str(error.orig), error  # noqa: PT017
            refused += 1
            if refused == 3:
                break
            continue
        acknowledged.append(new_id)
    engine.dispose()
    assert refused == 3, "the disk never filled up"
    assert len(acknowledged) > 10
    reader = sqlite3.connect(database)
    try:
        assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in reader.execute("SELECT id FROM note")}
    finally:
        reader.close()
    missing = set(acknowledged) - stored
    assert missing == set(), f"{len(missing)} acknowledged writes lost on a full disk"


# --- a filesystem that goes read-only under the app --------------------------------------


class FailingDisk:
    """An ext4 filesystem on a loop device, mounted ``errors=remount-ro``.

    :meth:`fail` reports a filesystem error through ext4's ``trigger_fs_error``: the kernel
    aborts the journal and turns the filesystem read-only at once, as it does on a failing
    disk. What was written but not yet synced (a commit under ``synchronous=NORMAL``) is
    lost with the aborted journal; what was fsynced is on the device. :meth:`reopen`
    unmounts, repairs (``e2fsck``) and mounts it writable again.
    """

    def __init__(self, image: Path, where: Path) -> None:
        self.image = image
        self.where = where
        self.device = ""

    def set_up(self) -> None:
        if shutil.which("mkfs.ext4") is None or shutil.which("losetup") is None:
            unavailable("mkfs.ext4 and losetup are needed for a failing filesystem")
        with self.image.open("wb") as file:
            file.truncate(64 * 1024 * 1024)
        need("mkfs.ext4", "mkfs.ext4", "-q", "-F", str(self.image))
        self.device = need("no loop device", "losetup", "--find", "--show", str(self.image))
        self.where.mkdir()
        self._mount()
        if not self._trigger.exists():
            unavailable(f"ext4 has no {self._trigger} here")

    @property
    def _trigger(self) -> Path:
        return Path("/sys/fs/ext4") / Path(self.device).name / "trigger_fs_error"

    def _mount(self) -> None:
        need(
            "cannot mount a loop device here",
            *("mount", "-o", "errors=remount-ro", self.device, str(self.where)),
        )

    def read_only(self) -> bool:
        for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if fields[1] == str(self.where):
                # Linux 6.9+ shows an ext4 turned read-only by an error as "emergency_ro".
                return bool({"ro", "emergency_ro"} & set(fields[3].split(",")))
        raise AssertionError(f"{self.where} is not mounted")

    def fail(self) -> None:
        self._trigger.write_text("1", encoding="utf-8")
        deadline = time.monotonic() + 10  # /proc/mounts may show it a moment later
        while not self.read_only():
            assert time.monotonic() < deadline, "ext4 did not turn the filesystem read-only"
            time.sleep(0.01)

    def reopen(self) -> None:
        must("umount", str(self.where))
        repaired = run("e2fsck", "-f", "-y", self.device)
        assert repaired.returncode in (0, 1), repaired.stdout  # 1: errors corrected
        self._mount()
        assert not self.read_only()

    def tear_down(self) -> None:
        if self.where.is_mount():
            run("umount", "-l", str(self.where))
        if self.device:
            run("losetup", "--detach", self.device)


@pytest.fixture
def failing_disk(tmp_path: Path) -> Iterator[FailingDisk]:
    disk = FailingDisk(tmp_path / "ext4.img", tmp_path / "ext4")
    try:
        disk.set_up()
        yield disk
    finally:
        disk.tear_down()


def test_a_filesystem_gone_read_only_loses_no_saved_note_and_says_nothing_was_saved(
    failing_disk: FailingDisk, migrated_database_url: str, tmp_path: Path
) -> None:
    url = copy_sqlite(migrated_database_url, failing_disk.where / "legalaid.sqlite3")
    settings = make_settings(url, tmp_path / "instance")
    app = create_app(settings)
    # Arranged in a twin app's context (same keys), so that test requests get their own g.
    twin = create_app(settings, check_schema=False)
    with twin.app_context(), get_database(twin).session_factory() as session:
        lawyer = create_user(session, "lawyer", clinic=create_clinic(session))
        case_id = make_case(session, lawyer).id
        step = fresh_step(session, lawyer)
        session.commit()
    get_database(twin).engine.dispose()
    browser = app.test_client()
    token = csrf_token(browser, "/login")
    browser.post("/login", data={"email": lawyer.email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token(browser, "/login/two-factor")
    signed_in = browser.post(
        "/login/two-factor", data={"code": totp_code(lawyer, step=step), "csrf_token": token}
    )
    assert signed_in.status_code == 302
    assert "/login" not in signed_in.headers["Location"]
    saved: list[str] = []
    refusals: list[tuple[int, str]] = []
    stop = threading.Event()

    def lawyer_writes_notes() -> None:
        for n in range(2000):
            if stop.is_set() or len(refusals) >= 3:
                return
            page = browser.get(f"/cases/{case_id}")
            if page.status_code != 200:
                refusals.append((page.status_code, page.get_data(as_text=True)))
                continue
            body = f"Synthetic note number {n}"
            form = form_with(page.get_data(as_text=True), "body")
            answer = browser.post(f"/cases/{case_id}/notes", data={**form, "body": body})
            if answer.status_code == 302:
                saved.append(body)  # she was told it was saved
            else:
                refusals.append((answer.status_code, answer.get_data(as_text=True)))

    writer = threading.Thread(target=lawyer_writes_notes)
    writer.start()
    try:
        while len(saved) < 25 and writer.is_alive():
            stop.wait(0.02)
        failing_disk.fail()  # mid-load: the writer is between or inside requests
        writer.join(timeout=120)
    finally:
        stop.set()
        writer.join(timeout=120)
        get_database(app).engine.dispose()
    assert len(saved) >= 25, refusals[:1]
    assert len(refusals) == 3, "writes went on after the filesystem went read-only"
    for status, page in refusals:
        assert status == 503, page[:2000]
        assert "Nothing was saved" in page, page[:2000]
        assert "Traceback" not in page
        assert "OperationalError" not in page

    failing_disk.reopen()
    database = failing_disk.where / "legalaid.sqlite3"
    check = sqlite3.connect(database)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        check.close()
    reopened = create_app(same_keys(settings, url, tmp_path / "instance"))
    try:
        with reopened.app_context(), get_database(reopened).session_factory() as session:
            stored = {
                revision.body
                for revision in session.scalars(
                    select(NoteRevision).join(Note).where(Note.case_id == case_id)
                )
            }
        lost = [body for body in saved if body not in stored]
        assert lost == [], f"{len(lost)} of {len(saved)} saved notes lost"
        assert_audit_verifies(settings, url, tmp_path / "verify-instance")
    finally:
        get_database(reopened).engine.dispose()

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select

from legalaid.audit.chain import first_break
from legalaid.audit.models import AuditEntry
from legalaid.database import Database, get_database
from legalaid.errors import StartupError

BATCH_SIZE = 1000


@click.group("audit", help="The audit log.")
def audit() -> None:
    pass


class _Walk:
    """Entries in ``seq`` order, read in batches; counts what it hands out.

    Each batch is its own short transaction (keyset pagination on the unique ``seq``),
    so a long log is never loaded at once and, on SQLite, writers are only held up for
    one batch at a time. The log is append-only, so entries added while the walk runs
    simply join its end.
    """

    def __init__(self, database: Database, batch_size: int) -> None:
        self.database = database
        self.batch_size = batch_size
        self.count = 0
        self.last: AuditEntry | None = None

    def __iter__(self) -> Iterator[AuditEntry]:
        after: int | None = None
        while True:
            query = select(AuditEntry).order_by(AuditEntry.seq).limit(self.batch_size)
            if after is not None:
                query = query.where(AuditEntry.seq > after)
            with self.database.session_factory() as session:
                # Closing (not rolling back) keeps the loaded attributes readable.
                batch = list(session.scalars(query))
            if not batch:
                return
            for entry in batch:
                self.count += 1
                self.last = entry
                yield entry
            after = batch[-1].seq


@audit.command("verify", help="Check the HMAC chain over every audit entry, oldest first.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=100_000),
    default=BATCH_SIZE,
    show_default=True,
    help="Entries read per database round trip.",
)
@click.option(
    "--record",
    "record_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "File that keeps the newest verified seq and mac, outside the table it checks "
        "(default: audit-verified.json in the instance folder). Keep a copy off the server."
    ),
)
@with_appcontext
def verify(batch_size: int, record_path: Path | None) -> None:
    database = get_database(current_app)
    if not inspect(database.engine).has_table(AuditEntry.__tablename__):
        raise StartupError("the database has no audit log yet: run 'legalaid db upgrade'")
    settings = current_app.extensions["legalaid.settings"]
    key: bytes = settings.audit_key
    record = VerifiedRecord(record_path or settings.instance_path / RECORD_FILE, database)
    earlier = record.load()
    walk = _Walk(database, batch_size)
    seen_at_earlier: list[str] = []

    def entries() -> Iterator[AuditEntry]:
        for entry in walk:
            if earlier is not None and entry.seq == earlier["seq"]:
                seen_at_earlier.append(entry.mac)
            yield entry

    broken = first_break(key, entries())
    if broken is not None:
        click.echo(
            f"audit log BROKEN at entry seq {broken.seq} (id {broken.entry_id}): {broken.reason}",
            err=True,
        )
        click.echo(f"{walk.count - 1} entries before it verified.", err=True)
        raise click.exceptions.Exit(1)
    if earlier is not None:
        # A chain cannot show that entries were cut off its end (or that the whole log
        # was emptied); the record of the last run, kept outside the table, can.
        when = earlier.get("verified_at", "?")
        if not seen_at_earlier:
            click.echo(
                f"audit log BROKEN: the verification of {when} reached entry seq "
                f"{earlier['seq']}, which the log no longer holds ({walk.count} entries "
                "now): entries were removed",
                err=True,
            )
            raise click.exceptions.Exit(1)
        if seen_at_earlier[0] != earlier["mac"]:
            click.echo(
                f"audit log BROKEN: entry seq {earlier['seq']} is not the one verified "
                f"on {when}: the log was rewritten",
                err=True,
            )
            raise click.exceptions.Exit(1)
    click.echo(f"audit log OK: {walk.count} entries")
    if walk.last is not None:
        record.save(walk.last.seq, walk.last.mac)
        click.echo(f"newest entry: seq {walk.last.seq}, mac {walk.last.mac}")
        click.echo(f"recorded in {record.path}")


RECORD_FILE = "audit-verified.json"


class VerifiedRecord:
    """The newest verified entry of each database, in a JSON file (mode 0600)."""

    def __init__(self, path: Path, database: Database) -> None:
        self.path = path
        url = database.engine.url.render_as_string(hide_password=True)
        self.database_key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]

    def _all(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StartupError(f"cannot read {self.path}: {type(exc).__name__}") from exc
        return data if isinstance(data, dict) else {}

    def load(self) -> dict[str, Any] | None:
        found = self._all().get(self.database_key)
        return found if isinstance(found, dict) and "seq" in found else None

    def save(self, seq: int, mac: str) -> None:
        data = self._all()
        data[self.database_key] = {
            "seq": seq,
            "mac": mac,
            "verified_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

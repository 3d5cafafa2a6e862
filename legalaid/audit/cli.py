from __future__ import annotations

from collections.abc import Iterator

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
@with_appcontext
def verify(batch_size: int) -> None:
    database = get_database(current_app)
    if not inspect(database.engine).has_table(AuditEntry.__tablename__):
        raise StartupError("the database has no audit log yet: run 'legalaid db upgrade'")
    key: bytes = current_app.extensions["legalaid.settings"].audit_key
    walk = _Walk(database, batch_size)
    broken = first_break(key, walk)
    if broken is not None:
        click.echo(
            f"audit log BROKEN at entry seq {broken.seq} (id {broken.entry_id}): {broken.reason}",
            err=True,
        )
        click.echo(f"{walk.count - 1} entries before it verified.", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"audit log OK: {walk.count} entries")
    if walk.last is not None:
        # Worth writing down elsewhere: a chain cannot show that entries were cut off its
        # end, but a later run that no longer reaches this seq and mac can.
        click.echo(f"newest entry: seq {walk.last.seq}, mac {walk.last.mac}")

"""One retention run: erase every client that is due, one transaction per batch of clients.

A batch is erased with one set-based statement per table (:func:`erase_clients`) and
committed on its own: a failure rolls the whole batch back, so each of its clients is
fully erased or untouched, and the batches committed before it stay erased. A run that
stopped (a crash, a failed batch) is finished by the next one: what is left is still due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from legalaid.database import checkpoint_sqlite_wal
from legalaid.retention.erasure import RULE_RETENTION, due_clients, erase_clients
from legalaid.retention.policy import RetentionPolicy

#: Clients per transaction. The statements do not grow with it (17 per batch), the time
#: the transaction holds SQLite's write lock does: measured at 100 000 cases on a loaded
#: 2-core machine (load 13-18), batches of 250 held it up to 6.7 s (beyond the 5 s
#: busy_timeout a request waits), batches of 100 at most 1.8 s, for about the same total.
BATCH_SIZE = 100


@dataclass(frozen=True)
class RetentionRun:
    erased: int
    refused: int


def run_retention(
    session: Session, policy: RetentionPolicy, day: date, *, batch_size: int = BATCH_SIZE
) -> RetentionRun:
    """Commit each batch's erasure on its own: every client fully erased or untouched."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    due = due_clients(session, policy, day)
    session.commit()
    erased = refused = 0
    for start in range(0, len(due), batch_size):
        try:
            batch = erase_clients(
                session, due[start : start + batch_size], rule=RULE_RETENTION, today=day
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
        erased += len(batch.erased)
        refused += len(batch.refused)
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    checkpoint_sqlite_wal(engine)
    return RetentionRun(erased, refused)

"""One retention run: erase every client that is due, one transaction per client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from legalaid.database import checkpoint_sqlite_wal
from legalaid.retention.erasure import (
    RULE_RETENTION,
    ErasureRefusedError,
    due_clients,
    erase_client,
)
from legalaid.retention.policy import RetentionPolicy


@dataclass(frozen=True)
class RetentionRun:
    erased: int
    refused: int


def run_retention(session: Session, policy: RetentionPolicy, day: date) -> RetentionRun:
    """Commit each client's erasure on its own: fully erased or untouched."""
    due = due_clients(session, policy, day)
    session.commit()
    erased = refused = 0
    for client_id in due:
        try:
            erase_client(session, client_id, rule=RULE_RETENTION, today=day)
            session.commit()
            erased += 1
        except ErasureRefusedError:
            session.rollback()
            refused += 1
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    checkpoint_sqlite_wal(engine)
    return RetentionRun(erased, refused)

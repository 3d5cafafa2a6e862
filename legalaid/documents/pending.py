"""Stored files follow the database transaction: no orphan ciphertext, no row without file.

A new file is written before its row is flushed; if the transaction then rolls back (a
refused second file, a failed commit, a crash of the request), the file is removed. A
deleted document's file is removed only once the deletion has committed, so a rollback
never leaves a row whose content is gone. (A process killed between writing and
committing can leave a file whose key was never stored, unreadable by anyone: the
hourly sweep, :mod:`legalaid.documents.sweep`, removes such files once they are old.)
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from legalaid.documents.storage import DocumentStore

log = logging.getLogger(__name__)

_NEW = "legalaid.documents.new_files"
_DOOMED = "legalaid.documents.doomed_files"


def remove_unless_committed(session: Session, store: DocumentStore, name: str) -> None:
    session.info.setdefault(_NEW, []).append((store, name))


def remove_once_committed(session: Session, store: DocumentStore, name: str) -> None:
    session.info.setdefault(_DOOMED, []).append((store, name))


def _remove(files: list[tuple[DocumentStore, str]]) -> None:
    for store, name in files:
        try:
            store.delete(name)
        except OSError as error:
            log.error("could not remove a stored document file: %s", type(error).__name__)


def _after_commit(session: Session) -> None:
    session.info.pop(_NEW, None)
    _remove(session.info.pop(_DOOMED, []))


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # Whatever after_commit did not claim was never committed.
        _remove(session.info.pop(_NEW, []))
        session.info.pop(_DOOMED, None)


def init_pending_files() -> None:
    """Listen once (idempotent: every app of a test run shares the Session class)."""
    hooks: tuple[tuple[str, Any], ...] = (
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    )
    for name, hook in hooks:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)

"""The orphan sweep: stored files that no committed row holds, and unfinished writes.

A request that dies between writing a file and committing its row (a killed worker, a
power cut) leaves ciphertext whose key was never stored: unreadable by anyone, but it
takes space and says that a document was being added. The request's own rollback
already removes its files (:mod:`legalaid.documents.pending`); this job removes what
a crash left behind, once it is older than the policy's ``sweep_after_hours`` (so a
file whose upload is still committing is never touched): complete files that no row
names, and writes that never finished (``.partial`` files of the folder, unfinished
multipart uploads of a bucket). Each run writes one audit entry with the counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.audit.service import record_event
from legalaid.database import utcnow
from legalaid.documents.models import Document
from legalaid.documents.storage import DocumentStore

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    orphans: int
    partial: int


def _batches(names: Iterator[str]) -> Iterator[list[str]]:
    while batch := list(islice(names, BATCH)):
        yield batch


def sweep_store(
    session: Session, store: DocumentStore, *, after_hours: int, now: datetime | None = None
) -> SweepResult:
    """Remove files older than ``after_hours`` that no row holds; audited with counts."""
    cutoff = (now or utcnow()) - timedelta(hours=after_hours)
    # Listed first, rows read after: a file whose row committed meanwhile is found.
    old = (name for name, written in store.listing() if written < cutoff)
    orphans = 0
    for batch in _batches(old):
        held = set(
            session.scalars(select(Document.storage_name).where(Document.storage_name.in_(batch)))
        )
        for name in batch:
            if name not in held:
                store.delete(name)
                orphans += 1
    partial = store.remove_partial(cutoff)
    result = SweepResult(orphans, partial)
    if orphans or partial:
        log.info("document sweep removed %d orphan files, %d unfinished", orphans, partial)
    record_event(
        session,
        "document.swept",
        object_type="document_store",
        object_id=f"{orphans} orphans, {partial} unfinished",
    )
    return result

"""The HMAC chain over audit entries: computing and verifying it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from legalaid.audit.models import AuditEntry

GENESIS_MAC = "0" * 64


def canonical(entry: AuditEntry) -> bytes:
    """Every field except the mac itself, in a fixed order and format."""
    fields = (
        str(entry.seq),
        entry.occurred_at.isoformat(timespec="microseconds"),
        "" if entry.actor_id is None else str(entry.actor_id),
        entry.actor_role or "",
        entry.action,
        entry.object_type or "",
        entry.object_id or "",
        entry.outcome,
        entry.request_id or "",
        entry.client_address or "",
    )
    return "\x1f".join(fields).encode("utf-8")


def compute_mac(key: bytes, previous_mac: str, entry: AuditEntry) -> str:
    message = previous_mac.encode("ascii") + b"\n" + canonical(entry)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    entry_id: int
    reason: str


def first_break(key: bytes, entries: Iterable[AuditEntry]) -> ChainBreak | None:
    """Walk entries in ``seq`` order; return the first one that does not verify."""
    previous_mac = GENESIS_MAC
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, entry.id, f"expected entry {expected_seq} (missing?)")
        # Compare bytes: compare_digest raises TypeError on a str with non-ASCII
        # characters, and a tampered mac may hold anything.
        expected = compute_mac(key, previous_mac, entry).encode("ascii")
        if not hmac.compare_digest((entry.mac or "").encode("utf-8"), expected):
            return ChainBreak(entry.seq, entry.id, "MAC does not match (edited or reordered)")
        previous_mac = entry.mac
        expected_seq += 1
    return None

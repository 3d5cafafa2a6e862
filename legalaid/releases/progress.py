"""How far a release job is: steps done of the steps it knows it takes.

A release counts every table of its period (one step each), recounts the tables of the
earlier releases it overlaps (one step each), then disclosure control audits suppression
patterns until one is safe, then the release is stored (one step). An audit takes about
as long as counting half the release's tables (measured on 20,000 cases: 720 tables in
5.5 s, 4 audits in 11 s), so each audit is worth that many steps; the total counts on
:data:`EXPECTED_AUDITS` audits and grows by one audit's steps for each audit beyond them
(the percentage still only goes up). The job writes the figures to its row now and then,
in a short transaction of its own (the counting itself reads a snapshot and writes
nothing); the progress page reads them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Audits of a suppression pattern a release usually needs (quick ones and the full one).
EXPECTED_AUDITS = 4
#: Seconds between two writes of the figures (each write is a short transaction).
WRITE_EVERY = 1.0

Writer = Callable[[int, int], None]


class Progress:
    """Counts steps; hands ``(done, total)`` to ``write`` at most every WRITE_EVERY s."""

    def __init__(self, write: Writer | None = None, *, every: float = WRITE_EVERY) -> None:
        self.done = 0
        self.total = 0
        self.audit_steps = 1
        self.audits = 0
        self._write = write
        self._every = every
        self._written_at = -float("inf")

    def plan(self, *, tables: int, recounted: int) -> None:
        """What the job will do: count ``tables``, recount ``recounted``, audit, store."""
        self.audit_steps = max(1, tables // 2)
        self.total = tables + recounted + EXPECTED_AUDITS * self.audit_steps + 1
        self.flush()

    def step(self, steps: int = 1) -> None:
        self.done += steps
        self.total = max(self.total, self.done + 1)  # storing is still to come
        self._maybe_write()

    def audited(self) -> None:
        """One audit of a suppression pattern done (more than expected: the total grows)."""
        self.audits += 1
        if self.audits > EXPECTED_AUDITS:
            self.total += self.audit_steps
        self.step(self.audit_steps)

    def flush(self) -> None:
        if self._write is not None:
            self._written_at = time.monotonic()
            self._write(self.done, self.total)

    def _maybe_write(self) -> None:
        if self._write is not None and time.monotonic() - self._written_at >= self._every:
            self.flush()

"""Wrong feedback codes counted in the database, so every server process shares the count.

No address is stored: a row's key is a keyed hash (HMAC under the blind-index key) of the
hour and the address, so the same address gives an unrelated key each hour, nothing can
be read back without the key, and even with it an address can only be tested against the
last two hours. Rows older than that are deleted whenever a wrong code is counted. A saved
answer writes nothing here, so the table never says who answered.

The window slides: a new hour's count is added to the previous hour's, weighted by the
part of that hour still inside the last sixty minutes (the usual sliding-window counter).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from legalaid.crypto.blind_index import blind_index
from legalaid.feedback.models import FeedbackThrottle

WINDOW_SECONDS = 3600
#: The key of the count of all addresses together (a hash is 64 hex digits, never this).
EVERYONE = "*"


class WrongCodeThrottle:
    def __init__(self, per_address: int, overall: int, key: bytes | None = None) -> None:
        self.per_address = per_address
        self.overall = overall
        self._key = key  # None: the app's blind-index key

    def _address_key(self, address: str, hour: int) -> str:
        return blind_index(f"{hour}|{address}", "feedback.throttle", self._key)

    def _sliding(self, session: Session, key_of: Callable[[int], str], now: float) -> float:
        hour = int(now // WINDOW_SECONDS)
        previous_weight = 1.0 - (now % WINDOW_SECONDS) / WINDOW_SECONDS
        total = 0.0
        for at, weight in ((hour, 1.0), (hour - 1, previous_weight)):
            key = key_of(at)
            wrong = session.scalar(
                select(FeedbackThrottle.wrong).where(
                    FeedbackThrottle.hour == at, FeedbackThrottle.key == key
                )
            )
            total += weight * int(wrong or 0)
        return total

    def blocked(self, session: Session, address: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        if self._sliding(session, lambda _hour: EVERYONE, now) >= self.overall:
            return True
        mine = self._sliding(session, lambda hour: self._address_key(address, hour), now)
        return mine >= self.per_address

    def wrong(self, session: Session, address: str, now: float | None = None) -> None:
        """Count one wrong code, for this address and for everyone, in the session's
        transaction (the request commits it, whatever the page answers)."""
        now = time.time() if now is None else now
        hour = int(now // WINDOW_SECONDS)
        session.execute(delete(FeedbackThrottle).where(FeedbackThrottle.hour < hour - 1))
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for key in (EVERYONE, self._address_key(address, hour)):
            statement = insert(FeedbackThrottle).values(hour=hour, key=key, wrong=1)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[FeedbackThrottle.hour, FeedbackThrottle.key],
                    set_={"wrong": FeedbackThrottle.wrong + 1},
                )
            )
        session.flush()

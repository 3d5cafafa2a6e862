"""Wrong feedback codes counted in memory, per address and overall; nothing on disk.

The answer must not be linkable to anyone, so no address is written anywhere, not even
hashed in the database. The price: each server process counts for itself, and a
restart forgets. With 50-bit codes that is still far out of reach of guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

WINDOW_SECONDS = 3600.0
#: Addresses remembered at most; the oldest are dropped beyond it (a flood of addresses).
MAX_ADDRESSES = 50_000


class WrongCodeThrottle:
    def __init__(self, per_address: int, overall: int) -> None:
        self.per_address = per_address
        self.overall = overall
        # A key of this process only: the digests mean nothing outside it.
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._by_address: dict[bytes, deque[float]] = defaultdict(deque)
        self._all: deque[float] = deque()

    def _digest(self, address: str) -> bytes:
        return hmac.new(self._key, address.encode("utf-8"), hashlib.sha256).digest()[:16]

    @staticmethod
    def _trim(times: deque[float], now: float) -> None:
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()

    def blocked(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._trim(self._all, now)
            if len(self._all) >= self.overall:
                return True
            times = self._by_address.get(self._digest(address))
            if times is None:
                return False
            self._trim(times, now)
            return len(times) >= self.per_address

    def wrong(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._all.append(now)
            if len(self._by_address) >= MAX_ADDRESSES:
                oldest = min(
                    self._by_address,
                    key=lambda d: self._by_address[d][-1] if self._by_address[d] else 0.0,
                )
                del self._by_address[oldest]
            self._by_address[self._digest(address)].append(now)

"""A sliding-window limiter for login attempts, per client address and per email.

It lives in the process: with several instances behind a load balancer each one limits on its
own, so the effective limit is at most ``instances * limit``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class SlidingWindowLimiter:
    limit: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 100_000
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, key: str) -> int | None:
        """Seconds to wait before ``key`` may try again, or None when it may try now."""
        hits = self._prune(key)
        if hits is None or len(hits) < self.limit:
            return None
        return max(1, math.ceil(hits[0] + self.window_s - self.clock()))

    def hit(self, key: str) -> None:
        if len(self._hits) >= self.max_keys and key not in self._hits:
            self._evict()
        self._hits.setdefault(key, deque()).append(self.clock())

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        horizon = self.clock() - self.window_s
        while hits and hits[0] <= horizon:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def _evict(self) -> None:
        # Bounded memory under a flood of distinct keys: drop the expired, then the oldest.
        for key in list(self._hits):
            self._prune(key)
        while len(self._hits) >= self.max_keys:
            del self._hits[next(iter(self._hits))]

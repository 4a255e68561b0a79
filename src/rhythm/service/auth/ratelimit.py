"""Attempt limits (login failures, registrations) over a sliding window.

``SharedAttempts`` counts in PostgreSQL, so every worker and instance enforces one limit
together; ``MemoryAttempts`` counts in this process only (unit tests, single-process tools).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from rhythm.db import access as access_db
from rhythm.db import users as users_db
from rhythm.store.transaction import AsyncDB

AccessQueriesFactory = Callable[[AsyncDB], access_db.Querier]

# Login's default limit: failures per key within the window.
LOGIN_LIMIT = 10
LOGIN_WINDOW_S = 60.0


def account_key(email: str, user: users_db.User | None) -> str:
    """What a per-email counter counts under: the account the database found, so every
    spelling it matches (its ``lower()`` follows the locale, Python's does not) counts as one;
    the typed address only when there is no account."""
    return f"user:{user.id}" if user is not None else f"email:{email.strip().lower()}"


class AttemptLimiter(Protocol):
    """At most ``limit`` attempts per key within the window."""

    async def retry_after(self, keys: Sequence[str]) -> int | None:
        """Seconds until every key of ``keys`` may try again, or None when all may try now."""
        ...

    async def hit(self, keys: Sequence[str]) -> None: ...

    async def take(self, keys: Sequence[str]) -> int | None:
        """Record an attempt for each key, then count it: None when every key is within the
        limit, else the seconds to wait, with the attempt taken back (a refusal counts
        nowhere). Recording first bounds concurrent attempts, which a check then a later
        record all let through."""
        ...

    async def forgive(self, keys: Sequence[str]) -> None:
        """Take back one attempt of each key (an attempt that turned out not to count)."""
        ...

    async def reset(self, key: str) -> None: ...

    def with_limit(self, limit: int) -> AttemptLimiter:
        """The same counts (same store, same window) with another ``limit``."""
        ...


@dataclass(frozen=True, slots=True)
class SharedAttempts:
    """Attempts as rows of ``auth_attempts``: one count for every process on the database."""

    db: AsyncDB
    limit: int
    window_s: float
    queries: AccessQueriesFactory = access_db.Queries

    async def retry_after(self, keys: Sequence[str]) -> int | None:
        rows = await self.queries(self.db).count_attempts(window_s=self.window_s, keys=list(keys))
        waits = [row.wait_s for row in rows if row.hits >= self.limit]
        return max(1, math.ceil(max(waits))) if waits else None

    async def hit(self, keys: Sequence[str]) -> None:
        await self.queries(self.db).record_attempts(keys=list(keys))

    async def take(self, keys: Sequence[str]) -> int | None:
        await self.hit(keys)
        rows = await self.queries(self.db).count_attempts(window_s=self.window_s, keys=list(keys))
        waits = [row.wait_s for row in rows if row.hits > self.limit]
        if not waits:
            return None
        await self.forgive(keys)
        return max(1, math.ceil(max(waits)))

    async def forgive(self, keys: Sequence[str]) -> None:
        await self.queries(self.db).forgive_attempts(keys=list(keys))

    async def reset(self, key: str) -> None:
        await self.queries(self.db).clear_attempts(key=key)

    def with_limit(self, limit: int) -> SharedAttempts:
        return replace(self, limit=limit)


@dataclass
class MemoryAttempts:
    """The same limit in this process's memory; several processes each limit on their own."""

    limit: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 100_000
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    async def retry_after(self, keys: Sequence[str]) -> int | None:
        waits = [wait for key in keys if (wait := self._wait(key)) is not None]
        return max(waits) if waits else None

    async def hit(self, keys: Sequence[str]) -> None:
        for key in keys:
            if len(self._hits) >= self.max_keys and key not in self._hits:
                self._evict()
            self._hits.setdefault(key, deque()).append(self.clock())

    async def take(self, keys: Sequence[str]) -> int | None:
        await self.hit(keys)
        waits = [wait for key in keys if (wait := self._wait(key, self.limit + 1)) is not None]
        if not waits:
            return None
        await self.forgive(keys)
        return max(waits)

    async def forgive(self, keys: Sequence[str]) -> None:
        for key in keys:
            if hits := self._hits.get(key):
                hits.pop()

    async def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def with_limit(self, limit: int) -> MemoryAttempts:
        # Shares the hits: a key counts the same whichever limit reads it.
        return MemoryAttempts(limit, self.window_s, self.clock, self.max_keys, self._hits)

    def _wait(self, key: str, limit: int | None = None) -> int | None:
        hits = self._prune(key)
        if hits is None or len(hits) < (self.limit if limit is None else limit):
            return None
        return max(1, math.ceil(hits[0] + self.window_s - self.clock()))

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

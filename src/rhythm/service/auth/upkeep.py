"""Periodic clean-up of auth tables, by one instance at a time.

Refresh tokens are pruned once revoked, rotated or expired for longer than the grace period
(a rotated token replayed within it still revokes its family); attempts once older than every
rate-limit window. The run holds a transaction-scoped advisory lock, so two instances never
prune at once, and PgBouncer in transaction mode keeps working (no session-level lock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rhythm.db import access as access_db
from rhythm.store.transaction import AsyncDB, transaction

# Any fixed 64-bit number; it names this task's lock among the database's advisory locks.
UPKEEP_LOCK_KEY = 0x7268_7974_686D_0001
_BATCH = 5000


@dataclass(frozen=True, slots=True)
class UpkeepResult:
    refresh_tokens: int
    attempts: int


@dataclass(frozen=True, slots=True)
class Upkeep:
    db: AsyncDB
    refresh_grace_s: float
    attempts_keep_s: float
    queries: Callable[[AsyncDB], access_db.Querier] = access_db.Queries

    async def run_once(self) -> UpkeepResult | None:
        """Prune; None when another instance holds the lock (it is pruning right now)."""
        async with transaction(self.db) as conn:
            queries = self.queries(conn)
            if not await queries.try_upkeep_lock(lock_key=UPKEEP_LOCK_KEY):
                return None
            tokens = 0
            while (pruned := await self._prune_batch(queries)) > 0:
                tokens += pruned
                if pruned < _BATCH:
                    break
            attempts = await queries.prune_attempts(older_than_s=self.attempts_keep_s)
        return UpkeepResult(refresh_tokens=tokens, attempts=attempts)

    async def _prune_batch(self, queries: access_db.Querier) -> int:
        return await queries.prune_refresh_tokens(grace_s=self.refresh_grace_s, batch_size=_BATCH)

"""Readiness: the database answers and carries the newest migration."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rhythm.store.errors import StoreError
from rhythm.store.migrate import applied_version
from rhythm.store.pool import StorePool


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    reason: str | None = None
    migration: str | None = None


class HealthService:
    """Answers "can this instance serve traffic?" without ever hanging past ``timeout_s``."""

    def __init__(
        self,
        pool: StorePool,
        expected_migration: str | None,
        timeout_s: float,
    ) -> None:
        self._pool = pool
        self._expected = expected_migration
        self._timeout_s = timeout_s
        self._draining = False

    def begin_draining(self) -> None:
        """From now on, report not ready: the instance is shutting down."""
        self._draining = True

    async def readiness(self) -> Readiness:
        if self._draining:
            # Load balancers stop sending new work while in-flight requests finish.
            return Readiness(ready=False, reason="the instance is shutting down")
        try:
            # Bound the whole check, not only the wait for a connection: a server that accepts
            # but never answers must not hang a load balancer's probe.
            async with asyncio.timeout(self._timeout_s):
                async with self._pool.connection(timeout=self._timeout_s) as conn:
                    version = await applied_version(conn)
        except (StoreError, TimeoutError):
            return Readiness(ready=False, reason="the database does not answer")
        if version != self._expected:
            return Readiness(
                ready=False,
                reason=f"database migration is {version}, the newest is {self._expected}",
                migration=version,
            )
        return Readiness(ready=True, migration=version)

"""A bound on password hashes running at once, so memory stays bounded under a burst.

Each argon2id hash holds its memory cost (64 MiB by default) while it runs. Without a bound,
fifty concurrent registrations ask for about 3 GiB; with it, a process never holds more than
``slots * memory cost`` for hashing. A request that cannot get a slot within ``max_wait_s``
(or finds ``max_waiting`` requests already queued) is refused with a Retry-After.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rhythm.service.auth.passwords import Argon2Params, PasswordHasher
from rhythm.service.errors import RateLimitedError


class HashingBusyError(RateLimitedError):
    """Every hashing slot is taken: the client should retry after ``retry_after_s``."""


class GatedPasswordHasher(PasswordHasher):
    """``PasswordHasher`` whose hashes and verifications share ``slots`` places."""

    def __init__(
        self,
        params: Argon2Params,
        *,
        slots: int,
        max_waiting: int,
        max_wait_s: float,
    ) -> None:
        super().__init__(params)
        self._slots = asyncio.Semaphore(slots)
        self._max_waiting = max_waiting
        self._max_wait_s = max_wait_s
        self._waiting = 0

    async def hash(self, password: str) -> str:
        async with self._slot():
            return await super().hash(password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        async with self._slot():
            return await super().verify(password_hash, password)

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot is taken at once, without suspending
        else:
            await self._queue()
        try:
            yield
        finally:
            self._slots.release()

    async def _queue(self) -> None:
        if self._waiting >= self._max_waiting:
            raise self._busy()
        self._waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self._max_wait_s)
        except TimeoutError:
            raise self._busy() from None
        finally:
            self._waiting -= 1

    def _busy(self) -> HashingBusyError:
        return HashingBusyError(
            "the server is busy checking passwords; try again shortly",
            max(1, math.ceil(self._max_wait_s)),
        )

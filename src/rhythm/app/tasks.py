"""Background tasks of a serving process: the periodic upkeep."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import psycopg
from litestar import Litestar
from loguru import logger

from rhythm.service.auth.upkeep import Upkeep
from rhythm.store.errors import StoreError


def upkeep_lifespan(
    upkeep: Upkeep, interval_s: float
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Run ``upkeep`` every ``interval_s`` while the app serves (every instance tries; the
    advisory lock lets one at a time work)."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        task = asyncio.create_task(_every(upkeep, interval_s))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


async def _every(upkeep: Upkeep, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            result = await upkeep.run_once()
        except (StoreError, psycopg.Error) as exc:
            logger.warning("upkeep failed ({}); next try in {} s", exc, interval_s)
            continue
        if result is not None and (result.refresh_tokens or result.attempts):
            logger.info(
                "upkeep pruned {} refresh tokens and {} attempts",
                result.refresh_tokens,
                result.attempts,
            )

"""A tiny app for the server tests: a slow endpoint to be caught by SIGTERM mid-request."""

from __future__ import annotations

import asyncio
import os

from litestar import Litestar, get


@get("/slow", sync_to_thread=False)
async def slow(seconds: float = 1.5) -> dict[str, object]:
    await asyncio.sleep(seconds)
    return {"slept": seconds, "pid": os.getpid()}


@get("/pid", sync_to_thread=False)
async def pid() -> dict[str, int]:
    return {"pid": os.getpid()}


def create() -> Litestar:
    return Litestar([slow, pid], logging_config=None)

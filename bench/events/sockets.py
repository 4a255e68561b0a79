"""The listening side: one WebSocket client per member, each timing what it receives."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from websockets.asyncio.client import ClientConnection, connect

from bench.events.tracker import Tracker

OPEN_CONCURRENCY = 16  # handshakes in flight while the fleet opens


class Head(msgspec.Struct):
    """What the bench reads of a message; ``t0`` only in the baselines' payloads."""

    type: str
    seq: int = 0
    room_id: int = 0
    t0: float | None = None


_heads = msgspec.json.Decoder(Head)


class Fleet:
    """Open sockets that report every event to the current slot's tracker."""

    def __init__(self) -> None:
        self.tracker: Tracker | None = None
        self.size = 0

    def on_message(self, raw: str | bytes, at: float) -> None:
        head = _heads.decode(raw)
        if head.type != "snapshot" and self.tracker is not None:
            self.tracker.received(head.room_id, head.seq, at, head.t0)

    async def _listen(self, socket: ClientConnection) -> None:
        clock = time.monotonic
        with contextlib.suppress(Exception):  # the socket closes as the fleet ends
            async for raw in socket:
                self.on_message(raw, clock())


async def _open(url: str, gate: asyncio.Semaphore) -> ClientConnection:
    async with gate:
        socket = await connect(url, open_timeout=30, max_queue=None)
        first = _heads.decode(await socket.recv())
        if first.type != "snapshot":
            raise RuntimeError(f"{url}: expected a snapshot, got {first.type}")
        return socket


@asynccontextmanager
async def open_fleet(urls: list[str]) -> AsyncIterator[Fleet]:
    """A socket per URL; each has read its snapshot before the fleet is handed out."""
    fleet = Fleet()
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    sockets = await asyncio.gather(*(_open(url, gate) for url in urls))
    fleet.size = len(sockets)
    readers = [asyncio.create_task(fleet._listen(s)) for s in sockets]
    try:
        yield fleet
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)

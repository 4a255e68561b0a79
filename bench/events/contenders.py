"""Who produces the events: the app's own publish-in-transaction, and the two baselines.

Each ``publish`` returns (seq, t0): t0 is taken when COMMIT returns, or is None when the
server stamps it into the payload (channels alone, where publishing happens in its process).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import msgspec
from psycopg import AsyncConnection
from psycopg.sql import SQL, Identifier
from psycopg_pool import AsyncConnectionPool
from websockets.asyncio.client import ClientConnection

from bench.events.payloads import event_payload
from bench.events.receiver import Head
from bench.events.sockets import Fleet
from rhythm.db import rooms as rooms_db
from rhythm.service.rooms.events import ReadyChanged, ReadyChangedData, publish
from rhythm.store.transaction import transaction

Pool = AsyncConnectionPool[AsyncConnection[Any]]
_heads = msgspec.json.Decoder(Head)
RAW_PREFIX = "bench_raw_"  # not room_<id>: the app's listeners must not hear the raw baseline


class Producer(Protocol):
    async def publish(self, room_id: int, user_id: int) -> tuple[int, float | None]: ...


class AppProducer:
    """The service layer's own helper: ``publish`` inside ``transaction()``, then COMMIT."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def publish(self, room_id: int, user_id: int) -> tuple[int, float | None]:
        # Borrowed outside transaction(), so that t0 is read before the pool takes it back.
        async with self._pool.connection() as conn:
            async with transaction(conn):
                data = ReadyChangedData(user_id=user_id, is_ready=True)
                event = await publish(rooms_db.Queries(conn), room_id, ReadyChanged, data)
            t0 = time.monotonic()
        return event.seq, t0


class _Numbered:
    """Per-room sequence numbers for the baselines, which have no ``rooms.event_seq``."""

    def __init__(self) -> None:
        self._seqs: dict[int, int] = {}

    def next_seq(self, room_id: int) -> int:
        seq = self._seqs.get(room_id, 0) + 1
        self._seqs[room_id] = seq
        return seq


class ChannelsProducer(_Numbered):
    """Asks the channels-alone app to publish; it stamps t0 as it calls ``publish``."""

    def __init__(self, control: ClientConnection) -> None:
        super().__init__()
        self._control = control

    async def publish(self, room_id: int, user_id: int) -> tuple[int, float | None]:
        seq = self.next_seq(room_id)
        await self._control.send(f"{room_id} {seq}")
        return seq, None


class RawNotifyProducer(_Numbered):
    """``SELECT pg_notify(...)`` in a transaction of its own; t0 when COMMIT returns."""

    def __init__(self, pool: Pool) -> None:
        super().__init__()
        self._pool = pool

    async def publish(self, room_id: int, user_id: int) -> tuple[int, float | None]:
        seq = self.next_seq(room_id)
        payload = event_payload(room_id, seq, user_id=user_id).decode()
        async with self._pool.connection() as conn:
            async with conn.transaction():
                await conn.execute("SELECT pg_notify(%s, %s)", (f"{RAW_PREFIX}{room_id}", payload))
            t0 = time.monotonic()
        return seq, t0


async def _drain(conn: AsyncConnection[Any], fleet: Fleet) -> None:
    clock = time.monotonic
    with contextlib.suppress(Exception):  # the connection closes as the listener ends
        async for notify in conn.notifies():
            at = clock()
            head = _heads.decode(notify.payload)
            fleet.heard(head.room_id, head.seq, at)


@asynccontextmanager
async def raw_listener(url: str, room_ids: list[int]) -> AsyncIterator[Fleet]:
    """One psycopg connection LISTENing on every room's raw channel; a fleet of one receiver."""
    conn = await AsyncConnection.connect(url, autocommit=True)
    try:
        for room_id in room_ids:
            await conn.execute(SQL("LISTEN {}").format(Identifier(f"{RAW_PREFIX}{room_id}")))
        fleet = Fleet()
        task = asyncio.create_task(_drain(conn, fleet))
        try:
            yield fleet
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        await conn.close()

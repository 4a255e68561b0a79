"""Room events' backend: PostgreSQL LISTEN/NOTIFY, with a listener that survives a restart.

Built by the composition root, so that web never imports the driver.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import psycopg
from litestar.channels.backends.psycopg import PsycoPgChannelsBackend
from loguru import logger
from psycopg import AsyncConnection
from psycopg.sql import SQL, Identifier

_POLL_S = 0.1
_RECONNECT_DELAYS_S = (0.1, 0.25, 0.5, 1.0)


class ReconnectingPsycopgBackend(PsycoPgChannelsBackend):
    """The psycopg backend, but a lost listener connection is re-opened and re-LISTENed.

    Litestar's listener forwards the first connection error to the stream and stops for good;
    after a database restart no instance would hear events again until it is restarted.
    """

    _since: float | None = None

    def connected_since(self) -> float | None:
        """Monotonic time the listener last connected with its LISTENs; None while down."""
        return self._since if self._connected() else None

    async def on_startup(self) -> None:
        try:
            await super().on_startup()
            self._since = time.monotonic()
        except psycopg.OperationalError as exc:
            # The database is down as the app starts: serve anyway (/health/ready says 503)
            # and let the listener connect when the database comes.
            logger.warning("room event listener cannot connect yet ({}); retrying", exc)
            self._start_listener()

    async def subscribe(self, channels: Iterable[str]) -> None:
        if self._connected():
            await super().subscribe(channels)
            return
        async with self._listener_lock:
            self._subscribed_channels.update(channels)  # LISTENed when the connection comes

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        if self._connected():
            await super().unsubscribe(channels)
            return
        async with self._listener_lock:
            self._subscribed_channels.difference_update(channels)

    async def _listen(self) -> None:
        attempt = 0
        while not self._stop_listening:
            try:
                if not self._connected():
                    raise psycopg.OperationalError("no listener connection")
                async for notify in self._listener_conn.notifies(timeout=_POLL_S):
                    self._event_queue.put_nowait((notify.channel, notify.payload.encode()))
                attempt = 0
            except asyncio.CancelledError:
                raise
            except psycopg.Error as exc:
                self._since = None
                delay = _RECONNECT_DELAYS_S[min(attempt, len(_RECONNECT_DELAYS_S) - 1)]
                attempt += 1
                if attempt == 1:
                    logger.warning("room event listener lost its connection ({}); retrying", exc)
                await asyncio.sleep(delay)
                await self._reconnect()

    def _connected(self) -> bool:
        conn: AsyncConnection[Any] | None = getattr(self, "_listener_conn", None)
        return conn is not None and not conn.closed

    async def _reconnect(self) -> None:
        try:
            conn = await AsyncConnection[Any].connect(self._pg_dsn, autocommit=True)
        except psycopg.Error:
            return  # the loop tries again after its delay
        try:
            for channel in list(self._subscribed_channels):
                await conn.execute(SQL("LISTEN {}").format(Identifier(channel)))
        except psycopg.Error:
            await conn.close()
            return
        old: AsyncConnection[Any] | None = getattr(self, "_listener_conn", None)
        self._listener_conn = conn
        await self._exit_stack.enter_async_context(conn)
        if old is not None and not old.closed:
            await old.close()
        self._since = time.monotonic()
        logger.info("room event listener connected")

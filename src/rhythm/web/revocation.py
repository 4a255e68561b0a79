"""The listener half of revocation: ``rhythm_access`` notifications reach ``SessionAccess``.

It rides the room events' channels (one LISTEN connection per process). ``AccessListener``
says since when every notification reaches us, so that ``SessionAccess`` distrusts what it
read before, and everything while the connection is down. A burst beyond the subscriber's
backlog drops notices: then every remembered answer is forgotten, as none can be vouched for.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from loguru import logger

from rhythm.service.auth.revocation import ACCESS_CHANNEL, SessionAccess
from rhythm.web.subscriber import OverflowAwareSubscriber, overflow_aware


class ConnectionHealth(Protocol):
    def connected_since(self) -> float | None:
        """Monotonic time the listener connection last (re)connected with its LISTENs."""
        ...


class AccessListener:
    """``ListenerHealth`` for ``SessionAccess``: up once subscribed and while connected."""

    def __init__(self, connection: ConnectionHealth) -> None:
        self._connection = connection
        self._subscribed_at: float | None = None

    def listening_since(self) -> float | None:
        connected = self._connection.connected_since()
        if connected is None or self._subscribed_at is None:
            return None
        return max(connected, self._subscribed_at)

    def subscribed(self) -> None:
        self._subscribed_at = time.monotonic()

    def unsubscribed(self) -> None:
        self._subscribed_at = None


class RevocationFeed:
    """Forwards ``rhythm_access`` notifications to ``access`` while the app runs.

    ``start`` and ``stop`` are the app's startup and shutdown hooks: those run after the
    channels plugin has started, and before it stops.
    """

    def __init__(self, access: SessionAccess, listener: AccessListener) -> None:
        self._access = access
        self._listener = listener
        self._task: asyncio.Task[None] | None = None

    async def start(self, app: Litestar) -> None:
        subscriber = await app.plugins.get(ChannelsPlugin).subscribe([ACCESS_CHANNEL])
        self._listener.subscribed()
        self._task = asyncio.create_task(_forward(overflow_aware(subscriber), self._access))

    async def stop(self, app: Litestar) -> None:
        self._listener.unsubscribed()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _forward(subscriber: OverflowAwareSubscriber, access: SessionAccess) -> None:
    async for payload in subscriber.iter_events():
        if subscriber.take_overflow():
            logger.warning("{} notices were dropped in a burst; forgetting all", ACCESS_CHANNEL)
            access.forget_all()
        try:
            access.forget_user(int(payload))
        except ValueError:
            logger.warning("unexpected {} payload {!r}; forgetting all", ACCESS_CHANNEL, payload)
            access.forget_all()

"""A burst of notifications beyond a subscriber's backlog is never lost silently: revocation
notices then forget every remembered answer, and a room socket is closed for a resync."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import msgspec
import psycopg
import pytest
from litestar import Litestar, WebSocket
from litestar.channels import ChannelsPlugin

from rhythm.app.channels_backend import ReconnectingPsycopgBackend
from rhythm.service.auth.revocation import ACCESS_CHANNEL, SessionAccess
from rhythm.service.identity import Actor, UserRole
from rhythm.service.rooms.events import ReadyChanged, ReadyChangedData, channel_of
from rhythm.store.pool import StorePool
from rhythm.web.revocation import AccessListener, RevocationFeed
from rhythm.web.rooms.channels import SUBSCRIBER_BACKLOG, channels_plugin
from rhythm.web.rooms.socket import CLOSE_RESYNC, _forward
from rhythm.web.rooms.viewer import Viewer
from rhythm.web.subscriber import overflow_aware
from tests.integration.test_auth_db import register

BURST = 4 * SUBSCRIBER_BACKLOG


@pytest.fixture
async def channels(database_url: str) -> AsyncIterator[ChannelsPlugin]:
    async with channels_plugin(ReconnectingPsycopgBackend(database_url)) as plugin:
        yield plugin


def commit_burst(database_url: str, first_sql: str, channel: str, payloads: list[str]) -> None:
    """Commits ``first_sql`` and then ``payloads`` in one transaction. Synchronous on purpose:
    the event loop is blocked until the whole burst waits in the listener's socket, so the
    listener reads it at once, as a busy process would."""
    with psycopg.connect(database_url) as conn:
        if first_sql:
            conn.execute(first_sql)
        conn.execute("SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p", [channel, payloads])


async def until(condition: Any, timeout_s: float = 2.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_revocation_lost_in_a_burst_still_ends_the_session(
    pool: StorePool, database_url: str, channels: ChannelsPlugin
) -> None:
    session = await register(pool, "ada")
    listener = AccessListener(cast(ReconnectingPsycopgBackend, channels._backend))
    # untrusted_s=0: every remembered answer is trusted only on the listener's word.
    access = SessionAccess(pool, listener=listener, untrusted_s=0.0)
    feed = RevocationFeed(access, listener)
    app = Litestar(plugins=[channels])
    await feed.start(app)
    try:
        actor = Actor(user_id=session.user.id, role=UserRole.USER, session_id=session.session_id)
        assert await access.current(actor) == actor
        others = [str(10_000_000 + i) for i in range(BURST)]  # the disable's notice comes first
        disable = f"UPDATE users SET is_active = false WHERE id = {session.user.id}"
        commit_burst(database_url, disable, ACCESS_CHANNEL, others)

        async def refused() -> bool:
            return await access.current(actor) is None

        assert await until(refused)
    finally:
        await feed.stop(app)


class SlowSocket:
    """The two calls ``_forward`` makes on a socket; sends wait until ``reads`` is set, as
    for a client that does not read."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed: int | None = None
        self.reads = asyncio.Event()

    async def send_text(self, data: str) -> None:
        await self.reads.wait()
        self.sent.append(data)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed = code


async def test_a_room_socket_that_falls_behind_is_closed_for_a_resync(
    database_url: str, channels: ChannelsPlugin
) -> None:
    room_id = 7
    events = [
        msgspec.json.encode(
            ReadyChanged(room_id=room_id, seq=seq, data=ReadyChangedData(user_id=1, is_ready=True))
        ).decode()
        for seq in range(1, BURST + 1)
    ]
    socket = SlowSocket()
    viewer = Viewer(Actor(user_id=2, role=UserRole.USER, session_id=None), "PUBLIC", is_member=True)
    async with channels.start_subscription([channel_of(room_id)]) as subscriber:
        forward = asyncio.create_task(
            _forward(cast(WebSocket[Any, Any, Any], socket), overflow_aware(subscriber), viewer, 0)
        )
        commit_burst(database_url, "", channel_of(room_id), events)

        async def backlog_full() -> bool:
            return subscriber.qsize >= SUBSCRIBER_BACKLOG

        assert await until(backlog_full)
        socket.reads.set()
        await asyncio.wait_for(forward, 5.0)
    assert socket.closed == CLOSE_RESYNC
    assert socket.sent == events[:1]  # the event it was sending, then no gap: a resync

"""A slow or dead WebSocket client holds up no one: per-subscriber backlogs, send timeouts."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import msgspec
from litestar import WebSocket
from litestar.channels.backends.memory import MemoryChannelsBackend

from rhythm.service.identity import Actor, UserRole
from rhythm.service.rooms.events import ReadyChanged, ReadyChangedData, channel_of
from rhythm.web.rooms.channels import SUBSCRIBER_BACKLOG, channels_plugin
from rhythm.web.rooms.socket import CLOSE_POLICY, _close, _forward
from rhythm.web.rooms.viewer import Viewer
from rhythm.web.subscriber import OverflowAwareSubscriber

EVENTS = 2_000


def _event(seq: int) -> bytes:
    data = ReadyChangedData(user_id=1, is_ready=True)
    return msgspec.json.encode(ReadyChanged(room_id=1, seq=seq, data=data))


async def test_a_stalled_subscriber_does_not_slow_the_others() -> None:
    plugin = channels_plugin(MemoryChannelsBackend())
    async with plugin:
        stalled = await plugin.subscribe(channel_of(1))  # never read from
        reader = await plugin.subscribe(channel_of(1))
        seen: list[int] = []

        async def read() -> None:
            async for raw in reader.iter_events():
                seen.append(msgspec.json.decode(raw)["seq"])
                if len(seen) == EVENTS:
                    return

        started = time.monotonic()
        reading = asyncio.create_task(read())
        for seq in range(1, EVENTS + 1):
            plugin.publish(_event(seq), channel_of(1))
            if seq % 50 == 0:
                await asyncio.sleep(0.001)  # a realistic pace, still far beyond a room's
        async with asyncio.timeout(10):
            await reading
        assert seen == list(range(1, EVENTS + 1))
        assert time.monotonic() - started < 10
        # The stalled one kept only the newest events (the client sees the gap in seq).
        assert stalled.qsize <= SUBSCRIBER_BACKLOG
        await plugin.unsubscribe(stalled)
        await plugin.unsubscribe(reader)


class _StuckSocket:
    """A peer that stopped reading: sends never complete."""

    def __init__(self) -> None:
        self.closed_with: tuple[int, str] | None = None

    async def send_text(self, _: str) -> None:
        await asyncio.Event().wait()

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)


class _OneEvent:
    async def iter_events(self) -> Any:
        yield _event(1)
        await asyncio.Event().wait()

    def take_overflow(self) -> bool:
        return False


async def test_a_stuck_socket_is_closed_after_the_send_timeout() -> None:
    socket = _StuckSocket()
    started = time.monotonic()
    await _forward(
        socket,  # type: ignore[arg-type]
        _OneEvent(),  # type: ignore[arg-type]
        Viewer(Actor(user_id=1, role=UserRole.USER), "PUBLIC", is_member=True),
        after_seq=0,
        send_timeout_s=0.2,
    )
    assert time.monotonic() - started < 2
    assert socket.closed_with is not None
    assert socket.closed_with[0] == CLOSE_POLICY


class _DeadPeer(_StuckSocket):
    """A peer that stopped reading altogether: the close frame cannot go out either."""

    async def close(self, code: int, reason: str) -> None:
        await asyncio.Event().wait()


async def test_a_dead_peer_does_not_keep_its_socket_forever() -> None:
    async with asyncio.timeout(2):  # without its own bound, _close would wait forever
        await _close(cast(WebSocket[Any, Any, Any], _DeadPeer()), CLOSE_POLICY, "x", timeout_s=0.2)


class _SlowReader:
    """A peer that reads, each send taking ``delay_s``."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.sent = 0
        self.closed_with: tuple[int, str] | None = None

    async def send_text(self, _: str) -> None:
        await asyncio.sleep(self.delay_s)
        self.sent += 1

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)


class _PacedEvents:
    def __init__(self, count: int, gap_s: float) -> None:
        self.count, self.gap_s = count, gap_s

    async def iter_events(self) -> Any:
        for seq in range(1, self.count + 1):
            await asyncio.sleep(self.gap_s)
            yield _event(seq)

    def take_overflow(self) -> bool:
        return False


async def test_a_socket_that_keeps_up_is_never_timed_out() -> None:
    # Every send is under the limit, the whole stream lasts many limits, idle gaps included.
    socket = _SlowReader(delay_s=0.05)
    await _forward(
        cast(WebSocket[Any, Any, Any], socket),
        cast(OverflowAwareSubscriber, _PacedEvents(count=12, gap_s=0.1)),
        Viewer(Actor(user_id=1, role=UserRole.USER), "PUBLIC", is_member=True),
        after_seq=0,
        send_timeout_s=0.2,
    )
    assert socket.closed_with is None
    assert socket.sent == 12

"""Baseline: Litestar channels alone, on its in-memory backend, in one process.

A socket route forwards a room's channel to the client as the app's socket does (same plugin
settings, same server); a control socket publishes in-process: each text message
"<room id> <seq>" becomes one event, stamped with ``t0`` (CLOCK_MONOTONIC, the clock every
process on the machine shares) just before ``ChannelsPlugin.publish``. No database, no auth.

Run (the bench starts it): RHYTHM_PORT=... python -m bench.events.channels_app
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from litestar import Litestar, WebSocket, websocket
from litestar.channels import ChannelsPlugin, Subscriber
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from bench.common.bare import bare_litestar, serve
from bench.events.payloads import event_payload
from rhythm.service.rooms.events import channel_of
from rhythm.web.rooms.channels import channels_plugin


@websocket("/rooms/{room_id:int}/events")
async def room_events(
    socket: WebSocket[Any, Any, Any], room_id: int, channels: NamedDependency[ChannelsPlugin]
) -> None:
    await socket.accept()
    async with channels.start_subscription([channel_of(room_id)]) as subscriber:
        await socket.send_text('{"type":"snapshot"}')
        forward = asyncio.create_task(_forward(socket, subscriber))
        with contextlib.suppress(WebSocketDisconnect):
            await socket.receive_text()  # nothing comes but the close
        forward.cancel()
        await asyncio.gather(forward, return_exceptions=True)


async def _forward(socket: WebSocket[Any, Any, Any], subscriber: Subscriber) -> None:
    async for raw in subscriber.iter_events():
        await socket.send_text(raw.decode())


@websocket("/publish")
async def publish(
    socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin]
) -> None:
    await socket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            room, seq = map(int, (await socket.receive_text()).split())
            channels.publish(event_payload(room, seq, t0=time.monotonic()), channel_of(room))


def create_app() -> Litestar:
    return bare_litestar([room_events, publish], plugins=[channels_plugin(MemoryChannelsBackend())])


if __name__ == "__main__":
    serve(create_app())

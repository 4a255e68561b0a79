"""``/api/v1/rooms/{id}/events``: a snapshot, then the room's events, over a WebSocket.

Who may listen: any signed-in user for a public room; members and staff for a private one
(the rule of ``GET /rooms/{id}``, ``may_view``), and only while it holds: a socket whose user
may no longer view the room (it turned private, they left it or were kicked) is closed with
4403 before the event that took the right away; one whose session ends (logout, disabled or
deleted account) is closed with 4401 within the bound a request has, and so is one whose
access token expires, at its expiry. Events come from PostgreSQL NOTIFY through Litestar
channels, so a socket on any instance sees the changes made on every instance.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Iterator
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath
from loguru import logger

from rhythm.service.auth.revocation import SessionAccess
from rhythm.service.errors import NotFoundError
from rhythm.service.identity import Actor
from rhythm.service.rooms.events import EventType, channel_of
from rhythm.service.rooms.model import RoomStatus
from rhythm.service.rooms.service import RoomsService
from rhythm.web.rooms.schemas import RoomOut, SnapshotMessage
from rhythm.web.rooms.send_watch import SendWatch
from rhythm.web.rooms.viewer import Viewer
from rhythm.web.security import WS_UNAUTHORIZED, current_actor
from rhythm.web.subscriber import OverflowAwareSubscriber, overflow_aware

# A client that cannot take a message within this long is dropped, so it holds up no one.
SEND_TIMEOUT_S = 5.0
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_NOT_FOUND = 4404
CLOSE_NOT_ALLOWED = 4403  # kicked, or no longer allowed to view the room
CLOSE_RESYNC = 4409  # events were dropped for this socket: reconnect for a fresh snapshot
CLOSE_TOO_MANY = 4429  # the account has MAX_SOCKETS_PER_USER open on this instance already
# Tabs and devices of one player; each socket holds a subscription, a task set and a file
# descriptor, so one account must not be able to open them without end.
MAX_SOCKETS_PER_USER = 10
# Clients send nothing the socket needs (it reads only to notice a close), so the server
# refuses a larger frame (close 1009) instead of buffering up to its default of 16 MiB.
MAX_CLIENT_FRAME_BYTES = 4 * 1024
_NOT_ALLOWED = "no longer allowed to view this room"


class _EventHead(msgspec.Struct):
    """The part of an event the socket needs to read; the rest is passed through as is."""

    type: EventType
    seq: int
    data: dict[str, Any]


_heads = msgspec.json.Decoder(_EventHead)
_encoder = msgspec.json.Encoder()


class OpenSockets:
    """The room sockets of this instance: a shutdown closes them with 1001, and each one lasts
    only while its session does (asked every ``recheck_s``, as often as a request's answer may
    be reused). An account has at most ``max_per_user`` of them open here at once."""

    def __init__(
        self,
        access: SessionAccess,
        recheck_s: float = 1.0,
        max_per_user: int = MAX_SOCKETS_PER_USER,
    ) -> None:
        self._sockets: set[WebSocket[Any, Any, Any]] = set()
        self._per_user: collections.Counter[int] = collections.Counter()
        self._access = access
        self._recheck_s = recheck_s
        self._max_per_user = max_per_user

    def __len__(self) -> int:
        return len(self._sockets)

    def full(self, user_id: int) -> bool:
        """True when ``user_id`` may open no more sockets; ask right before ``track``, with no
        ``await`` between the two, so that no other socket of the user slips in."""
        return self._per_user[user_id] >= self._max_per_user

    @contextlib.contextmanager
    def track(self, socket: WebSocket[Any, Any, Any], user_id: int) -> Iterator[None]:
        self._sockets.add(socket)
        self._per_user[user_id] += 1
        try:
            yield
        finally:
            self._sockets.discard(socket)
            self._per_user[user_id] -= 1
            if not self._per_user[user_id]:
                del self._per_user[user_id]

    async def until_refused(self, viewer: Viewer) -> int:
        """The close code once ``viewer`` may no longer watch: 4401 when the session ended or
        the account is disabled or gone, 4403 when a role change took the right to view the
        room away (staff following a private room they are not in). The answers are the
        per-process ones requests use, so this costs a dictionary lookup per socket and tick,
        and a query only when an answer is forgotten."""
        while True:
            await asyncio.sleep(self._recheck_s)
            current = await self._access.current(viewer.actor)
            if current is None:
                return WS_UNAUTHORIZED
            viewer.actor = current
            if not viewer.allowed:
                return CLOSE_NOT_ALLOWED

    async def close_all(self) -> None:
        await asyncio.gather(
            *(_close(s, CLOSE_GOING_AWAY, "server shutting down") for s in list(self._sockets))
        )


@websocket("/api/v1/rooms/{room_id:int}/events", name="roomEvents")
async def room_events(
    socket: WebSocket[Any, Any, Any],
    room_id: FromPath[int],
    channels: NamedDependency[ChannelsPlugin],
    rooms: NamedDependency[RoomsService],
    sockets: NamedDependency[OpenSockets],
) -> None:
    actor = current_actor(socket)
    await socket.accept()  # first, so that a browser sees the close code below
    try:
        await rooms.view(actor, room_id)
    except NotFoundError:
        await socket.close(code=CLOSE_NOT_FOUND, reason="no such room")
        return
    if sockets.full(actor.user_id):
        reason = "too many room sockets open for this account: close one first"
        await socket.close(code=CLOSE_TOO_MANY, reason=reason)
        return
    with sockets.track(socket, actor.user_id):
        await _serve(socket, actor, room_id, channels, rooms, sockets)


async def _serve(
    socket: WebSocket[Any, Any, Any],
    actor: Actor,
    room_id: int,
    channels: ChannelsPlugin,
    rooms: RoomsService,
    sockets: OpenSockets,
) -> None:
    async with channels.start_subscription([channel_of(room_id)]) as subscriber:
        # Subscribed first, snapshot second: nothing falls between the two, and events already
        # in the snapshot (seq <= snapshot seq) are skipped below.
        view = await rooms.view(actor, room_id)
        snapshot = SnapshotMessage(seq=view.room.event_seq, room=RoomOut.of_view(view))
        await socket.send_text(_encoder.encode(snapshot).decode())
        if view.room.status == RoomStatus.CLOSED:
            await socket.close(code=CLOSE_NORMAL, reason="room closed")
            return
        viewer = Viewer.of_view(actor, view)
        await _pump(socket, overflow_aware(subscriber), viewer, snapshot.seq, sockets)


async def _pump(
    socket: WebSocket[Any, Any, Any],
    subscriber: OverflowAwareSubscriber,
    viewer: Viewer,
    after_seq: int,
    sockets: OpenSockets,
) -> None:
    """Forward events until the room closes, the client leaves or is too slow, the user may
    no longer view the room, or the session or the access token ends."""
    forward = asyncio.create_task(_forward(socket, subscriber, viewer, after_seq))
    watch = asyncio.create_task(_until_disconnected(socket))
    refused = asyncio.create_task(sockets.until_refused(viewer))
    expired = asyncio.create_task(_until_expired(viewer.actor))
    done, pending = await asyncio.wait(
        {forward, watch, refused, expired}, return_when=asyncio.FIRST_COMPLETED
    )
    if expired in done:
        await _close(socket, WS_UNAUTHORIZED, "token expired: reconnect with a fresh token")
    elif refused in done:
        # Fail closed, as a request would: a session that cannot be checked ends the socket.
        if refused.exception() is not None:
            await _close(socket, CLOSE_TRY_AGAIN_LATER, "cannot check the session now")
        elif refused.result() == WS_UNAUTHORIZED:
            await _close(socket, WS_UNAUTHORIZED, "session ended")
        else:
            await _close(socket, CLOSE_NOT_ALLOWED, _NOT_ALLOWED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await task
    for task in done:
        if (exc := task.exception()) is not None and not isinstance(exc, WebSocketDisconnect):
            logger.opt(exception=exc).warning("room socket ended with an error")


async def _forward(
    socket: WebSocket[Any, Any, Any],
    subscriber: OverflowAwareSubscriber,
    viewer: Viewer,
    after_seq: int,
    send_timeout_s: float = SEND_TIMEOUT_S,
) -> None:
    watch = SendWatch(send_timeout_s)
    try:
        async for raw in subscriber.iter_events():
            if subscriber.take_overflow():
                await _close(socket, CLOSE_RESYNC, "events were dropped; reconnect to resync")
                return
            head = _heads.decode(raw)
            if head.seq <= after_seq:
                continue
            kicked = (
                head.type is EventType.MEMBER_KICKED
                and head.data.get("user_id") == viewer.actor.user_id
            )
            viewer.apply(head.type, head.data)
            if not (kicked or viewer.allowed):
                # Not even this event: it is the change that took the right to view away.
                await _close(socket, CLOSE_NOT_ALLOWED, _NOT_ALLOWED)
                return
            if not await _send(socket, raw, watch):
                await _close(socket, CLOSE_POLICY, "too slow to receive events")
                return
            if head.type is EventType.ROOM_CLOSED:
                await _close(socket, CLOSE_NORMAL, "room closed")
                return
            if kicked:
                await _close(socket, CLOSE_NOT_ALLOWED, "kicked from the room")
                return
    finally:
        watch.stop()


async def _send(socket: WebSocket[Any, Any, Any], raw: bytes, watch: SendWatch) -> bool:
    """Sends ``raw``; False when the client did not take it within the watch's limit."""
    watch.sending()
    try:
        await socket.send_text(raw.decode())
    except asyncio.CancelledError:
        if not watch.fired:
            raise
        task = asyncio.current_task()
        assert task is not None
        task.uncancel()
        return False
    watch.sent()
    return True


async def _until_expired(actor: Actor) -> None:
    """Returns when the access token the socket was opened with expires (never without one)."""
    if actor.token_expires is None:
        await asyncio.Event().wait()
        return
    await asyncio.sleep(max(0.0, actor.token_expires - time.time()))


async def _until_disconnected(socket: WebSocket[Any, Any, Any]) -> None:
    # Clients send nothing we need; reading is how a close frame or a dropped peer is noticed.
    while True:
        await socket.receive_data(mode="text")


async def _close(
    socket: WebSocket[Any, Any, Any], code: int, reason: str, timeout_s: float = SEND_TIMEOUT_S
) -> None:
    # A client that stopped reading cannot take a close frame either: give up after a while,
    # and the server drops the connection once the handler returns.
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout_s):
            await socket.close(code=code, reason=reason)

"""Room events: numbered per room, published with NOTIFY inside the change's transaction."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

from generated import rooms as rooms_db

CHANNEL_PREFIX = "room_"


class EventType(StrEnum):
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"
    READY_CHANGED = "ready_changed"
    HOST_CHANGED = "host_changed"
    SETTINGS_CHANGED = "settings_changed"
    MATCH_STARTED = "match_started"
    MATCH_FINISHED = "match_finished"
    MEMBER_KICKED = "member_kicked"
    ROOM_CLOSED = "room_closed"


class RoomEvent(msgspec.Struct, kw_only=True):
    """One event as clients receive it; ``seq`` grows by one per event of the room."""

    type: EventType
    room_id: int
    seq: int
    data: dict[str, Any]


_encoder = msgspec.json.Encoder()


def channel_of(room_id: int) -> str:
    return f"{CHANNEL_PREFIX}{room_id}"


async def publish(
    queries: rooms_db.Querier, room_id: int, kind: EventType, **data: Any
) -> RoomEvent:
    """Number the event and NOTIFY it; the caller's transaction decides whether it happened.

    The room row is locked by the caller, so sequence numbers follow commit order.
    """
    seq = await queries.next_event_seq(id=room_id)
    assert seq is not None  # the caller holds the room's row lock: the room exists
    event = RoomEvent(type=kind, room_id=room_id, seq=seq, data=data)
    await queries.notify_room(channel=channel_of(room_id), payload=_encoder.encode(event).decode())
    return event

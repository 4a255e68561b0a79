"""Room events: typed, numbered per room, published with NOTIFY inside the change's transaction.

Each event is ``{"type": ..., "room_id": ..., "seq": ..., "data": {...}}``; ``data`` has one
Struct per type, so clients (and the OpenAPI document) know every payload.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any, Generic, TypeAlias, TypeVar

import msgspec

from rhythm.db import rooms as rooms_db
from rhythm.service.rooms.model import Difficulty, RoomVisibility

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


class MemberJoinedData(msgspec.Struct, kw_only=True):
    user_id: int
    display_name: str
    joined_at: datetime.datetime


class MemberLeftData(msgspec.Struct, kw_only=True):
    user_id: int


class ReadyChangedData(msgspec.Struct, kw_only=True):
    user_id: int
    is_ready: bool


class HostChangedData(msgspec.Struct, kw_only=True):
    host_id: int


class SettingsChangedData(msgspec.Struct, kw_only=True):
    name: str
    song_id: str | None
    difficulty: Difficulty | None
    max_players: int
    visibility: RoomVisibility


class MemberKickedData(msgspec.Struct, kw_only=True):
    user_id: int
    by: int  # who kicked: the host or a moderator


class NoData(msgspec.Struct):
    """Events that say everything with their type."""


D = TypeVar("D", bound=msgspec.Struct)


class _Event(msgspec.Struct, Generic[D], kw_only=True, tag_field="type"):
    room_id: int
    seq: int  # grows by one per event of the room
    data: D


class MemberJoined(_Event[MemberJoinedData], tag=EventType.MEMBER_JOINED.value):
    pass


class MemberLeft(_Event[MemberLeftData], tag=EventType.MEMBER_LEFT.value):
    pass


class ReadyChanged(_Event[ReadyChangedData], tag=EventType.READY_CHANGED.value):
    pass


class HostChanged(_Event[HostChangedData], tag=EventType.HOST_CHANGED.value):
    pass


class SettingsChanged(_Event[SettingsChangedData], tag=EventType.SETTINGS_CHANGED.value):
    pass


class MatchStarted(_Event[NoData], tag=EventType.MATCH_STARTED.value):
    pass


class MatchFinished(_Event[NoData], tag=EventType.MATCH_FINISHED.value):
    pass


class MemberKicked(_Event[MemberKickedData], tag=EventType.MEMBER_KICKED.value):
    pass


class RoomClosed(_Event[NoData], tag=EventType.ROOM_CLOSED.value):
    pass


RoomEvent: TypeAlias = (
    MemberJoined
    | MemberLeft
    | ReadyChanged
    | HostChanged
    | SettingsChanged
    | MatchStarted
    | MatchFinished
    | MemberKicked
    | RoomClosed
)
EVENT_CLASSES: tuple[type[_Event[Any]], ...] = (
    MemberJoined,
    MemberLeft,
    ReadyChanged,
    HostChanged,
    SettingsChanged,
    MatchStarted,
    MatchFinished,
    MemberKicked,
    RoomClosed,
)

_encoder = msgspec.json.Encoder()


def channel_of(room_id: int) -> str:
    return f"{CHANNEL_PREFIX}{room_id}"


async def publish(
    queries: rooms_db.Querier, room_id: int, kind: type[_Event[D]], data: D
) -> _Event[D]:
    """Number the event and NOTIFY it; the caller's transaction decides whether it happened.

    The room row is locked by the caller, so sequence numbers follow commit order.
    """
    seq = await queries.next_event_seq(id=room_id)
    assert seq is not None  # the caller holds the room's row lock: the room exists
    event = kind(room_id=room_id, seq=seq, data=data)
    await queries.notify_room(channel=channel_of(room_id), payload=_encoder.encode(event).decode())
    return event

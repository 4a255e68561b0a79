"""API shapes of rooms: requests with the limits the server enforces, and responses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import msgspec

from rhythm.service.rooms.model import (
    MAX_PLAYERS,
    MIN_PLAYERS,
    Difficulty,
    Member,
    Room,
    RoomStatus,
    RoomVisibility,
)
from rhythm.service.rooms.service import RoomView
from rhythm.web.fields import NO_NUL, NON_BLANK, Strict
from rhythm.web.paging import Cursor

RoomName = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=64, pattern=NON_BLANK, examples=["Friday night"]),
]
MaxPlayers = Annotated[
    int, msgspec.Meta(ge=MIN_PLAYERS, le=MAX_PLAYERS, description="Seats, the host included")
]
SongId = Annotated[
    str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL, examples=["neon-tide"])
]
InviteCode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]


class CreateRoomRequest(Strict):
    name: RoomName
    max_players: MaxPlayers = 8
    visibility: RoomVisibility = RoomVisibility.PUBLIC
    song_id: SongId | None = None
    difficulty: Difficulty | None = None


class JoinRoomRequest(Strict):
    invite_code: InviteCode | None = None


class UpdateRoomRequest(Strict):
    """Only the fields present change; ``song_id: null`` clears the song."""

    name: RoomName | None = None
    max_players: MaxPlayers | None = None
    visibility: RoomVisibility | None = None
    song_id: SongId | msgspec.UnsetType | None = msgspec.UNSET
    difficulty: Difficulty | None = None


class MemberOut(msgspec.Struct, kw_only=True):
    user_id: int
    display_name: str
    is_ready: bool
    joined_at: datetime

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(
            user_id=member.user_id,
            display_name=member.display_name,
            is_ready=member.is_ready,
            joined_at=member.joined_at,
        )


class RoomSummaryOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    host_id: int
    status: RoomStatus
    visibility: RoomVisibility
    max_players: int
    member_count: int
    song_id: str | None
    difficulty: Difficulty | None
    created_at: datetime

    @classmethod
    def many(cls, rooms: Sequence[Room]) -> list[RoomSummaryOut]:
        # One conversion in C, reading only the declared attributes.
        return msgspec.convert(rooms, list[RoomSummaryOut], from_attributes=True)


class RoomOut(RoomSummaryOut, kw_only=True):
    members: list[MemberOut]
    invite_code: str | None  # shown to members and staff only
    event_seq: int  # seq of the room's latest event
    closed_at: datetime | None

    @classmethod
    def of_view(cls, view: RoomView) -> RoomOut:
        room = view.room
        return cls(
            **_summary_fields(room),
            members=[MemberOut.of(m) for m in view.members],
            invite_code=room.invite_code if view.show_invite_code else None,
            event_seq=room.event_seq,
            closed_at=room.closed_at,
        )


def _summary_fields(room: Room) -> dict[str, Any]:
    # Only what the summary declares is copied: a column added to the table stays private
    # until a response Struct names it.
    return {name: getattr(room, name) for name in RoomSummaryOut.__struct_fields__}


class RoomPageOut(msgspec.Struct, kw_only=True):
    items: list[RoomSummaryOut]
    next: Cursor


class SnapshotMessage(msgspec.Struct, kw_only=True, tag="snapshot", tag_field="type"):
    """First WebSocket message: the room as of ``seq``; later events have larger seqs."""

    seq: int
    room: RoomOut

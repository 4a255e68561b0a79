"""``/api/v1/rooms``: the lobby, membership, readiness, matches."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from rhythm.service.paging import DEFAULT_PAGE_SIZE
from rhythm.service.rooms.service import NewRoom, RoomsService, SettingsChange
from rhythm.web.fields import NO_NUL
from rhythm.web.paging import next_cursor, parse_cursor
from rhythm.web.params import AnyRequest, PageCursor, PageLimit, RoomId, UserId
from rhythm.web.problems import responses
from rhythm.web.rooms.schemas import (
    CreateRoomRequest,
    JoinRoomRequest,
    RoomOut,
    RoomPageOut,
    RoomSummaryOut,
    UpdateRoomRequest,
)
from rhythm.web.security import current_actor

Rooms = NamedDependency[RoomsService]


class RoomsController(Controller):
    path = "/api/v1/rooms"
    tags = ["rooms"]  # noqa: RUF012

    @post(
        "/",
        operation_id="createRoom",
        summary="Create a room; the caller joins it as host",
        status_code=HTTP_201_CREATED,
        responses=responses(400, 401, 409, 422),
    )
    async def create(
        self, data: JSONBody[CreateRoomRequest], request: AnyRequest, rooms: Rooms
    ) -> RoomOut:
        new = NewRoom(
            name=data.name,
            max_players=data.max_players,
            visibility=data.visibility,
            song_id=data.song_id,
            difficulty=data.difficulty,
        )
        return RoomOut.of_view(await rooms.create(current_actor(request), new))

    @get(
        "/",
        operation_id="listRooms",
        summary="Open public rooms, a page at a time",
        responses=responses(400, 401),
    )
    async def lobby(
        self,
        rooms: Rooms,
        # Litestar does not apply SongId's msgspec.Meta to a query parameter: state it here.
        song_id: Annotated[
            str | None,
            QueryParameter(
                min_length=1, max_length=128, pattern=NO_NUL, description="Only rooms of this song"
            ),
        ] = None,
        free_seats: Annotated[
            bool, QueryParameter(description="Only rooms with a free seat")
        ] = False,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> RoomPageOut:
        page = await rooms.lobby(
            after=parse_cursor(cursor), limit=limit, song_id=song_id, free_seats_only=free_seats
        )
        return RoomPageOut(items=RoomSummaryOut.many(page.items), next=next_cursor(page.next_after))

    @get(
        "/{room_id:int}",
        operation_id="getRoom",
        summary="A room with its members (private rooms: members and staff only)",
        responses=responses(401, 404),
    )
    async def get_room(self, room_id: RoomId, request: AnyRequest, rooms: Rooms) -> RoomOut:
        return RoomOut.of_view(await rooms.view(current_actor(request), room_id))

    @post(
        "/{room_id:int}/join",
        operation_id="joinRoom",
        summary="Take a seat (private rooms need their invite code)",
        description="409 when the room is full, in a match or closed, or the caller is already "
        "in a room.",
        status_code=HTTP_200_OK,
        responses=responses(400, 401, 403, 404, 409),
    )
    async def join(
        self,
        room_id: RoomId,
        request: AnyRequest,
        rooms: Rooms,
        data: JSONBody[JoinRoomRequest | None] = None,
    ) -> RoomOut:
        code = data.invite_code if data is not None else None
        return RoomOut.of_view(await rooms.join(current_actor(request), room_id, code))

    @post(
        "/{room_id:int}/leave",
        operation_id="leaveRoom",
        summary="Leave; the host hands over to the longest-present member, the last closes it",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(401, 404),
    )
    async def leave(self, room_id: RoomId, request: AnyRequest, rooms: Rooms) -> None:
        await rooms.leave(current_actor(request), room_id)

    @post(
        "/{room_id:int}/ready",
        operation_id="setReady",
        summary="Mark yourself ready",
        status_code=HTTP_200_OK,
        responses=responses(401, 403, 404, 409),
    )
    async def ready(self, room_id: RoomId, request: AnyRequest, rooms: Rooms) -> RoomOut:
        return RoomOut.of_view(await rooms.set_ready(current_actor(request), room_id, ready=True))

    @post(
        "/{room_id:int}/unready",
        operation_id="setUnready",
        summary="Mark yourself not ready",
        status_code=HTTP_200_OK,
        responses=responses(401, 403, 404, 409),
    )
    async def unready(self, room_id: RoomId, request: AnyRequest, rooms: Rooms) -> RoomOut:
        view = await rooms.set_ready(current_actor(request), room_id, ready=False)
        return RoomOut.of_view(view)

    @patch(
        "/{room_id:int}",
        operation_id="updateRoom",
        summary="Change song, difficulty, seats or visibility (host)",
        responses=responses(400, 401, 403, 404, 409, 422),
    )
    async def update(
        self,
        room_id: RoomId,
        data: JSONBody[UpdateRoomRequest],
        request: AnyRequest,
        rooms: Rooms,
    ) -> RoomOut:
        clear_song = data.song_id is None
        change = SettingsChange(
            name=data.name,
            max_players=data.max_players,
            visibility=data.visibility,
            song_id=None if isinstance(data.song_id, msgspec.UnsetType) else data.song_id,
            difficulty=data.difficulty,
            clear_song=clear_song,
        )
        return RoomOut.of_view(await rooms.change_settings(current_actor(request), room_id, change))

    @post(
        "/{room_id:int}/kick/{user_id:int}",
        operation_id="kickMember",
        summary="Remove a member (host, moderator or admin)",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(401, 403, 404, 422),
    )
    async def kick(
        self, room_id: RoomId, user_id: UserId, request: AnyRequest, rooms: Rooms
    ) -> None:
        await rooms.kick(current_actor(request), room_id, user_id)

    @post(
        "/{room_id:int}/start",
        operation_id="startMatch",
        summary="Start the match (host; at least 2 members, all ready)",
        status_code=HTTP_200_OK,
        responses=responses(401, 403, 404, 409),
    )
    async def start(self, room_id: RoomId, request: AnyRequest, rooms: Rooms) -> RoomOut:
        return RoomOut.of_view(await rooms.start_match(current_actor(request), room_id))

    @post(
        "/{room_id:int}/finish",
        operation_id="finishMatch",
        summary="End the match: the room opens again, ready flags cleared",
        status_code=HTTP_200_OK,
        responses=responses(401, 403, 404, 409),
    )
    async def finish(self, room_id: RoomId, request: AnyRequest, rooms: Rooms) -> RoomOut:
        return RoomOut.of_view(await rooms.finish_match(current_actor(request), room_id))

    @delete(
        "/{room_id:int}",
        operation_id="closeRoom",
        summary="Close the room (host, moderator or admin); its sockets are closed",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(401, 403, 404, 409),
    )
    async def close(self, room_id: RoomId, request: AnyRequest, rooms: Rooms) -> None:
        await rooms.close(current_actor(request), room_id)

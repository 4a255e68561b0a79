"""Rooms: lobby, membership, readiness, matches; every change is one transaction with its events.

Each change locks the room's row first (``LockRoom``), so checks made in Python on that row
(capacity, host, status) cannot race with another change to the same room.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic

from rhythm.db import rooms as rooms_db
from rhythm.db import users as users_db
from rhythm.service.database import BEGIN, DB, ROOMS, USERS, Begin
from rhythm.service.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError
from rhythm.service.identity import Actor
from rhythm.service.paging import Page, keyset_page, page_size
from rhythm.service.rooms.events import (
    HostChanged,
    HostChangedData,
    MatchFinished,
    MatchStarted,
    MemberJoined,
    MemberJoinedData,
    MemberKicked,
    MemberKickedData,
    MemberLeft,
    MemberLeftData,
    NoData,
    ReadyChanged,
    ReadyChangedData,
    RoomClosed,
    SettingsChanged,
    SettingsChangedData,
    publish,
)
from rhythm.service.rooms.model import (
    Difficulty,
    Member,
    Room,
    RoomVisibility,
    check_max_players,
    may_view,
)
from rhythm.store.errors import UniqueViolationError

# Inside this module rooms are the generated rows; outside, the Protocols of room_model.
_Row = rooms_db.Room
_OPEN = rooms_db.RoomStatus.OPEN
_IN_MATCH = rooms_db.RoomStatus.IN_MATCH
_CLOSED = rooms_db.RoomStatus.CLOSED
_PRIVATE = rooms_db.RoomVisibility.PRIVATE
_ONE_ROOM_PER_USER = "room_members_one_room_per_user"


@dataclass(frozen=True, slots=True)
class RoomView:
    """A room with its members, as the caller may see it (no invite code for outsiders)."""

    room: Room
    members: Sequence[Member]
    show_invite_code: bool


@dataclass(frozen=True, slots=True)
class NewRoom:
    name: str
    max_players: int
    visibility: RoomVisibility = RoomVisibility.PUBLIC
    song_id: str | None = None
    difficulty: Difficulty | None = None


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """Fields to change; None means "leave as it is" (``clear_song`` empties the song)."""

    name: str | None = None
    max_players: int | None = None
    visibility: RoomVisibility | None = None
    song_id: str | None = None
    difficulty: Difficulty | None = None
    clear_song: bool = False


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


class RoomsService(Generic[DB]):
    def __init__(
        self,
        db: DB,
        *,
        rooms: Callable[[DB], rooms_db.Querier] = ROOMS,
        begin: Begin[DB] = BEGIN,
        invite_codes: Callable[[], str] = new_invite_code,
        verified_email: bool = False,
        users: Callable[[DB], users_db.Querier] = USERS,
    ) -> None:
        """``verified_email``: only accounts whose address is verified create or join rooms."""
        self._db = db
        self._rooms = rooms
        self._begin = begin
        self._invite_codes = invite_codes
        self._verified_email = verified_email
        self._users = users

    # Reads -----------------------------------------------------------------------------------

    async def lobby(
        self, *, after: int, limit: int, song_id: str | None, free_seats_only: bool
    ) -> Page[Room]:
        size = page_size(limit)
        rows = await self._rooms(self._db).list_lobby(
            after_id=after, song_id=song_id, free_seats_only=free_seats_only, page_size=size + 1
        )
        return keyset_page(rows, size)

    async def view(self, actor: Actor, room_id: int) -> RoomView:
        """The room and its members; private rooms exist only for their members and staff."""
        queries = self._rooms(self._db)
        room = await queries.get_room(id=room_id)
        if room is None:
            raise NotFoundError(f"room {room_id} does not exist")
        members = await queries.list_members(room_id=room_id)
        is_member = any(m.user_id == actor.user_id for m in members)
        if not may_view(actor, room.visibility, is_member=is_member):
            raise NotFoundError(f"room {room_id} does not exist")
        return RoomView(room, members, show_invite_code=is_member or actor.is_staff)

    # Changes ---------------------------------------------------------------------------------

    async def create(self, actor: Actor, new: NewRoom) -> RoomView:
        check_max_players(new.max_players)
        private = new.visibility is RoomVisibility.PRIVATE
        try:
            async with self._begin(self._db) as conn:
                await self._require_verified(conn, actor)
                queries = self._rooms(conn)
                room = await queries.create_room(
                    rooms_db.CreateRoomParams(
                        name=new.name.strip(),
                        host_id=actor.user_id,
                        visibility=rooms_db.RoomVisibility(new.visibility),
                        invite_code=self._invite_codes() if private else None,
                        max_players=new.max_players,
                        song_id=new.song_id,
                        difficulty=_db_difficulty(new.difficulty),
                    )
                )
                assert room is not None  # INSERT ... RETURNING
                await queries.add_member(room_id=room.id, user_id=actor.user_id)
                await queries.set_member_count(id=room.id, member_count=1)
                room = await queries.get_room(id=room.id)
                assert room is not None
                members = await queries.list_members(room_id=room.id)
        except UniqueViolationError as exc:
            raise _already_in_a_room(exc) from exc
        return RoomView(room, members, show_invite_code=True)

    async def join(self, actor: Actor, room_id: int, invite_code: str | None) -> RoomView:
        try:
            async with self._begin(self._db) as conn:
                await self._require_verified(conn, actor)
                queries = self._rooms(conn)
                room = await self._lock(queries, room_id)
                if room.visibility is _PRIVATE and not secrets.compare_digest(
                    (invite_code or "").encode(), (room.invite_code or "").encode()
                ):
                    _refuse_without_code(actor, room_id)
                _require_open(room)
                if room.member_count >= room.max_players:
                    raise ConflictError("the room is full")
                await queries.add_member(room_id=room_id, user_id=actor.user_id)
                await queries.set_member_count(id=room_id, member_count=room.member_count + 1)
                members = await queries.list_members(room_id=room_id)
                joined = next(m for m in members if m.user_id == actor.user_id)
                data = MemberJoinedData(
                    user_id=actor.user_id,
                    display_name=joined.display_name,
                    joined_at=joined.joined_at,
                )
                await publish(queries, room_id, MemberJoined, data)
                joined_room = await queries.get_room(id=room_id)
                assert joined_room is not None
        except UniqueViolationError as exc:
            raise _already_in_a_room(exc) from exc
        return RoomView(joined_room, members, show_invite_code=True)

    async def leave(self, actor: Actor, room_id: int) -> None:
        async with self._begin(self._db) as conn:
            queries = self._rooms(conn)
            room = await self._lock(queries, room_id)
            await self._remove(queries, room, actor.user_id)

    async def kick(self, actor: Actor, room_id: int, user_id: int) -> None:
        async with self._begin(self._db) as conn:
            queries = self._rooms(conn)
            room = await self._lock(queries, room_id)
            _require_host_or_staff(actor, room, "kick")
            if user_id == actor.user_id:
                raise RuleViolationError("to leave the room, use leave")
            await self._remove(queries, room, user_id, kicked_by=actor.user_id)

    async def set_ready(self, actor: Actor, room_id: int, *, ready: bool) -> RoomView:
        async with self._begin(self._db) as conn:
            queries = self._rooms(conn)
            room = await self._lock(queries, room_id)
            _require_open(room)
            changed = await queries.set_ready(
                room_id=room_id, user_id=actor.user_id, is_ready=ready
            )
            if changed == 0:
                raise ForbiddenError("you are not a member of this room")
            data = ReadyChangedData(user_id=actor.user_id, is_ready=ready)
            await publish(queries, room_id, ReadyChanged, data)
            return await self._view_in(queries, room_id)

    async def change_settings(self, actor: Actor, room_id: int, change: SettingsChange) -> RoomView:
        async with self._begin(self._db) as conn:
            queries = self._rooms(conn)
            room = await self._lock(queries, room_id)
            self._require_host(actor, room)
            _require_open(room)
            max_players = room.max_players if change.max_players is None else change.max_players
            check_max_players(max_players)
            if max_players < room.member_count:
                raise ConflictError(
                    f"max_players {max_players} is below the {room.member_count} members present"
                )
            visibility = rooms_db.RoomVisibility(change.visibility or room.visibility)
            invite_code = room.invite_code
            if visibility is rooms_db.RoomVisibility.PUBLIC:
                invite_code = None
            elif invite_code is None:
                invite_code = self._invite_codes()
            updated = await queries.update_room_settings(
                rooms_db.UpdateRoomSettingsParams(
                    id=room_id,
                    name=(change.name or room.name).strip(),
                    song_id=None if change.clear_song else (change.song_id or room.song_id),
                    difficulty=_db_difficulty(change.difficulty) or room.difficulty,
                    max_players=max_players,
                    visibility=visibility,
                    invite_code=invite_code,
                )
            )
            assert updated is not None
            settings = SettingsChangedData(
                name=updated.name,
                song_id=updated.song_id,
                difficulty=None if updated.difficulty is None else Difficulty(updated.difficulty),
                max_players=updated.max_players,
                visibility=RoomVisibility(updated.visibility),
            )
            await publish(queries, room_id, SettingsChanged, settings)
            return await self._view_in(queries, room_id)

    async def start_match(self, actor: Actor, room_id: int) -> RoomView:
        async with self._begin(self._db) as conn:
            queries = self._rooms(conn)
            room = await self._lock(queries, room_id)
            self._require_host(actor, room)
            _require_open(room)
            members = await queries.list_members(room_id=room_id)
            if len(members) < 2:
                raise ConflictError("a match needs at least 2 members")
            if not all(m.is_ready for m in members):
                raise ConflictError("every member must be ready")
            await queries.set_room_status(id=room_id, status=_IN_MATCH)
            await publish(queries, room_id, MatchStarted, NoData())
            return await self._view_in(queries, room_id)

    async def finish_match(self, actor: Actor, room_id: int) -> RoomView:
        async with self._begin(self._db) as conn:
            queries = self._rooms(conn)
            room = await self._lock(queries, room_id)
            _require_host_or_staff(actor, room, "finish the match")
            if room.status is not _IN_MATCH:
                raise ConflictError("no match is running in this room")
            await queries.set_room_status(id=room_id, status=_OPEN)
            await queries.clear_ready(room_id=room_id)
            await publish(queries, room_id, MatchFinished, NoData())
            return await self._view_in(queries, room_id)

    async def close(self, actor: Actor, room_id: int) -> None:
        async with self._begin(self._db) as conn:
            queries = self._rooms(conn)
            room = await self._lock(queries, room_id)
            _require_host_or_staff(actor, room, "close the room")
            if room.status is _CLOSED:
                raise ConflictError("the room is already closed")
            await self._close(queries, room_id)

    # Helpers ---------------------------------------------------------------------------------

    async def _require_verified(self, conn: DB, actor: Actor) -> None:
        # Read here, not carried in the access token: verifying takes effect at once, and
        # requests that do not create or join pay no query.
        if self._verified_email and not await self._users(conn).is_email_verified(id=actor.user_id):
            raise ForbiddenError("verify your email address before creating or joining rooms")

    async def _lock(self, queries: rooms_db.Querier, room_id: int) -> _Row:
        room = await queries.lock_room(id=room_id)
        if room is None:
            raise NotFoundError(f"room {room_id} does not exist")
        return room

    async def _remove(
        self, queries: rooms_db.Querier, room: _Row, user_id: int, kicked_by: int | None = None
    ) -> None:
        if await queries.remove_member(room_id=room.id, user_id=user_id) == 0:
            raise NotFoundError(f"user {user_id} is not a member of room {room.id}")
        remaining = await queries.list_members(room_id=room.id)
        await queries.set_member_count(id=room.id, member_count=len(remaining))
        if kicked_by is None:
            await publish(queries, room.id, MemberLeft, MemberLeftData(user_id=user_id))
        else:
            kicked = MemberKickedData(user_id=user_id, by=kicked_by)
            await publish(queries, room.id, MemberKicked, kicked)
        if not remaining:
            await self._close(queries, room.id)
        elif user_id == room.host_id:
            # The longest-present member takes over (list_members is in order of arrival).
            new_host = remaining[0].user_id
            await queries.set_host(id=room.id, host_id=new_host)
            await publish(queries, room.id, HostChanged, HostChangedData(host_id=new_host))

    async def _close(self, queries: rooms_db.Querier, room_id: int) -> None:
        await queries.remove_all_members(room_id=room_id)
        await queries.set_member_count(id=room_id, member_count=0)
        await queries.set_room_status(id=room_id, status=_CLOSED)
        await publish(queries, room_id, RoomClosed, NoData())

    async def _view_in(self, queries: rooms_db.Querier, room_id: int) -> RoomView:
        room = await queries.get_room(id=room_id)
        assert room is not None
        return RoomView(room, await queries.list_members(room_id=room_id), show_invite_code=True)

    @staticmethod
    def _require_host(actor: Actor, room: _Row) -> None:
        if room.host_id != actor.user_id:
            raise ForbiddenError("only the host can do this")


def _require_host_or_staff(actor: Actor, room: _Row, what: str) -> None:
    if room.host_id != actor.user_id and not actor.is_staff:
        raise ForbiddenError(f"only the host or a moderator can {what}")


def _require_open(room: _Row) -> None:
    if room.status is not _OPEN:
        raise ConflictError(f"the room is {_status_words(room.status)}")


def _status_words(status: rooms_db.RoomStatus) -> str:
    return {_IN_MATCH: "in a match", _CLOSED: "closed"}.get(status, "open")


def _db_difficulty(difficulty: Difficulty | None) -> rooms_db.Difficulty | None:
    return None if difficulty is None else rooms_db.Difficulty(difficulty)


def _already_in_a_room(exc: UniqueViolationError) -> ConflictError:
    if exc.constraint == _ONE_ROOM_PER_USER:
        return ConflictError("you are already in a room; leave it first")
    return ConflictError("the change conflicts with existing data")


def _refuse_without_code(actor: Actor, room_id: int) -> None:
    """A private room joined without its code: those who may see it are told it needs one; to
    anyone else it does not exist, as when they ask to view it (its id says nothing)."""
    if may_view(actor, _PRIVATE, is_member=False):
        raise ForbiddenError("this private room needs its invite code")
    raise NotFoundError(f"room {room_id} does not exist")

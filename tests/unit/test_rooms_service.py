"""RoomsService rules on a generated fake Querier: host hand-over, capacity, readiness,
permissions, events. What a change writes and publishes is checked on the recorded calls."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from rhythm.db import rooms as rooms_db
from rhythm.db.rooms.fakes import FakeQuerier
from rhythm.service.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError
from rhythm.service.identity import Actor, UserRole
from rhythm.service.rooms.model import Difficulty, RoomVisibility
from rhythm.service.rooms.service import NewRoom, RoomsService, SettingsChange
from rhythm.store.errors import UniqueViolationError
from tests.unit.rows import T0, Transactions

RID = 10
HOST, A, B = Actor(user_id=1, role=UserRole.USER), Actor(2, UserRole.USER), Actor(3, UserRole.USER)
MOD = Actor(user_id=8, role=UserRole.MODERATOR)
ADMIN = Actor(user_id=9, role=UserRole.ADMIN)
OPEN, IN_MATCH, CLOSED = (
    rooms_db.RoomStatus.OPEN,
    rooms_db.RoomStatus.IN_MATCH,
    rooms_db.RoomStatus.CLOSED,
)
PUBLIC, PRIVATE = rooms_db.RoomVisibility.PUBLIC, rooms_db.RoomVisibility.PRIVATE


@dataclass
class World:
    service: RoomsService[FakeQuerier]
    fake: FakeQuerier
    tx: Transactions


@pytest.fixture
def world() -> World:
    fake, tx = FakeQuerier(), Transactions()
    service = RoomsService(fake, rooms=lambda f: f, begin=tx.begin, invite_codes=lambda: "CODE")
    seqs = itertools.count(1)
    fake.next_event_seq.computes(lambda id: next(seqs))
    fake.notify_room.returns(None)
    return World(service, fake, tx)


def room(
    *,
    host: int = HOST.user_id,
    members: int = 1,
    max_players: int = 4,
    status: rooms_db.RoomStatus = OPEN,
    visibility: rooms_db.RoomVisibility = PUBLIC,
    invite_code: str | None = None,
) -> rooms_db.Room:
    return rooms_db.Room(
        id=RID,
        name="r",
        host_id=host,
        status=status,
        visibility=visibility,
        invite_code=invite_code,
        max_players=max_players,
        song_id=None,
        difficulty=None,
        member_count=members,
        event_seq=0,
        created_at=T0,
        updated_at=T0,
        closed_at=None,
    )


def members(*who: Actor, ready: bool = False) -> list[rooms_db.ListMembersRow]:
    """In order of arrival, as ListMembers returns them."""
    return [
        rooms_db.ListMembersRow(
            user_id=a.user_id,
            display_name=f"user{a.user_id}",
            is_ready=ready,
            joined_at=T0 + timedelta(seconds=n),
        )
        for n, a in enumerate(who)
    ]


def events(fake: FakeQuerier) -> list[tuple[str, int, dict[str, Any]]]:
    """(type, seq, data) of what was NOTIFYed, in order; every one on the room's channel."""
    assert {call["channel"] for call in fake.notify_room.calls} <= {f"room_{RID}"}
    decoded = [msgspec.json.decode(call["payload"]) for call in fake.notify_room.calls]
    return [(e["type"], e["seq"], e["data"]) for e in decoded]


def kinds(fake: FakeQuerier) -> list[str]:
    return [kind for kind, _, _ in events(fake)]


def set_room(fake: FakeQuerier, row: rooms_db.Room, who: list[rooms_db.ListMembersRow]) -> None:
    fake.lock_room.returns(row)
    fake.get_room.returns(row)
    fake.list_members.returns(who)


async def test_create_makes_the_creator_host_and_member(world: World) -> None:
    fake = world.fake
    fake.create_room.returns(room(members=0))
    fake.add_member.returns(None)
    fake.set_member_count.returns(None)
    set_room(fake, room(), members(HOST))
    view = await world.service.create(
        HOST, NewRoom(name=" Night ", max_players=4, song_id="s", difficulty=Difficulty.HARD)
    )
    assert fake.create_room.calls == [
        {
            "params": rooms_db.CreateRoomParams(
                name="Night",
                host_id=HOST.user_id,
                visibility=PUBLIC,
                invite_code=None,
                max_players=4,
                song_id="s",
                difficulty=rooms_db.Difficulty.HARD,
            )
        }
    ]
    assert fake.add_member.calls == [{"room_id": RID, "user_id": HOST.user_id}]
    assert fake.set_member_count.calls == [{"id": RID, "member_count": 1}]
    assert [m.user_id for m in view.members] == [HOST.user_id]
    assert events(fake) == []  # nobody can be listening to a room not yet made
    assert world.tx.committed == 1


async def test_max_players_bounds(world: World) -> None:
    for bad in (1, 17):
        with pytest.raises(RuleViolationError):
            await world.service.create(HOST, NewRoom(name="r", max_players=bad))
    assert world.fake.create_room.calls == []


async def test_one_room_per_user(world: World) -> None:
    fake = world.fake
    fake.create_room.returns(room(members=0))
    set_room(fake, room(), members(HOST))
    fake.add_member.raises(
        UniqueViolationError("one room", constraint="room_members_one_room_per_user")
    )
    with pytest.raises(ConflictError, match="already in a room"):
        await world.service.join(A, RID, None)
    with pytest.raises(ConflictError, match="already in a room"):
        await world.service.create(A, NewRoom(name="again", max_players=2))
    assert world.tx.rolled_back == 2
    assert fake.set_member_count.calls == []


async def test_join_counts_the_member_and_announces_them(world: World) -> None:
    fake = world.fake
    set_room(fake, room(members=1), members(HOST, A))
    fake.add_member.returns(None)
    fake.set_member_count.returns(None)
    view = await world.service.join(A, RID, None)
    assert fake.add_member.calls == [{"room_id": RID, "user_id": A.user_id}]
    assert fake.set_member_count.calls == [{"id": RID, "member_count": 2}]
    [(kind, seq, data)] = events(fake)
    assert (kind, seq, data["user_id"], data["display_name"]) == ("member_joined", 1, 2, "user2")
    assert view.show_invite_code


async def test_capacity(world: World) -> None:
    set_room(world.fake, room(members=2, max_players=2), members(HOST, A))
    with pytest.raises(ConflictError, match="full"):
        await world.service.join(B, RID, None)
    assert world.fake.add_member.calls == []
    assert events(world.fake) == []


async def test_private_room_needs_the_code(world: World) -> None:
    fake = world.fake
    fake.create_room.returns(room(members=0, visibility=PRIVATE, invite_code="CODE"))
    fake.add_member.returns(None)
    fake.set_member_count.returns(None)
    set_room(fake, room(visibility=PRIVATE, invite_code="CODE"), members(HOST))
    await world.service.create(
        HOST, NewRoom(name="r", max_players=4, visibility=RoomVisibility.PRIVATE)
    )
    assert fake.create_room.calls[0]["params"].invite_code == "CODE"
    with pytest.raises(NotFoundError):
        await world.service.view(A, RID)
    for wrong in (None, "nope"):  # to someone who may not see it, the room does not exist
        with pytest.raises(NotFoundError):
            await world.service.join(A, RID, wrong)
    assert fake.add_member.calls == [{"room_id": RID, "user_id": HOST.user_id}]
    fake.list_members.returns(members(HOST, A))
    assert (await world.service.join(A, RID, "CODE")).show_invite_code
    fake.list_members.returns(members(HOST))
    assert (await world.service.view(MOD, RID)).show_invite_code


async def test_public_room_hides_the_code_from_outsiders(world: World) -> None:
    set_room(world.fake, room(), members(HOST))
    assert not (await world.service.view(A, RID)).show_invite_code
    assert (await world.service.view(HOST, RID)).show_invite_code


async def test_host_leaving_hands_over_to_longest_present(world: World) -> None:
    fake = world.fake
    set_room(fake, room(members=3), members(A, B))
    fake.remove_member.returns(1)
    fake.set_member_count.returns(None)
    fake.set_host.returns(None)
    await world.service.leave(HOST, RID)
    assert fake.remove_member.calls == [{"room_id": RID, "user_id": HOST.user_id}]
    assert fake.set_member_count.calls == [{"id": RID, "member_count": 2}]
    assert fake.set_host.calls == [{"id": RID, "host_id": A.user_id}]
    assert events(fake) == [
        ("member_left", 1, {"user_id": HOST.user_id}),
        ("host_changed", 2, {"host_id": A.user_id}),
    ]
    set_room(fake, room(host=A.user_id, members=2), members(A))
    await world.service.leave(B, RID)  # not the host: no hand-over
    assert len(fake.set_host.calls) == 1
    assert kinds(fake)[-1] == "member_left"


async def test_last_member_leaving_closes(world: World) -> None:
    fake = world.fake
    set_room(fake, room(), [])
    fake.remove_member.returns(1)
    fake.remove_all_members.returns(0)
    fake.set_member_count.returns(None)
    fake.set_room_status.returns(None)
    await world.service.leave(HOST, RID)
    assert fake.set_room_status.calls == [{"id": RID, "status": CLOSED}]
    assert fake.set_member_count.calls[-1] == {"id": RID, "member_count": 0}
    assert [(kind, seq) for kind, seq, _ in events(fake)] == [
        ("member_left", 1),
        ("room_closed", 2),
    ]
    set_room(fake, room(status=CLOSED, members=0), [])
    with pytest.raises(ConflictError, match="closed"):
        await world.service.join(A, RID, None)


async def test_leave_when_not_a_member(world: World) -> None:
    fake = world.fake
    set_room(fake, room(), members(HOST))
    fake.remove_member.returns(0)
    with pytest.raises(NotFoundError):
        await world.service.leave(A, RID)
    fake.lock_room.returns(None)
    with pytest.raises(NotFoundError):
        await world.service.leave(HOST, 999)
    assert fake.lock_room.calls[-1] == {"id": 999}
    assert fake.set_member_count.calls == []
    assert events(fake) == []


async def test_ready(world: World) -> None:
    fake = world.fake
    set_room(fake, room(members=2), members(HOST, A))
    fake.set_ready.returns_in_order(1, 0)
    await world.service.set_ready(A, RID, ready=True)
    assert fake.set_ready.calls == [{"room_id": RID, "user_id": A.user_id, "is_ready": True}]
    assert events(fake) == [("ready_changed", 1, {"user_id": A.user_id, "is_ready": True})]
    with pytest.raises(ForbiddenError):  # 0 rows: not a member
        await world.service.set_ready(B, RID, ready=True)
    set_room(fake, room(members=2, status=IN_MATCH), members(HOST, A))
    with pytest.raises(ConflictError):
        await world.service.set_ready(A, RID, ready=False)
    assert len(fake.set_ready.calls) == 2


async def test_start_conditions(world: World) -> None:
    fake = world.fake
    fake.set_room_status.returns(None)
    set_room(fake, room(), members(HOST, ready=True))
    with pytest.raises(ConflictError, match="at least 2"):
        await world.service.start_match(HOST, RID)
    host_ready, a_not_ready = members(HOST, ready=True)[0], members(HOST, A)[1]
    set_room(fake, room(members=2), [host_ready, a_not_ready])
    with pytest.raises(ConflictError, match="ready"):
        await world.service.start_match(HOST, RID)
    fake.list_members.returns(members(HOST, A, ready=True))
    with pytest.raises(ForbiddenError):
        await world.service.start_match(A, RID)
    assert fake.set_room_status.calls == []
    started = await world.service.start_match(HOST, RID)
    assert fake.set_room_status.calls == [{"id": RID, "status": IN_MATCH}]
    assert kinds(fake) == ["match_started"]
    assert started.room.id == RID
    set_room(fake, room(members=2, status=IN_MATCH), members(HOST, A, ready=True))
    with pytest.raises(ConflictError):
        await world.service.join(B, RID, None)


async def test_finish_match(world: World) -> None:
    fake = world.fake
    fake.set_room_status.returns(None)
    fake.clear_ready.returns(2)
    set_room(fake, room(members=2, status=IN_MATCH), members(HOST, A))
    with pytest.raises(ForbiddenError):
        await world.service.finish_match(A, RID)
    await world.service.finish_match(HOST, RID)
    assert fake.set_room_status.calls == [{"id": RID, "status": OPEN}]
    assert fake.clear_ready.calls == [{"room_id": RID}]
    assert kinds(fake) == ["match_finished"]
    set_room(fake, room(members=2), members(HOST, A))
    with pytest.raises(ConflictError):
        await world.service.finish_match(HOST, RID)


async def test_settings_are_for_the_host_and_respect_members(world: World) -> None:
    fake = world.fake
    set_room(fake, room(members=3), members(HOST, A, B))
    fake.update_room_settings.computes(
        lambda params: msgspec.structs.replace(
            room(members=3),
            name=params.name,
            song_id=params.song_id,
            max_players=params.max_players,
            visibility=params.visibility,
            invite_code=params.invite_code,
        )
    )
    with pytest.raises(ForbiddenError):
        await world.service.change_settings(A, RID, SettingsChange(name="mine"))
    with pytest.raises(ConflictError, match="below"):
        await world.service.change_settings(HOST, RID, SettingsChange(max_players=2))
    assert fake.update_room_settings.calls == []
    await world.service.change_settings(
        HOST, RID, SettingsChange(max_players=3, visibility=RoomVisibility.PRIVATE, song_id="s")
    )
    private = fake.update_room_settings.calls[-1]["params"]
    assert (private.max_players, private.visibility, private.invite_code, private.song_id) == (
        3,
        PRIVATE,
        "CODE",
        "s",
    )
    set_room(fake, room(members=3, visibility=PRIVATE, invite_code="CODE"), members(HOST, A, B))
    await world.service.change_settings(
        HOST, RID, SettingsChange(visibility=RoomVisibility.PUBLIC, clear_song=True)
    )
    public = fake.update_room_settings.calls[-1]["params"]
    assert (public.visibility, public.invite_code, public.song_id) == (PUBLIC, None, None)
    assert kinds(fake) == ["settings_changed", "settings_changed"]
    assert events(fake)[0][2]["max_players"] == 3


async def test_kick_rules(world: World) -> None:
    fake = world.fake
    set_room(fake, room(members=3), members(HOST, B))
    fake.remove_member.returns(1)
    fake.set_member_count.returns(None)
    fake.set_host.returns(None)
    with pytest.raises(ForbiddenError):
        await world.service.kick(A, RID, B.user_id)
    with pytest.raises(RuleViolationError):
        await world.service.kick(HOST, RID, HOST.user_id)
    assert fake.remove_member.calls == []
    await world.service.kick(HOST, RID, A.user_id)
    assert fake.remove_member.calls == [{"room_id": RID, "user_id": A.user_id}]
    assert events(fake) == [("member_kicked", 1, {"user_id": A.user_id, "by": HOST.user_id})]
    fake.remove_member.returns(0)
    with pytest.raises(NotFoundError):
        await world.service.kick(HOST, RID, A.user_id)
    # A moderator may kick the host, who hands over like on leave.
    fake.remove_member.returns(1)
    fake.list_members.returns(members(B))
    await world.service.kick(MOD, RID, HOST.user_id)
    assert fake.set_host.calls == [{"id": RID, "host_id": B.user_id}]


async def test_close_rules(world: World) -> None:
    fake = world.fake
    set_room(fake, room(members=2), members(HOST, A))
    fake.remove_all_members.returns(2)
    fake.set_member_count.returns(None)
    fake.set_room_status.returns(None)
    with pytest.raises(ForbiddenError):
        await world.service.close(A, RID)
    await world.service.close(ADMIN, RID)
    assert fake.remove_all_members.calls == [{"room_id": RID}]
    assert fake.set_member_count.calls == [{"id": RID, "member_count": 0}]
    assert fake.set_room_status.calls == [{"id": RID, "status": CLOSED}]
    assert kinds(fake) == ["room_closed"]
    set_room(fake, room(status=CLOSED, members=0), [])
    with pytest.raises(ConflictError):
        await world.service.close(HOST, RID)


async def test_lobby_pages_and_filters(world: World) -> None:
    rows = [msgspec.structs.replace(room(), id=n) for n in (1, 2, 3)]
    world.fake.list_lobby.returns_in_order(rows, rows[2:])
    page = await world.service.lobby(after=0, limit=2, song_id=None, free_seats_only=False)
    assert [r.id for r in page.items] == [1, 2]
    assert page.next_after == 2
    rest = await world.service.lobby(after=2, limit=2, song_id="x", free_seats_only=True)
    assert [r.id for r in rest.items] == [3]
    assert rest.next_after is None
    assert world.fake.list_lobby.calls == [
        {"after_id": 0, "song_id": None, "free_seats_only": False, "page_size": 3},
        {"after_id": 2, "song_id": "x", "free_seats_only": True, "page_size": 3},
    ]


async def test_every_event_carries_the_seq_the_room_handed_out(world: World) -> None:
    fake = world.fake
    set_room(fake, room(members=2), members(HOST, A))
    fake.set_ready.returns(1)
    fake.next_event_seq.returns_in_order(41, 42)
    await world.service.set_ready(A, RID, ready=True)
    await world.service.set_ready(A, RID, ready=False)
    assert fake.next_event_seq.calls == [{"id": RID}, {"id": RID}]
    assert [seq for _, seq, _ in events(fake)] == [41, 42]

"""RoomsService rules with fake Queriers: host hand-over, capacity, readiness, permissions."""

from __future__ import annotations

import pytest

from rhythm.service.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError
from rhythm.service.identity import Actor, UserRole
from rhythm.service.room_model import Difficulty, RoomStatus, RoomVisibility
from rhythm.service.rooms import NewRoom, RoomsService, SettingsChange
from tests.unit.fakes import FakeConnection, FakeRooms, FakeUsers


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
def rooms(users: FakeUsers) -> FakeRooms:
    return FakeRooms(users)


@pytest.fixture
def service(rooms: FakeRooms) -> RoomsService:
    return RoomsService(
        FakeConnection(),  # type: ignore[arg-type]
        rooms=lambda _: rooms,
        invite_codes=lambda: "CODE",
    )


async def person(users: FakeUsers, name: str, role: UserRole = UserRole.USER) -> Actor:
    user = await users.create_user(
        email=f"{name}@example.com", display_name=name, password_hash="x", role=role
    )
    assert user is not None
    return Actor(user_id=user.id, role=user.role)


async def room_with(
    service: RoomsService, host: Actor, *guests: Actor, max_players: int = 4
) -> int:
    view = await service.create(host, NewRoom(name="r", max_players=max_players))
    for guest in guests:
        await service.join(guest, view.room.id, None)
    return view.room.id


async def test_create_makes_the_creator_host_and_member(
    service: RoomsService, users: FakeUsers, rooms: FakeRooms
) -> None:
    host = await person(users, "host")
    view = await service.create(
        host, NewRoom(name=" Night ", max_players=4, song_id="s", difficulty=Difficulty.HARD)
    )
    assert view.room.host_id == host.user_id
    assert view.room.name == "Night"
    assert [m.user_id for m in view.members] == [host.user_id]
    assert view.room.member_count == 1
    assert rooms.events(view.room.id) == []  # nobody can be listening to a room not yet made


async def test_max_players_bounds(service: RoomsService, users: FakeUsers) -> None:
    host = await person(users, "host")
    for bad in (1, 17):
        with pytest.raises(RuleViolationError):
            await service.create(host, NewRoom(name="r", max_players=bad))


async def test_one_room_per_user(service: RoomsService, users: FakeUsers) -> None:
    a, b = await person(users, "a"), await person(users, "b")
    first = await room_with(service, a)
    await room_with(service, b)
    with pytest.raises(ConflictError, match="already in a room"):
        await service.join(b, first, None)
    with pytest.raises(ConflictError, match="already in a room"):
        await service.create(a, NewRoom(name="again", max_players=2))


async def test_capacity(service: RoomsService, users: FakeUsers, rooms: FakeRooms) -> None:
    host, a, b = [await person(users, n) for n in ("host", "a", "b")]
    rid = await room_with(service, host, a, max_players=2)
    with pytest.raises(ConflictError, match="full"):
        await service.join(b, rid, None)
    assert rooms.rows[rid].member_count == 2
    assert rooms.events(rid) == [("member_joined", 1)]


async def test_private_room_needs_the_code(service: RoomsService, users: FakeUsers) -> None:
    host, guest = await person(users, "host"), await person(users, "guest")
    view = await service.create(
        host, NewRoom(name="r", max_players=4, visibility=RoomVisibility.PRIVATE)
    )
    assert view.room.invite_code == "CODE"
    with pytest.raises(NotFoundError):
        await service.view(guest, view.room.id)
    for wrong in (None, "nope"):
        with pytest.raises(ForbiddenError):
            await service.join(guest, view.room.id, wrong)
    joined = await service.join(guest, view.room.id, "CODE")
    assert joined.show_invite_code
    mod = await person(users, "mod", UserRole.MODERATOR)
    assert (await service.view(mod, view.room.id)).show_invite_code


async def test_public_room_hides_the_code_from_outsiders(
    service: RoomsService, users: FakeUsers
) -> None:
    host, other = await person(users, "host"), await person(users, "other")
    rid = await room_with(service, host)
    assert not (await service.view(other, rid)).show_invite_code


async def test_host_leaving_hands_over_to_longest_present(
    service: RoomsService, users: FakeUsers, rooms: FakeRooms
) -> None:
    host, first, second = [await person(users, n) for n in ("host", "first", "second")]
    rid = await room_with(service, host, first, second)
    await service.leave(host, rid)
    assert rooms.rows[rid].host_id == first.user_id
    assert rooms.events(rid)[-2:] == [("member_left", 3), ("host_changed", 4)]
    await service.leave(second, rid)  # not the host: no hand-over
    assert rooms.rows[rid].host_id == first.user_id
    assert rooms.events(rid)[-1] == ("member_left", 5)


async def test_last_member_leaving_closes(
    service: RoomsService, users: FakeUsers, rooms: FakeRooms
) -> None:
    host = await person(users, "host")
    rid = await room_with(service, host)
    await service.leave(host, rid)
    room = rooms.rows[rid]
    assert room.status == RoomStatus.CLOSED
    assert room.closed_at is not None
    assert rooms.events(rid) == [("member_left", 1), ("room_closed", 2)]
    with pytest.raises(ConflictError, match="closed"):
        await service.join(await person(users, "late"), rid, None)


async def test_leave_when_not_a_member(service: RoomsService, users: FakeUsers) -> None:
    host, other = await person(users, "host"), await person(users, "other")
    rid = await room_with(service, host)
    with pytest.raises(NotFoundError):
        await service.leave(other, rid)
    with pytest.raises(NotFoundError):
        await service.leave(host, 999)


async def test_ready_and_start_conditions(
    service: RoomsService, users: FakeUsers, rooms: FakeRooms
) -> None:
    host, guest, outsider = [await person(users, n) for n in ("host", "guest", "outsider")]
    rid = await room_with(service, host)
    await service.set_ready(host, rid, ready=True)
    with pytest.raises(ConflictError, match="at least 2"):
        await service.start_match(host, rid)
    await service.join(guest, rid, None)
    with pytest.raises(ConflictError, match="ready"):
        await service.start_match(host, rid)
    with pytest.raises(ForbiddenError):
        await service.set_ready(outsider, rid, ready=True)
    await service.set_ready(guest, rid, ready=True)
    with pytest.raises(ForbiddenError):
        await service.start_match(guest, rid)
    started = await service.start_match(host, rid)
    assert started.room.status == RoomStatus.IN_MATCH
    with pytest.raises(ConflictError):
        await service.set_ready(guest, rid, ready=False)
    with pytest.raises(ConflictError):
        await service.join(outsider, rid, None)
    finished = await service.finish_match(host, rid)
    assert finished.room.status == RoomStatus.OPEN
    assert not any(m.is_ready for m in finished.members)
    types = [kind for kind, _ in rooms.events(rid)]
    assert types[-2:] == ["match_started", "match_finished"]
    with pytest.raises(ConflictError):
        await service.finish_match(host, rid)


async def test_settings_are_for_the_host_and_respect_members(
    service: RoomsService, users: FakeUsers, rooms: FakeRooms
) -> None:
    host, a, b = [await person(users, n) for n in ("host", "a", "b")]
    rid = await room_with(service, host, a, b)
    with pytest.raises(ForbiddenError):
        await service.change_settings(a, rid, SettingsChange(name="mine"))
    with pytest.raises(ConflictError, match="below"):
        await service.change_settings(host, rid, SettingsChange(max_players=2))
    changed = await service.change_settings(
        host, rid, SettingsChange(max_players=3, visibility=RoomVisibility.PRIVATE, song_id="s")
    )
    assert changed.room.max_players == 3
    assert changed.room.invite_code == "CODE"
    assert changed.room.song_id == "s"
    public = await service.change_settings(
        host, rid, SettingsChange(visibility=RoomVisibility.PUBLIC, clear_song=True)
    )
    assert public.room.invite_code is None
    assert public.room.song_id is None
    assert rooms.events(rid)[-1][0] == "settings_changed"


async def test_kick_rules(service: RoomsService, users: FakeUsers, rooms: FakeRooms) -> None:
    host, a, b = [await person(users, n) for n in ("host", "a", "b")]
    mod = await person(users, "mod", UserRole.MODERATOR)
    rid = await room_with(service, host, a, b)
    with pytest.raises(ForbiddenError):
        await service.kick(a, rid, b.user_id)
    with pytest.raises(RuleViolationError):
        await service.kick(host, rid, host.user_id)
    await service.kick(host, rid, a.user_id)
    event = rooms.notifications[-1][1]
    assert (event["type"], event["data"]) == (
        "member_kicked",
        {"user_id": a.user_id, "by": host.user_id},
    )
    with pytest.raises(NotFoundError):
        await service.kick(host, rid, a.user_id)
    # A moderator may kick the host, who hands over like on leave.
    await service.kick(mod, rid, host.user_id)
    assert rooms.rows[rid].host_id == b.user_id


async def test_close_rules(service: RoomsService, users: FakeUsers, rooms: FakeRooms) -> None:
    host, a = await person(users, "host"), await person(users, "a")
    admin = await person(users, "admin", UserRole.ADMIN)
    rid = await room_with(service, host, a)
    with pytest.raises(ForbiddenError):
        await service.close(a, rid)
    await service.close(admin, rid)
    assert rooms.rows[rid].status == RoomStatus.CLOSED
    assert rooms.rows[rid].member_count == 0
    assert await rooms.list_members(room_id=rid) == []
    with pytest.raises(ConflictError):
        await service.close(host, rid)
    # Closing freed the members: they can open rooms again.
    await service.create(a, NewRoom(name="next", max_players=2))


async def test_lobby_pages_and_filters(service: RoomsService, users: FakeUsers) -> None:
    ids = []
    for n in range(5):
        host = await person(users, f"h{n}")
        view = await service.create(
            host, NewRoom(name="r", max_players=2, song_id="x" if n % 2 else "y")
        )
        ids.append(view.room.id)
    page = await service.lobby(after=0, limit=2, song_id=None, free_seats_only=False)
    assert [r.id for r in page.items] == ids[:2]
    assert page.next_after == ids[1]
    rest = await service.lobby(after=ids[3], limit=2, song_id=None, free_seats_only=False)
    assert [r.id for r in rest.items] == [ids[4]]
    assert rest.next_after is None
    songs = await service.lobby(after=0, limit=10, song_id="x", free_seats_only=False)
    assert [r.id for r in songs.items] == [ids[1], ids[3]]


async def test_every_event_has_the_next_seq(
    service: RoomsService, users: FakeUsers, rooms: FakeRooms
) -> None:
    host, a = await person(users, "host"), await person(users, "a")
    rid = await room_with(service, host, a)
    await service.set_ready(a, rid, ready=True)
    await service.change_settings(host, rid, SettingsChange(name="n"))
    await service.leave(a, rid)
    seqs = [seq for _, seq in rooms.events(rid)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert rooms.rows[rid].event_seq == seqs[-1]

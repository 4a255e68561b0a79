"""The rooms service's email-verification guard on generated fakes: with the setting, creating
and joining read the caller's state inside the transaction; without it, nothing is read."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from rhythm.db.rooms.fakes import FakeQuerier as FakeRooms
from rhythm.db.users.fakes import FakeQuerier as FakeUsers
from rhythm.service.errors import ForbiddenError
from rhythm.service.rooms.model import RoomVisibility
from rhythm.service.rooms.service import NewRoom, RoomsService
from tests.unit.rows import Transactions
from tests.unit.test_rooms_service import HOST, RID, A, members, room, set_room

NEW = NewRoom(name="r", visibility=RoomVisibility.PUBLIC, max_players=4)


@dataclass
class World:
    service: RoomsService[FakeRooms]
    rooms: FakeRooms
    users: FakeUsers
    tx: Transactions


def make_world(*, verified_email: bool) -> World:
    rooms, users, tx = FakeRooms(), FakeUsers(), Transactions()
    service = RoomsService(
        rooms,
        rooms=lambda fake: fake,
        begin=tx.begin,
        verified_email=verified_email,
        users=lambda _: users,
    )
    seqs = itertools.count(1)
    rooms.next_event_seq.computes(lambda id: next(seqs))
    rooms.notify_room.returns(None)
    rooms.create_room.returns(room())
    set_room(rooms, room(), members(HOST, A))
    rooms.add_member.returns(None)
    rooms.set_member_count.returns(None)
    return World(service, rooms, users, tx)


async def test_an_unverified_account_neither_creates_nor_joins() -> None:
    world = make_world(verified_email=True)
    world.users.is_email_verified.returns(False)
    with pytest.raises(ForbiddenError, match="verify your email"):
        await world.service.create(HOST, NEW)
    with pytest.raises(ForbiddenError, match="verify your email"):
        await world.service.join(A, RID, None)
    assert world.users.is_email_verified.calls == [{"id": HOST.user_id}, {"id": A.user_id}]
    assert world.rooms.create_room.calls == []
    assert world.rooms.add_member.calls == []
    assert (world.tx.begun, world.tx.rolled_back) == (2, 2)  # read inside the transaction


async def test_a_verified_account_creates_and_joins() -> None:
    world = make_world(verified_email=True)
    world.users.is_email_verified.returns(True)
    await world.service.create(HOST, NEW)
    await world.service.join(A, RID, None)
    assert len(world.rooms.create_room.calls) == 1
    assert world.rooms.add_member.calls[-1] == {"room_id": RID, "user_id": A.user_id}


async def test_without_the_setting_nothing_is_read() -> None:
    world = make_world(verified_email=False)
    await world.service.create(HOST, NEW)
    await world.service.join(A, RID, None)
    assert world.users.is_email_verified.calls == []
    assert len(world.rooms.create_room.calls) == 1

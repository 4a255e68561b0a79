"""Rooms on a real PostgreSQL: the join race, the one-room rule, NOTIFY only on commit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from psycopg import AsyncConnection

from rhythm.db import rooms as rooms_db
from rhythm.service.errors import ConflictError
from rhythm.service.identity import Actor, UserRole
from rhythm.service.rooms.events import MatchStarted, NoData, channel_of, publish
from rhythm.service.rooms.service import NewRoom, RoomsService
from rhythm.store.errors import CheckViolationError, UniqueViolationError
from rhythm.store.pool import StorePool
from rhythm.store.transaction import transaction


async def make_users(pool: StorePool, count: int) -> list[Actor]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO users (email, display_name, password_hash) "
            "SELECT 'u' || n || '@example.com', 'u' || n, 'x' FROM generate_series(1, %s) n "
            "RETURNING id",
            (count,),
        )
        return [Actor(user_id=row[0], role=UserRole.USER) for row in await cur.fetchall()]


async def test_join_race_exactly_k_win(database_url: str) -> None:
    """N users join at once on N connections; a room with K free seats takes exactly K."""
    players, seats = 12, 4
    async with StorePool(database_url, min_size=players, max_size=players + 2) as pool:
        host, *racers = await make_users(pool, players + 1)
        service = RoomsService(pool)
        room = (await service.create(host, NewRoom(name="race", max_players=seats + 1))).room
        results = await asyncio.gather(
            *(service.join(racer, room.id, None) for racer in racers), return_exceptions=True
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, ConflictError)]
        assert len(winners) == seats, results
        assert len(refused) == players - seats
        async with pool.connection() as conn:
            count = await (
                await conn.execute(
                    "SELECT count(*) FROM room_members WHERE room_id = %s", (room.id,)
                )
            ).fetchone()
            stored = await rooms_db.Queries(conn).get_room(id=room.id)
        assert count == (seats + 1,)
        assert stored is not None
        assert stored.member_count == seats + 1
        assert stored.event_seq == seats  # one member_joined per winner, no gaps


async def test_one_room_per_user_is_enforced_by_the_database(pool: StorePool) -> None:
    a, b = await make_users(pool, 2)
    service = RoomsService(pool)
    first = (await service.create(a, NewRoom(name="one", max_players=2))).room
    second = (await service.create(b, NewRoom(name="two", max_players=2))).room
    # Straight to SQL, past every check of the service: the unique index still refuses.
    with pytest.raises(UniqueViolationError) as caught:
        async with transaction(pool) as conn:
            await rooms_db.Queries(conn).add_member(room_id=second.id, user_id=a.user_id)
    assert caught.value.constraint == "room_members_one_room_per_user"
    assert first.id != second.id


async def test_capacity_is_enforced_by_the_database(pool: StorePool) -> None:
    (a,) = await make_users(pool, 1)
    room = (await RoomsService(pool).create(a, NewRoom(name="r", max_players=2))).room
    # Through the pool, the database's refusal arrives as the store's typed error.
    with pytest.raises(CheckViolationError):
        async with pool.connection() as conn:
            await rooms_db.Queries(conn).set_member_count(id=room.id, member_count=3)


async def _listen(database_url: str, channel: str) -> AsyncConnection[Any]:
    listener = await AsyncConnection.connect(database_url, autocommit=True)
    await listener.execute(f'LISTEN "{channel}"')
    return listener


async def _heard(listener: AsyncConnection[Any], wait_s: float = 0.5) -> list[str]:
    return [n.payload async for n in listener.notifies(timeout=wait_s)]


async def test_notify_only_on_commit(pool: StorePool, database_url: str) -> None:
    (a,) = await make_users(pool, 1)
    room = (await RoomsService(pool).create(a, NewRoom(name="r", max_players=2))).room
    listener = await _listen(database_url, channel_of(room.id))
    try:
        with pytest.raises(RuntimeError):
            async with transaction(pool) as conn:
                await publish(rooms_db.Queries(conn), room.id, MatchStarted, NoData())
                raise RuntimeError("rolled back")
        assert await _heard(listener) == []

        async with transaction(pool) as conn:
            event = await publish(rooms_db.Queries(conn), room.id, MatchStarted, NoData())
        [payload] = await _heard(listener)
        assert f'"seq":{event.seq}' in payload
        assert event.seq == 1  # the rolled-back event did not consume a number either
    finally:
        await listener.close()


async def test_refused_join_publishes_nothing(pool: StorePool, database_url: str) -> None:
    host, guest, late = await make_users(pool, 3)
    service = RoomsService(pool)
    room = (await service.create(host, NewRoom(name="r", max_players=2))).room
    await service.join(guest, room.id, None)
    listener = await _listen(database_url, channel_of(room.id))
    try:
        with pytest.raises(ConflictError):
            await service.join(late, room.id, None)
        assert await _heard(listener) == []
    finally:
        await listener.close()

"""transaction(db) on a pool and on a connection: commit, rollback, savepoints."""

from __future__ import annotations

import pytest

from rhythm.store.errors import UniqueViolationError
from rhythm.store.pool import StorePool
from rhythm.store.transaction import transaction


class Boom(Exception):
    pass


async def _names(pool: StorePool) -> list[str]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT name FROM t ORDER BY name")
        return [row[0] for row in await cur.fetchall()]


@pytest.fixture
async def table(pool: StorePool) -> StorePool:
    async with pool.connection() as conn:
        await conn.execute("CREATE TABLE t (name text PRIMARY KEY)")
    return pool


async def test_pool_transaction_commits(table: StorePool) -> None:
    async with transaction(table) as conn:
        await conn.execute("INSERT INTO t VALUES ('a'), ('b')")
    assert await _names(table) == ["a", "b"]


async def test_pool_transaction_rolls_back_on_error(table: StorePool) -> None:
    with pytest.raises(Boom):
        async with transaction(table) as conn:
            await conn.execute("INSERT INTO t VALUES ('a')")
            raise Boom
    assert await _names(table) == []


async def test_connection_outside_transaction_begins_one(table: StorePool) -> None:
    async with table.connection() as conn:
        with pytest.raises(Boom):
            async with transaction(conn):
                await conn.execute("INSERT INTO t VALUES ('lost')")
                raise Boom
        async with transaction(conn):
            await conn.execute("INSERT INTO t VALUES ('kept')")
    assert await _names(table) == ["kept"]


async def test_nested_transaction_is_a_savepoint(table: StorePool) -> None:
    async with transaction(table) as outer:
        await outer.execute("INSERT INTO t VALUES ('outer')")
        with pytest.raises(Boom):
            async with transaction(outer) as inner:
                assert inner is outer
                await inner.execute("INSERT INTO t VALUES ('inner')")
                raise Boom
        async with transaction(outer):
            await outer.execute("INSERT INTO t VALUES ('second')")
    assert await _names(table) == ["outer", "second"]


async def test_failed_savepoint_leaves_outer_transaction_usable(table: StorePool) -> None:
    async with transaction(table) as outer:
        await outer.execute("INSERT INTO t VALUES ('a')")
        with pytest.raises(UniqueViolationError):
            async with transaction(outer):
                await outer.execute("INSERT INTO t VALUES ('a')")
        await outer.execute("INSERT INTO t VALUES ('b')")
    assert await _names(table) == ["a", "b"]


async def test_outer_rollback_discards_committed_savepoint(table: StorePool) -> None:
    with pytest.raises(Boom):
        async with transaction(table) as outer:
            async with transaction(outer):
                await outer.execute("INSERT INTO t VALUES ('inner')")
            raise Boom
    assert await _names(table) == []

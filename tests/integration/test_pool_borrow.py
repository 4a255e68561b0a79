"""``StorePool.connection()``: what leaves a borrow, and that the connection always goes back."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors as pg

from rhythm.store.errors import UniqueViolationError
from rhythm.store.pool import StorePool


async def test_a_named_database_error_in_the_block_leaves_as_a_store_error(
    pool: StorePool,
) -> None:
    async with pool.connection() as conn:
        await conn.execute("CREATE TABLE once (id int PRIMARY KEY)")
        await conn.execute("INSERT INTO once VALUES (1)")
    with pytest.raises(UniqueViolationError) as caught:
        async with pool.connection() as conn:
            await conn.execute("INSERT INTO once VALUES (1)")
    assert caught.value.constraint == "once_pkey"
    assert isinstance(caught.value.__cause__, pg.UniqueViolation)


async def test_a_database_error_without_a_store_name_leaves_unchanged(pool: StorePool) -> None:
    with pytest.raises(psycopg.errors.SyntaxError) as caught:
        async with pool.connection() as conn:
            await conn.execute("SELEC 1")
    assert caught.value.__cause__ is None


async def test_other_errors_leave_unchanged_and_the_connection_goes_back(
    database_url: str,
) -> None:
    # One connection: a borrow that did not give it back would make the next one time out.
    async with StorePool(database_url, min_size=1, max_size=1, timeout=0.5, open=False) as tiny:
        for _ in range(2):
            with pytest.raises(ValueError, match="not the database") as caught:
                async with tiny.connection():
                    raise ValueError("not the database")
            assert caught.value.__cause__ is None
        async with tiny.connection() as conn:
            assert await (await conn.execute("SELECT 1")).fetchone() == (1,)


async def test_a_borrow_is_counted_as_psycopgs_is(pool: StorePool) -> None:
    pool.pop_stats()
    for _ in range(3):
        async with pool.connection() as conn:
            await conn.execute("SELECT pg_sleep(0.01)")
    stats = pool.pop_stats()
    assert stats["requests_num"] == 3
    assert stats["usage_ms"] >= 30

"""psycopg and pool errors become the store's typed errors, from a real server."""

from __future__ import annotations

import asyncio

import pytest

from rhythm.service.accounts.users import UsersService
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.identity import Actor, UserRole
from rhythm.store.errors import (
    CheckViolationError,
    DatabaseUnavailableError,
    ForeignKeyViolationError,
    SerializationError,
    UniqueViolationError,
    translate_errors,
)
from rhythm.store.pool import StorePool
from rhythm.store.transaction import transaction

SCHEMA = """
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (
    id int PRIMARY KEY,
    parent_id int REFERENCES parent (id),
    qty int CONSTRAINT qty_positive CHECK (qty > 0)
);
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1, 1);
"""


@pytest.fixture
async def schema(pool: StorePool) -> StorePool:
    async with pool.connection() as conn:
        await conn.execute(SCHEMA)
    return pool


async def test_unique_violation_names_the_constraint(schema: StorePool) -> None:
    with pytest.raises(UniqueViolationError) as caught:
        async with transaction(schema) as conn:
            await conn.execute("INSERT INTO child VALUES (1, 1, 1)")
    assert caught.value.constraint == "child_pkey"


async def test_foreign_key_violation(schema: StorePool) -> None:
    with pytest.raises(ForeignKeyViolationError) as caught:
        async with transaction(schema) as conn:
            await conn.execute("INSERT INTO child VALUES (2, 99, 1)")
    assert caught.value.constraint == "child_parent_id_fkey"


async def test_check_violation(schema: StorePool) -> None:
    with pytest.raises(CheckViolationError) as caught:
        async with transaction(schema) as conn:
            await conn.execute("INSERT INTO child VALUES (2, 1, 0)")
    assert caught.value.constraint == "qty_positive"


async def test_serialization_failure(schema: StorePool) -> None:
    async with schema.connection() as first, schema.connection() as second:
        await first.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
        await second.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
        await (await first.execute("SELECT sum(qty) FROM child")).fetchall()
        await (await second.execute("SELECT sum(qty) FROM child")).fetchall()
        await first.execute("INSERT INTO child VALUES (10, 1, 1)")
        await second.execute("INSERT INTO child VALUES (11, 1, 1)")
        await first.commit()
        with pytest.raises(SerializationError), translate_errors():
            await second.commit()


async def test_pool_timeout_is_database_unavailable(database_url: str) -> None:
    tiny = StorePool(database_url, min_size=1, max_size=1, timeout=0.2, open=False)
    async with tiny, tiny.connection():
        with pytest.raises(DatabaseUnavailableError):
            async with transaction(tiny):
                pass


async def test_lost_connection_is_database_unavailable(schema: StorePool) -> None:
    async with schema.connection() as victim, schema.connection() as killer:
        pid = victim.info.backend_pid
        await killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        await asyncio.sleep(0.05)
        with pytest.raises(DatabaseUnavailableError):
            async with transaction(victim) as conn:
                await conn.execute("SELECT 1")


async def test_lost_connection_leaves_nothing_half_written(schema: StorePool) -> None:
    async with schema.connection() as killer:
        with pytest.raises(DatabaseUnavailableError):
            async with transaction(schema) as conn:
                await conn.execute("INSERT INTO child VALUES (20, 1, 1)")
                await killer.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
                await asyncio.sleep(0.05)
                await conn.execute("INSERT INTO child VALUES (21, 1, 1)")
        cur = await killer.execute("SELECT count(*) FROM child WHERE id >= 20")
        assert await cur.fetchone() == (0,)


async def test_a_service_read_outside_a_transaction_is_a_store_error(database_url: str) -> None:
    # The pool's only connection is lent elsewhere: the service's plain read cannot borrow one.
    tiny = StorePool(database_url, min_size=1, max_size=1, timeout=0.2, open=False)
    users = UsersService(tiny, hasher=PasswordHasher(TEST_PARAMS))
    async with tiny, tiny.connection():
        with pytest.raises(DatabaseUnavailableError):
            await users.me(Actor(user_id=1, role=UserRole.USER))


async def test_a_read_on_a_lost_pool_connection_is_a_store_error(schema: StorePool) -> None:
    with pytest.raises(DatabaseUnavailableError):
        async with schema.connection() as conn:
            await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            await conn.execute("SELECT 1")

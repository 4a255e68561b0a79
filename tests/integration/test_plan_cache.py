"""The pool's sessions: the keyset listings planned once (generic plan), not at every call;
instants in UTC."""

from __future__ import annotations

from datetime import UTC

import psycopg
from psycopg import sql

from rhythm.db.rooms import Queries as Rooms
from rhythm.db.users import Queries as Users
from rhythm.db.users import UserRole
from rhythm.store.pool import create_pool

# psycopg prepares a statement at its sixth execution; PostgreSQL's default mode then plans the
# first five executions of the prepared statement for their parameters (custom plans).
CALLS = 15


async def test_listings_use_one_generic_plan(database_url: str) -> None:
    pool = create_pool(database_url, min_size=1, max_size=1, timeout_s=5.0)
    async with pool:
        for _ in range(CALLS):
            await Users(pool).list_users(after_id=0, role=UserRole.USER, page_size=50)
            await Rooms(pool).list_lobby(
                after_id=0, song_id=None, free_seats_only=False, page_size=50
            )
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT substring(statement from 'FROM (\\w+)'), generic_plans, custom_plans "
                "FROM pg_prepared_statements ORDER BY 1"
            )
            plans = [
                (table, generic > 0, custom) for table, generic, custom in await cur.fetchall()
            ]
    assert plans == [("rooms", True, 0), ("users", True, 0)]


async def test_instants_come_back_in_utc_whatever_the_servers_zone(database_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as admin:
        name = (await (await admin.execute("SELECT current_database()")).fetchone() or ("",))[0]
        await admin.execute(
            sql.SQL("ALTER DATABASE {} SET TimeZone = 'Europe/Berlin'").format(sql.Identifier(name))
        )
    pool = create_pool(database_url, min_size=1, max_size=1, timeout_s=5.0)
    async with pool, pool.connection() as conn:
        zone = await (await conn.execute("SELECT current_setting('TimeZone')")).fetchone()
        row = await (await conn.execute("SELECT '2026-06-01 12:00+02'::timestamptz")).fetchone()
    assert zone == ("UTC",)
    assert row is not None
    assert row[0].tzinfo is UTC
    assert row[0].hour == 10

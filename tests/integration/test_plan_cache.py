"""The pool's connections plan the keyset listings once (generic plan), not at every call."""

from __future__ import annotations

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

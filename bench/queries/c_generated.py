"""Our generated code: generated/users for the user cases, bench/queries/gen for the rest.

Called the way the services call it: a ``Queries`` object made for each operation, keyword
arguments, on a connection in autocommit (a service gets one from the pool).
"""

from __future__ import annotations

from psycopg import AsyncConnection

from bench.queries import data
from bench.queries.contender import Contender
from bench.queries.gen import BatchCreateScoresParams
from bench.queries.gen import Queries as BenchQueries
from rhythm.db.users import Queries, UserRole

BATCH = [
    BatchCreateScoresParams(**{f: getattr(s, f) for f in s.__struct_fields__})
    for s in data.SCORES_BATCH
]


async def open_generated(url: str) -> Contender:
    conn = await AsyncConnection.connect(url, autocommit=True)

    async def insert() -> object:
        return await Queries(conn).create_user(
            email=data.next_email(), display_name="new", password_hash="h", role=UserRole.USER
        )

    ops = {
        "get-by-key": lambda: Queries(conn).get_user_by_id(id=data.KEY),
        "list-100": lambda: Queries(conn).list_users(
            after_id=0, role=None, page_size=data.LIST_SIZE
        ),
        "join-20": lambda: BenchQueries(conn).list_rooms_with_host(
            after_id=0, page_size=data.JOIN_SIZE
        ),
        "insert-one": insert,
        "batch-100": lambda: BenchQueries(conn).batch_create_scores(BATCH),
        "copy-10k": lambda: BenchQueries(conn).copy_scores(data.SCORES_COPY),
    }
    return Contender("generated", ops, conn.close)

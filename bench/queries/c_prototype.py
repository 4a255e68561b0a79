"""What the generated code could do: hand-written variants of it, as extra contenders.

Each variant is the generated method's code (same SQL constants, same shared raw cursor, same
Structs, same connection in autocommit) with one or more changes, so that a ratio to
"generated" isolates the change:
- **binary**: results in PostgreSQL's binary format (``binary=True``); enum labels then arrive
  as bytes, mapped through a dict keyed by bytes;
- **prepared**: ``prepare=True``, a server-side prepared statement from the first execution
  (psycopg otherwise prepares at the sixth);
- **binary + prepared**: both;
- batch-100 as **one** ``INSERT … SELECT FROM unnest($1::bigint[], …)`` statement with one array
  per column, instead of ``executemany`` (one statement per row, pipelined);
- **fast path**: under psycopg's cursor, on its libpq wrapper (``fastpath.py``): prepared once
  per connection, binary results through loaders looked up once, one reader per round trip.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from psycopg import AsyncConnection, AsyncRawCursor
from psycopg.rows import tuple_row

from bench.queries import data, fastpath
from bench.queries.contender import Contender, Op
from bench.queries.gen import (
    Difficulty,
    ListRoomsWithHostRow,
    Room,
    RoomStatus,
    RoomVisibility,
)
from bench.queries.gen import User as HostUser
from bench.queries.gen import UserRole as HostRole
from bench.queries.gen.query import LIST_ROOMS_WITH_HOST
from rhythm.db.users import User, UserRole
from rhythm.db.users.query import CREATE_USER, GET_USER_BY_ID, LIST_USERS

# One statement per batch: the columns as arrays, unnested into rows server-side.
BATCH_UNNEST = (
    b"INSERT INTO bench_scores (user_id, song_id, score, accuracy, grade) "
    b"SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::numeric[], "
    b"$5::bench_grade[])"
)
Labels = Mapping[Any, Any]


def _labels(enum: Any, binary: bool) -> Labels:
    return {(m.value.encode() if binary else m.value): m for m in enum}


class Variant:
    """The generated methods' bodies with ``binary`` and ``prepare`` as given."""

    def __init__(self, conn: AsyncConnection[Any], *, binary: bool, prepare: bool | None) -> None:
        self.cur = AsyncRawCursor(conn, row_factory=tuple_row)
        self.opts: dict[str, Any] = {"binary": binary, "prepare": prepare}
        self.role = _labels(UserRole, binary)
        self.host_role = _labels(HostRole, binary)
        self.status = _labels(RoomStatus, binary)
        self.visibility = _labels(RoomVisibility, binary)
        self.difficulty = _labels(Difficulty, binary)

    def user(self, r: Any) -> User:
        return User(r[0], r[1], r[2], r[3], self.role[r[4]], r[5], r[6], r[7], r[8], r[9])

    async def get(self) -> User | None:
        await self.cur.execute(GET_USER_BY_ID, (data.KEY,), **self.opts)
        row = await self.cur.fetchone()
        return None if row is None else self.user(row)

    async def list_(self) -> list[User]:
        await self.cur.execute(LIST_USERS, (0, None, data.LIST_SIZE), **self.opts)
        return [self.user(r) for r in await self.cur.fetchall()]

    async def join(self) -> list[ListRoomsWithHostRow]:
        await self.cur.execute(LIST_ROOMS_WITH_HOST, (0, data.JOIN_SIZE), **self.opts)
        return [self.join_row(r) for r in await self.cur.fetchall()]

    def join_row(self, r: Any) -> ListRoomsWithHostRow:
        room = Room(
            r[0], r[1], r[2], self.status[r[3]], self.visibility[r[4]], r[5], r[6], r[7],
            self.difficulty.get(r[8]), r[9], r[10], r[11], r[12], r[13],
        )  # fmt: skip
        host = HostUser(
            r[14], r[15], r[16], r[17], self.host_role[r[18]], r[19], r[20], r[21], r[22], r[23]
        )
        return ListRoomsWithHostRow(room, host)

    async def insert(self) -> User | None:
        params = (data.next_email(), "new", "h", UserRole.USER)
        await self.cur.execute(CREATE_USER, params, **self.opts)
        row = await self.cur.fetchone()
        return None if row is None else self.user(row)

    def ops(self) -> dict[str, Op]:
        return {
            "get-by-key": self.get,
            "list-100": self.list_,
            "join-20": self.join,
            "insert-one": self.insert,
        }


async def batch_unnest(cur: AsyncRawCursor[Any]) -> None:
    """batch-100 as one statement: what a ``:batchexec`` could send instead of executemany."""
    rows = data.SCORES_BATCH
    columns = (
        [p.user_id for p in rows],
        [p.song_id for p in rows],
        [p.score for p in rows],
        [p.accuracy for p in rows],
        [p.grade.value for p in rows],
    )
    await cur.execute(BATCH_UNNEST, columns, prepare=True)


class FastVariant(Variant):
    """The same rows through ``fastpath`` instead of a cursor."""

    def __init__(self, conn: AsyncConnection[Any], *, c_rows: bool, named: bool) -> None:
        super().__init__(conn, binary=True, prepare=None)
        self.conn = conn
        self.fetch: Callable[..., Awaitable[list[Any]]]
        self.fetchone: Callable[..., Awaitable[Any]]
        if not named:
            self.fetch = functools.partial(fastpath.fetch_tx, named=False)
            self.fetchone = functools.partial(fastpath.fetchone_tx, named=False)
        else:
            self.fetch = fastpath.fetch_tx if c_rows else fastpath.fetch
            self.fetchone = fastpath.fetchone_tx if c_rows else fastpath.fetchone

    async def get(self) -> User | None:
        row = await self.fetchone(self.conn, GET_USER_BY_ID, (data.KEY,))
        return None if row is None else self.user(row)

    async def list_(self) -> list[User]:
        found = await self.fetch(self.conn, LIST_USERS, (0, None, data.LIST_SIZE))
        return [self.user(r) for r in found]

    async def join(self) -> list[ListRoomsWithHostRow]:
        found = await self.fetch(self.conn, LIST_ROOMS_WITH_HOST, (0, data.JOIN_SIZE))
        return [self.join_row(r) for r in found]

    async def insert(self) -> User | None:
        params = (data.next_email(), "new", "h", UserRole.USER)
        row = await self.fetchone(self.conn, CREATE_USER, params)
        return None if row is None else self.user(row)


def _fast(name: str, *, c_rows: bool, named: bool = True) -> Callable[..., Any]:
    async def open_(url: str) -> Contender:
        conn = await AsyncConnection.connect(url, autocommit=True)
        return Contender(name, FastVariant(conn, c_rows=c_rows, named=named).ops(), conn.close)

    return open_


def _opener(name: str, *, binary: bool, prepare: bool | None, unnest: bool) -> Callable[..., Any]:
    async def open_(url: str) -> Contender:
        conn = await AsyncConnection.connect(url, autocommit=True)
        variant = Variant(conn, binary=binary, prepare=prepare)
        ops = variant.ops()
        if unnest:
            ops["batch-100"] = lambda: batch_unnest(variant.cur)
        return Contender(name, ops, conn.close)

    return open_


OPENERS = [
    _opener("proto: binary", binary=True, prepare=None, unnest=False),
    _opener("proto: prepared", binary=False, prepare=True, unnest=False),
    _opener("proto: binary + prepared + unnest", binary=True, prepare=True, unnest=True),
    _fast("proto: fast path", c_rows=False),
    _fast("proto: fast path + C rows", c_rows=True),
    _fast("proto: fast path + C rows, unnamed", c_rows=True, named=False),
]

"""asyncpg, raw: the fastest Python driver, written the way its docs show.

The SQL is the generated code's (same text, same plans); statements are prepared and cached
by asyncpg itself; enums arrive as labels and are mapped
through a dict, rows become the same Structs as everywhere else.
"""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information

from bench.queries import data
from bench.queries.contender import Contender
from bench.queries.gen import (
    Difficulty,
    ListRoomsWithHostRow,
    Room,
    RoomStatus,
    RoomVisibility,
)
from bench.queries.gen import User as HostUser
from bench.queries.gen import UserRole as HostRole
from rhythm.db.users import User, UserRole
from rhythm.db.users.query import CREATE_USER, GET_USER_BY_ID, LIST_USERS

USER_COLS = (
    "id, email, display_name, password_hash, role, is_active, created_at, updated_at, deleted_at"
)
# The very statements the generated code sends (asyncpg takes the same $n placeholders).
GET = GET_USER_BY_ID.decode()
LIST = LIST_USERS.decode()
INSERT = CREATE_USER.decode()
JOIN = (
    "SELECT rooms.*, users.* FROM rooms JOIN users ON users.id = rooms.host_id "
    "WHERE rooms.id > $1 ORDER BY rooms.id LIMIT $2"
)
SCORE_COLS = ["user_id", "song_id", "score", "accuracy", "grade"]
BATCH = (
    "INSERT INTO bench_scores (user_id, song_id, score, accuracy, grade) "
    "VALUES ($1, $2, $3, $4, $5)"
)

_ROLE = {m.value: m for m in UserRole}
_HOST_ROLE = {m.value: m for m in HostRole}
_STATUS = {m.value: m for m in RoomStatus}
_VISIBILITY = {m.value: m for m in RoomVisibility}
_DIFFICULTY = {m.value: m for m in Difficulty}


def _user(r: Any) -> User:
    return User(r[0], r[1], r[2], r[3], _ROLE[r[4]], r[5], r[6], r[7], r[8], r[9])


def _join_row(r: Any) -> ListRoomsWithHostRow:
    room = Room(
        r[0], r[1], r[2], _STATUS[r[3]], _VISIBILITY[r[4]], r[5], r[6], r[7],
        _DIFFICULTY.get(r[8]), r[9], r[10], r[11], r[12], r[13],
    )  # fmt: skip
    host = HostUser(
        r[14], r[15], r[16], r[17], _HOST_ROLE[r[18]], r[19], r[20], r[21], r[22], r[23]
    )
    return ListRoomsWithHostRow(room, host)


async def open_asyncpg(url: str, name: str = "asyncpg") -> Contender:
    """Raw asyncpg on a connection of its own; ``name`` lets the same code run twice (A/A)."""
    conn = await asyncpg.connect(url)

    async def get() -> User | None:
        r = await conn.fetchrow(GET, data.KEY)
        return None if r is None else _user(r)

    async def list_() -> list[User]:
        return [_user(r) for r in await conn.fetch(LIST, 0, None, data.LIST_SIZE)]

    async def join() -> list[ListRoomsWithHostRow]:
        return [_join_row(r) for r in await conn.fetch(JOIN, 0, data.JOIN_SIZE)]

    async def insert() -> User | None:
        r = await conn.fetchrow(INSERT, data.next_email(), "new", "h", UserRole.USER)
        return None if r is None else _user(r)

    async def batch() -> None:
        rows = [(s.user_id, s.song_id, s.score, s.accuracy, s.grade) for s in data.SCORES_BATCH]
        await conn.executemany(BATCH, rows)

    async def copy() -> None:
        records = ((s.user_id, s.song_id, s.score, s.accuracy, s.grade) for s in data.SCORES_COPY)
        await conn.copy_records_to_table("bench_scores", records=records, columns=SCORE_COLS)

    ops = {
        "get-by-key": get,
        "list-100": list_,
        "join-20": join,
        "insert-one": insert,
        "batch-100": batch,
        "copy-10k": copy,
    }
    return Contender(name, ops, conn.close)

"""Hand-written psycopg 3, two ways.

naive: how most people write it, the anchors' baseline: a cursor with ``args_row(Struct)``,
``%s`` placeholders, enums registered with ``register_enum`` so psycopg loads them as members.
tuned: the fast way by hand: a raw cursor (server-side ``$n``), tuple rows, Structs built
positionally, enum labels mapped through a dict — what the plugin emits.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection, AsyncRawCursor
from psycopg.rows import args_row, tuple_row
from psycopg.types.enum import EnumInfo, register_enum

from bench.queries import data
from bench.queries.contender import Contender
from bench.queries.gen import Difficulty, ListRoomsWithHostRow, Room, RoomStatus, RoomVisibility
from bench.queries.gen import User as HostUser
from bench.queries.gen import UserRole as HostRole
from rhythm.db.users import User, UserRole

USER_COLS = (
    "id, email, display_name, password_hash, role, is_active, created_at, updated_at, deleted_at, "
    "email_verified_at"
)
GET = f"SELECT {USER_COLS} FROM users WHERE id = %s"
LIST = (
    f"SELECT {USER_COLS} FROM users WHERE id > %s AND (%s::user_role IS NULL OR role = %s) "
    "ORDER BY id LIMIT %s"
)
INSERT = (
    "INSERT INTO users (email, display_name, password_hash, role) VALUES (%s, %s, %s, %s) "
    f"RETURNING {USER_COLS}"
)
JOIN = (
    "SELECT rooms.*, users.* FROM rooms JOIN users ON users.id = rooms.host_id "
    "WHERE rooms.id > %s ORDER BY rooms.id LIMIT %s"
)
SCORE_COLS = "user_id, song_id, score, accuracy, grade"
BATCH = f"INSERT INTO bench_scores ({SCORE_COLS}) VALUES (%s, %s, %s, %s, %s)"
COPY = f"COPY bench_scores ({SCORE_COLS}) FROM STDIN"

_ROLE = {m.value: m for m in UserRole}


async def _register_enums(conn: AsyncConnection[Any], role: type[UserRole | HostRole]) -> None:
    for name, enum in [
        ("user_role", role),
        ("room_status", RoomStatus),
        ("room_visibility", RoomVisibility),
        ("difficulty", Difficulty),
    ]:
        info = await EnumInfo.fetch(conn, name)
        assert info is not None, name
        register_enum(info, conn, enum)


async def open_naive(url: str) -> Contender:
    conn = await AsyncConnection.connect(url, autocommit=True)
    await _register_enums(conn, UserRole)
    # The join's User Struct has its own UserRole class: load user_role as that one there.
    join_conn = await AsyncConnection.connect(url, autocommit=True)
    await _register_enums(join_conn, HostRole)

    async def get() -> User | None:
        async with conn.cursor(row_factory=args_row(User)) as cur:
            await cur.execute(GET, (data.KEY,))
            return await cur.fetchone()

    async def list_() -> list[User]:
        async with conn.cursor(row_factory=args_row(User)) as cur:
            await cur.execute(LIST, (0, None, None, data.LIST_SIZE))
            return await cur.fetchall()

    async def join() -> list[ListRoomsWithHostRow]:
        async with join_conn.cursor() as cur:
            await cur.execute(JOIN, (0, data.JOIN_SIZE))
            return [
                ListRoomsWithHostRow(Room(*r[:14]), HostUser(*r[14:24]))
                for r in await cur.fetchall()
            ]

    async def insert() -> User | None:
        async with conn.cursor(row_factory=args_row(User)) as cur:
            await cur.execute(INSERT, (data.next_email(), "new", "h", UserRole.USER))
            return await cur.fetchone()

    async def batch() -> None:
        async with conn.cursor() as cur:
            rows = [(s.user_id, s.song_id, s.score, s.accuracy, s.grade) for s in data.SCORES_BATCH]
            await cur.executemany(BATCH, rows)

    async def copy() -> None:
        async with conn.cursor() as cur, cur.copy(COPY) as cp:
            for s in data.SCORES_COPY:
                await cp.write_row((s.user_id, s.song_id, s.score, s.accuracy, s.grade))

    ops = {
        "get-by-key": get,
        "list-100": list_,
        "join-20": join,
        "insert-one": insert,
        "batch-100": batch,
        "copy-10k": copy,
    }

    async def close() -> None:
        await conn.close()
        await join_conn.close()

    return Contender("psycopg", ops, close)


def _user(r: tuple[Any, ...]) -> User:
    return User(r[0], r[1], r[2], r[3], _ROLE[r[4]], r[5], r[6], r[7], r[8], r[9])


async def open_tuned(url: str) -> Contender:
    conn = await AsyncConnection.connect(url, autocommit=True)
    get_sql = GET.replace("%s", "$1").encode()
    list_sql = (
        f"SELECT {USER_COLS} FROM users WHERE id > $1 AND ($2::user_role IS NULL OR role = $2) "
        "ORDER BY id LIMIT $3"
    ).encode()
    insert_sql = INSERT.replace("(%s, %s, %s, %s)", "($1, $2, $3, $4)").encode()

    async def get() -> User | None:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(get_sql, (data.KEY,))
        r = await cur.fetchone()
        return None if r is None else _user(r)

    async def list_() -> list[User]:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(list_sql, (0, None, data.LIST_SIZE))
        return [_user(r) for r in await cur.fetchall()]

    async def insert() -> User | None:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(insert_sql, (data.next_email(), "new", "h", UserRole.USER))
        r = await cur.fetchone()
        return None if r is None else _user(r)

    ops = {"get-by-key": get, "list-100": list_, "insert-one": insert}
    return Contender("psycopg tuned", ops, conn.close)

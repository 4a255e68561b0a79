"""The second schema's contenders (the shop of bench/queries/sql_orders/).

- generated: bench/queries/gen_orders, called the way a service calls it (a ``Queries`` per
  operation, keyword arguments or the parameter Struct);
- asyncpg (the reference, and its A/A control): raw asyncpg as its docs show it, the generated
  code's very SQL, jsonb through ``set_type_codec`` with ``json.loads``/``json.dumps`` (asyncpg
  returns jsonb as a string otherwise), enum labels mapped through a dict;
- psycopg: hand-written as most people write it, ``args_row(Struct)``, ``%s`` placeholders,
  the enum registered with ``register_enum``.
Every contender returns the same Structs; ``check`` compares their results before timing.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
import msgspec
from psycopg import AsyncConnection
from psycopg.rows import args_row
from psycopg.types.enum import EnumInfo, register_enum
from psycopg.types.json import Jsonb

from bench.queries import orders_data as data
from bench.queries.contender import Contender
from bench.queries.gen_orders import CustomerTotalsRow, Order, OrderStatus, Queries
from bench.queries.gen_orders.query import (
    CREATE_ORDER,
    CREATE_ORDER_LINES,
    CUSTOMER_TOTALS,
    GET_ORDER,
    LIST_ORDERS,
)


async def open_generated(url: str) -> Contender:
    conn = await AsyncConnection.connect(url, autocommit=True)
    ops = {
        "get-wide": lambda: Queries(conn).get_order(id=data.KEY),
        "list-wide-100": lambda: Queries(conn).list_orders(after_id=0, page_size=data.LIST_SIZE),
        "join-agg-20": lambda: Queries(conn).customer_totals(after_id=0, page_size=data.JOIN_SIZE),
        "insert-wide": lambda: Queries(conn).create_order(data.NEW_ORDER),
        "batch-lines-100": lambda: Queries(conn).create_order_lines(data.LINES),
        "batch-lines-100-unnest": lambda: Queries(conn).create_order_lines_unnest(
            data.LINES_UNNEST
        ),
    }
    return Contender("generated", ops, conn.close)


_STATUS = {m.value: m for m in OrderStatus}


def _order(r: Any) -> Order:
    return Order(
        r[0], r[1], r[2], _STATUS[r[3]], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
        r[12], r[13], r[14], r[15], r[16], r[17], r[18], r[19], r[20], r[21],
    )  # fmt: skip


async def open_asyncpg(url: str, name: str = "asyncpg") -> Contender:
    """Raw asyncpg on a connection of its own; ``name`` lets the same code run twice (A/A)."""
    conn = await asyncpg.connect(url)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    get_sql, list_sql = GET_ORDER.decode(), LIST_ORDERS.decode()
    join_sql, insert_sql = CUSTOMER_TOTALS.decode(), CREATE_ORDER.decode()
    lines_sql = CREATE_ORDER_LINES.decode()

    async def get() -> Order | None:
        r = await conn.fetchrow(get_sql, data.KEY)
        return None if r is None else _order(r)

    async def list_() -> list[Order]:
        return [_order(r) for r in await conn.fetch(list_sql, 0, data.LIST_SIZE)]

    async def join() -> list[CustomerTotalsRow]:
        return [CustomerTotalsRow(*r) for r in await conn.fetch(join_sql, 0, data.JOIN_SIZE)]

    async def insert() -> Order | None:
        r = await conn.fetchrow(insert_sql, *data.NEW_ORDER_ARGS)
        return None if r is None else _order(r)

    async def batch() -> None:
        await conn.executemany(lines_sql, data.LINE_ARGS)

    ops = {
        "get-wide": get,
        "list-wide-100": list_,
        "join-agg-20": join,
        "insert-wide": insert,
        "batch-lines-100": batch,
        "batch-lines-100-unnest": batch,  # asyncpg's own executemany: the reference
    }
    return Contender(name, ops, conn.close)


async def open_psycopg(url: str) -> Contender:
    conn = await AsyncConnection.connect(url, autocommit=True)
    info = await EnumInfo.fetch(conn, "order_status")
    assert info is not None
    register_enum(info, conn, OrderStatus)
    # The generated SQL with psycopg's own placeholders.
    get_sql = GET_ORDER.replace(b"$1", b"%s")
    list_sql = LIST_ORDERS.replace(b"$1", b"%s").replace(b"$2", b"%s")
    join_sql = CUSTOMER_TOTALS.replace(b"$1", b"%s").replace(b"$2", b"%s")
    insert_sql = CREATE_ORDER
    for i in range(21, 0, -1):
        insert_sql = insert_sql.replace(f"${i}".encode(), b"%s")
    lines_sql = CREATE_ORDER_LINES
    for i in range(5, 0, -1):
        lines_sql = lines_sql.replace(f"${i}".encode(), b"%s")
    insert_args = list(data.NEW_ORDER_ARGS)
    insert_args[12] = Jsonb(insert_args[12])

    async def get() -> Order | None:
        async with conn.cursor(row_factory=args_row(Order)) as cur:
            await cur.execute(get_sql, (data.KEY,))
            return await cur.fetchone()

    async def list_() -> list[Order]:
        async with conn.cursor(row_factory=args_row(Order)) as cur:
            await cur.execute(list_sql, (0, data.LIST_SIZE))
            return await cur.fetchall()

    async def join() -> list[CustomerTotalsRow]:
        async with conn.cursor(row_factory=args_row(CustomerTotalsRow)) as cur:
            # $1 > … <= $1 + $2 … LIMIT $2: the placeholders in order of appearance.
            await cur.execute(join_sql, (0, 0, data.JOIN_SIZE, data.JOIN_SIZE))
            return await cur.fetchall()

    async def insert() -> Order | None:
        async with conn.cursor(row_factory=args_row(Order)) as cur:
            await cur.execute(insert_sql, insert_args)
            return await cur.fetchone()

    async def batch() -> None:
        async with conn.cursor() as cur:
            await cur.executemany(lines_sql, data.LINE_ARGS)

    ops = {
        "get-wide": get,
        "list-wide-100": list_,
        "join-agg-20": join,
        "insert-wide": insert,
        "batch-lines-100": batch,
    }
    return Contender("psycopg", ops, conn.close)


def _comparable(value: Any) -> Any:
    """A result as builtins, the new row's id left out (each insert makes another)."""
    if isinstance(value, Order):
        value = msgspec.structs.replace(value, id=0)
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return msgspec.structs.asdict(value) if isinstance(value, msgspec.Struct) else value


async def check(contenders: list[Contender]) -> None:
    """Every contender's reads and insert return what the generated code returns."""
    reference = next(c for c in contenders if c.name == "generated")
    for case in ("get-wide", "list-wide-100", "join-agg-20", "insert-wide"):
        expected = _comparable(await reference.ops[case]())
        for c in contenders:
            got = _comparable(await c.ops[case]())
            if got != expected:
                raise AssertionError(f"{c.name} returns other rows than generated on {case}")

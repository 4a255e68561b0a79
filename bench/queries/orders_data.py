"""The second schema's data (a shop, bench/queries/sql_orders/): the same rows for everyone.

1,000 customers, 200 products, 5,000 orders of 22 columns each (numeric, uuid, timestamptz,
date, jsonb, text[], integer[], bigint[], bool, bytea, double precision, an enum, nullable
columns, about a third of them NULL on a given row).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import msgspec
from psycopg import AsyncConnection

from bench.queries.gen_orders import (
    CreateOrderLinesParams,
    CreateOrderLinesUnnestParams,
    CreateOrderParams,
    OrderStatus,
)

CUSTOMERS = 1000
ORDERS = 5000
KEY = 2500  # get-wide
LIST_SIZE = 100
JOIN_SIZE = 20
BATCH = 100

CASES = (
    "get-wide",
    "list-wide-100",
    "join-agg-20",
    "insert-wide",
    "batch-lines-100",
    "batch-lines-100-unnest",
)
TARGETS = {
    "get-wide": 1.0,
    "list-wide-100": 0.95,
    "join-agg-20": 0.95,
    "insert-wide": 1.0,
    "batch-lines-100": 0.95,
    "batch-lines-100-unnest": 0.95,
}
_EMPTY_LINES = b"TRUNCATE order_lines"
WRITES = {"batch-lines-100": _EMPTY_LINES, "batch-lines-100-unnest": _EMPTY_LINES}  # per slot

_SEED = (
    b"INSERT INTO customers (external_id, email, full_name, country) "
    b"SELECT md5('c' || i)::uuid, 'c' || i || '@shop.example', 'Customer ' || i, "
    b"(ARRAY['FR', 'DE', 'US', 'JP'])[1 + i % 4] FROM generate_series(1, 1000) i",
    b"INSERT INTO products (sku, name, price, tags, attributes) "
    b"SELECT 'SKU-' || i, 'Product ' || i, (i % 500) + 0.99, ARRAY['tag' || i % 7, 'x' || i % 11], "
    b"jsonb_build_object('color', 'c' || i % 5, 'size', i % 40) FROM generate_series(1, 200) i",
    b"INSERT INTO orders (public_id, customer_id, status, currency, subtotal, tax, shipping, "
    b"discount, total, product_ids, quantities, tags, metadata, notes, gift, signature, "
    b"weight_kg, ship_by, delivered_on, created_at, shipped_at) "
    b"SELECT md5('o' || i)::uuid, 1 + i % 1000, "
    b"(ARRAY['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'])[1 + i % 5]::order_status, "
    b"'EUR', 100 + i % 900 + 0.5, 20.10, 4.99, CASE WHEN i % 3 = 0 THEN 5.00 END, "
    b"125.59 + i % 900, ARRAY[1 + i % 200, 1 + (i * 7) % 200, 1 + (i * 13) % 200]::bigint[], "
    b"ARRAY[1, 2, i % 5 + 1], ARRAY['web', 'promo-' || i % 9], "
    b"jsonb_build_object('source', 'web', 'campaign', 'c' || i % 17, "
    b"'items', jsonb_build_array(i % 3, i % 7), 'score', (i % 100) / 8.0), "
    b"CASE WHEN i % 4 = 0 THEN 'leave at the door' END, i % 10 = 0, "
    b"CASE WHEN i % 2 = 0 THEN decode(md5('s' || i), 'hex') END, "
    b"CASE WHEN i % 5 <> 0 THEN 1.25 * (i % 9) END, date '2026-12-01' + i % 30, "
    b"CASE WHEN i % 5 = 3 THEN date '2026-12-10' + i % 20 END, "
    b"timestamptz '2026-11-01 10:00+00' + i * interval '7 minutes', "
    b"CASE WHEN i % 5 >= 2 THEN timestamptz '2026-11-02 12:00+00' + i * interval '7 minutes' END "
    b"FROM generate_series(1, 5000) i",
)

NEW_ORDER = CreateOrderParams(
    public_id=uuid.UUID("6f1c1f9e-8a51-4c7e-9a53-1c3f0e1d2b4a"),
    customer_id=42,
    status=OrderStatus.PAID,
    currency="EUR",
    subtotal=decimal.Decimal("149.90"),
    tax=decimal.Decimal("29.98"),
    shipping=decimal.Decimal("4.99"),
    discount=None,
    total=decimal.Decimal("184.87"),
    product_ids=[3, 17, 120],
    quantities=[1, 2, 1],
    tags=["web", "first-order"],
    metadata={"source": "app", "campaign": "winter", "items": [3, 17], "score": 4.5},
    notes="ring twice",
    gift=True,
    signature=b"\x00\x01signed\xff",
    weight_kg=2.75,
    ship_by=datetime.date(2026, 12, 3),
    delivered_on=None,
    created_at=datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC),
    shipped_at=None,
)
# The statement's parameters in $n order, for the contenders that take a tuple.
NEW_ORDER_ARGS: tuple[Any, ...] = tuple(
    getattr(NEW_ORDER, f) for f in CreateOrderParams.__struct_fields__
)

LINES = [
    CreateOrderLinesParams(
        order_id=1 + i % 50,
        product_id=1 + i % 200,
        quantity=1 + i % 4,
        unit_price=decimal.Decimal(f"{i % 90}.99"),
        note=None if i % 3 else f"line {i}",
    )
    for i in range(BATCH)
]
LINES_UNNEST = [CreateOrderLinesUnnestParams(**msgspec.structs.asdict(p)) for p in LINES]
LINE_ARGS = [tuple(getattr(p, f) for f in CreateOrderLinesParams.__struct_fields__) for p in LINES]


async def seed(conn: AsyncConnection[Any]) -> None:
    for statement in _SEED:
        await conn.execute(statement)
    # As in data.seed: commits would otherwise wait for the shared disk.
    await conn.execute(
        b"DO $$ BEGIN EXECUTE format("
        b"'ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$"
    )
    await conn.execute(b"VACUUM ANALYZE")

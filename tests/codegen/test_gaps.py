"""Real-world query shapes that once broke the output, run against a real PostgreSQL.

Corpus case `gaps`: parameters named like the generated methods' locals, void functions,
sqlc.slice, extension types through overrides, and batches that fail half-way.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, get_type_hints

import psycopg
import pytest
from psycopg import AsyncConnection, Connection
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from tests.codegen.golden.gaps import (
    CarrierKind,
    CopyCarriersParams,
    CreateCarriersManyParams,
    CreateCarriersParams,
    CreateCarriersReturningParams,
    MoneyAmount,
    Queries,
    SetAddressParams,
    ShippingAddress,
    SyncQueries,
)

SCHEMA = Path(__file__).parent / "corpus" / "gaps" / "schema.sql"


@pytest.fixture
def gaps_url(blank_database_url: str) -> str:
    with psycopg.connect(blank_database_url, autocommit=True) as conn:
        conn.execute(SCHEMA.read_bytes())
    return blank_database_url


@pytest.fixture
async def conn(gaps_url: str) -> AsyncIterator[AsyncConnection[Any]]:
    async with await AsyncConnection.connect(gaps_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def sync_conn(gaps_url: str) -> Iterator[Connection[Any]]:
    with Connection.connect(gaps_url, autocommit=True) as connection:
        yield connection


async def _names(conn: AsyncConnection[Any]) -> list[str]:
    return await Queries(conn).carrier_names()


async def test_parameters_named_like_locals(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    made = await q.create_carrier(name="a", kind=CarrierKind.RAIL, value_=5, row_="r")
    assert made is not None
    assert (made.kind, made.value, made.row) == (CarrierKind.RAIL, 5, "r")
    assert await q.get_value(value_=5) == 5
    assert await q.get_value(value_=6) is None
    by_row = await q.carrier_by_row(row_="r", value_=5)
    assert by_row is not None
    assert by_row.id == made.id
    locals_ = await q.list_by_locals(rows_=0, cur_=10, conn_="x", db_="y")
    assert [(r.id, r.value) for r in locals_] == [(made.id, 5)]
    more = {"batches_": "x", "batch_": "x", "args_": "x"}
    assert await q.list_by_more_locals(results_="x", **more) == [made.id]
    assert await q.list_by_more_locals(results_="a", **more) == []
    found = await q.find_by_even_more_locals(
        p_="x", tuple_row_="x", load_enum_array_="x", self_="x"
    )
    assert found is not None
    assert found.name == "a"
    assert await q.count_by_last_locals(result_="x", copy_="x", params_="x", int_=0) == 1
    assert await q.names_of_value([5, 7]) == [["a"], []]


async def test_void_columns(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    # The method is annotated -> None (there is no value to return), and the lock is held.
    assert get_type_hints(Queries.lock_carrier)["return"] is type(None)
    await q.lock_carrier(pg_advisory_lock=42)
    async with await AsyncConnection.connect(conn.info.dsn, autocommit=True) as other:
        assert await Queries(other).try_lock_carrier(pg_try_advisory_lock=42) is False
    await q.unlock_all()
    assert await q.try_lock_carrier(pg_try_advisory_lock=42) is True
    await q.unlock_all()
    assert await q.notify_carriers(channel="c", payload="p") == [None]
    async with conn.transaction():
        assert await q.lock_carriers_batch([1, 2]) == [None, None]


async def test_slices_become_one_array(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    await q.copy_carriers(CopyCarriersParams(name=f"c{i}", value_=i) for i in range(5))
    ids = [row.id for row in await q.carriers_by_ids(ids=list(range(1, 100)))]
    assert len(ids) == 5
    assert [r.name for r in await q.carriers_by_ids(ids=[ids[1], ids[3], -1])] == ["c1", "c3"]
    assert await q.carriers_by_ids(ids=[]) == []
    assert await q.carriers_not_named(value_=2, names=["c3"]) == [ids[2], ids[4]]
    assert await q.carriers_not_named(value_=0, names=[]) == ids
    assert await q.delete_carriers_of_kinds(kinds=[CarrierKind.SEA]) == 0
    assert await q.delete_carriers_of_kinds(kinds=[CarrierKind.ROAD, CarrierKind.RAIL]) == 5


async def test_extension_types_through_overrides(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    made = await q.create_carrier(name="ext", kind=CarrierKind.SEA, value_=1, row_=None)
    assert made is not None
    await q.set_extras(id=made.id, email="Ann@Example.ORG", path="top.sea.ext", embedding="[1,2,3]")
    extras = await q.get_extras(id=made.id)
    assert extras is not None
    assert (extras.email, extras.path, extras.embedding) == (
        "Ann@Example.ORG",
        "top.sea.ext",
        "[1,2,3]",
    )
    under = await q.carriers_under(pattern="top.*")
    assert [(r.id, r.path) for r in under] == [(made.id, "top.sea.ext")]
    assert await q.nearest_carriers(target="[1,2,4]") == [made.id]


# ---- a batch is all or nothing -------------------------------------------------------------

DUPLICATE = ["b1", "b2", "b1", "b3"]  # the third item violates carriers.name's UNIQUE


async def _each_batch_fails_whole(q: Queries) -> None:
    with pytest.raises(psycopg.errors.UniqueViolation):
        await q.create_carriers(CreateCarriersParams(name=n, value_=1) for n in DUPLICATE)
    with pytest.raises(psycopg.errors.UniqueViolation):
        await q.create_carriers_returning(
            [CreateCarriersReturningParams(name=n, value_=1) for n in DUPLICATE]
        )
    with pytest.raises(psycopg.errors.UniqueViolation):
        await q.create_carriers_many(
            [CreateCarriersManyParams(name=n, value_=1) for n in DUPLICATE]
        )
    with pytest.raises(psycopg.errors.UniqueViolation):
        await q.copy_carriers(CopyCarriersParams(name=n, value_=1) for n in DUPLICATE)


async def test_batch_on_pool_is_all_or_nothing(gaps_url: str) -> None:
    async with AsyncConnectionPool(gaps_url, min_size=1, max_size=2, open=False) as pool:
        q = Queries(pool)
        await _each_batch_fails_whole(q)
        assert await q.carrier_names() == []
        await q.create_carriers(CreateCarriersParams(name=n, value_=1) for n in ["b1", "b2"])
        assert await q.carrier_names() == ["b1", "b2"]


async def test_batch_on_autocommit_connection_is_all_or_nothing(conn: AsyncConnection[Any]) -> None:
    await _each_batch_fails_whole(Queries(conn))
    assert await _names(conn) == []


async def test_batch_in_transaction_rolls_back_with_it(gaps_url: str) -> None:
    async with await AsyncConnection.connect(gaps_url) as connection:
        q = Queries(connection)
        with pytest.raises(psycopg.errors.UniqueViolation):
            async with connection.transaction():
                await q.create_carriers(CreateCarriersParams(name=n, value_=1) for n in DUPLICATE)
        assert await q.carrier_names() == []


def test_sync_batch_is_all_or_nothing(sync_conn: Connection[Any], gaps_url: str) -> None:
    q = SyncQueries(sync_conn)
    with pytest.raises(psycopg.errors.UniqueViolation):
        q.create_carriers(CreateCarriersParams(name=n, value_=1) for n in DUPLICATE)
    with pytest.raises(psycopg.errors.UniqueViolation):
        q.create_carriers_many([CreateCarriersManyParams(name=n, value_=1) for n in DUPLICATE])
    with ConnectionPool(gaps_url, min_size=1, max_size=1, open=True) as pool:
        on_pool = SyncQueries(pool)
        with pytest.raises(psycopg.errors.UniqueViolation):
            on_pool.copy_carriers(CopyCarriersParams(name=n, value_=1) for n in DUPLICATE)
        with pytest.raises(psycopg.errors.UniqueViolation):
            on_pool.create_carriers_returning(
                [CreateCarriersReturningParams(name=n, value_=1) for n in DUPLICATE]
            )
        assert on_pool.carrier_names() == []


# ---- composite types are Structs, both ways ------------------------------------------------

WHEN = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)


async def test_composites_load_and_dump_as_structs(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    made = await q.create_carrier(name="comp", kind=CarrierKind.ROAD, value_=1, row_=None)
    assert made is not None
    assert await q.get_address(id=made.id) is None
    tricky = 'Rue "du" (Bac), \\ 7'
    await q.set_address(SetAddressParams(made.id, tricky, "", "75007", WHEN, CarrierKind.SEA))
    address = await q.get_address(id=made.id)
    assert address == ShippingAddress(tricky, "", "75007", WHEN, CarrierKind.SEA)
    assert address is not None
    assert type(address.kind) is CarrierKind
    price = MoneyAmount(decimal.Decimal("12.50"), "EUR")
    await q.set_price(id=made.id, price=price)
    priced = await q.get_priced(id=made.id)
    assert priced is not None
    assert (priced.address, priced.price) == (address, price)
    carrier = await q.get_carrier(id=made.id)
    assert carrier is not None
    assert (carrier.address, carrier.price) == (address, price)
    cheaper = await q.carriers_cheaper_than(limit_amount=decimal.Decimal(13))
    assert [(r.id, r.amount) for r in cheaper] == [(made.id, decimal.Decimal("12.50"))]
    await q.set_price(id=made.id, price=MoneyAmount(None, ""))
    assert (await q.get_carrier(id=made.id) or carrier).price == MoneyAmount(None, "")
    await q.set_price(id=made.id, price=None)
    assert (await q.get_carrier(id=made.id) or carrier).price is None

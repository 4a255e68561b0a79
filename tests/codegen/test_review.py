"""Shapes a review of real-world schemas found broken, run against a real PostgreSQL.

Corpus case `review`: tables named like what the generated modules import (Connection, Json,
Range, Protocol, Final, Iterable, Composite ...), array parameters psycopg would type from
their values, composites holding bytea and json, json/jsonb arrays, an enum array as a
single result, and iterators abandoned half-way.
"""

from __future__ import annotations

import asyncio
import contextlib
import decimal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.multirange import Multirange
from psycopg.types.range import Range as PgRange
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from tests.codegen.golden.review import (
    AddIterablesParams,
    AddPostParams,
    AddPostsParams,
    Blob,
    Color,
    CopyBlobsParams,
    CopyPostsParams,
    CountOverlappingParams,
    Querier,
    Queries,
    Span,
    SyncQuerier,
    SyncQueries,
)
from tests.codegen.golden.review import Connection as ConnectionRow
from tests.codegen.sqlc_run import CORPUS, PLUGIN, sqlc

SCHEMA = CORPUS / "review" / "schema.sql"


@pytest.fixture
def review_url(blank_database_url: str) -> str:
    with psycopg.connect(blank_database_url, autocommit=True) as conn:
        conn.execute(SCHEMA.read_bytes())
    return blank_database_url


@pytest.fixture
async def conn(review_url: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    async with await psycopg.AsyncConnection.connect(review_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def sync_conn(review_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.Connection.connect(review_url, autocommit=True) as connection:
        yield connection


# ---- 1. models named like the names the generated modules import ---------------------------


def test_queriers_stay_protocols_whatever_the_tables_are_called() -> None:
    assert getattr(Querier, "_is_protocol", False)
    assert getattr(SyncQuerier, "_is_protocol", False)


async def test_models_named_like_imports_work_async(conn: psycopg.AsyncConnection[Any]) -> None:
    q = Queries(conn)
    made = await q.add_connection(host="db1")
    assert isinstance(made, ConnectionRow)
    assert [c.host for c in await q.list_connections()] == ["db1"]
    assert (await q.add_async_connection(host="db2")) is not None
    assert (await q.add_raw_cursor()) is not None
    json = await q.add_json(doc={"a": [1, "x"]}, raw=["r"])
    assert json is not None
    assert (json.doc, json.raw) == ({"a": [1, "x"]}, ["r"])
    during = PgRange(1, 5)
    ranged = await q.add_range(during=during, sizes=Multirange([PgRange(1, 3)]))
    assert ranged is not None
    assert ranged.during == during
    assert ranged.sizes == Multirange([PgRange(1, 3)])
    protocol, final = await q.add_protocol(name="p"), await q.add_final(name="f")
    assert (protocol and protocol.name, final and final.name) == ("p", "f")
    assert await q.add_iterables(AddIterablesParams(name=n) for n in ["a", "b"]) == 2
    assert [i.name for i in await q.list_iterables()] == ["a", "b"]
    assert [i.name async for i in q.iter_list_iterables()] == ["a", "b"]
    iterator = await q.add_iterator(name="i")
    assert iterator is not None
    assert await q.list_async_iterators() == []
    composite = await q.add_composite(extent=Span(lo=1, hi=None))
    assert composite is not None
    assert composite.extent == Span(lo=1, hi=None)
    assert (await q.add_json_field()) is not None


def test_models_named_like_imports_work_sync(sync_conn: psycopg.Connection[Any]) -> None:
    q = SyncQueries(sync_conn)
    assert q.add_connection(host="db1") is not None
    assert [c.host for c in q.list_connections()] == ["db1"]
    json = q.add_json(doc="just a string", raw=None)
    assert json is not None
    assert (json.doc, json.raw) == ("just a string", None)
    assert q.add_iterables([AddIterablesParams(name="c")]) == 1
    assert [i.name for i in q.iter_list_iterables()] == ["c"]


@pytest.mark.parametrize(
    ("schema", "needle"),
    [
        (
            "CREATE TYPE address AS (street text);\n"
            "CREATE TABLE addresses (id int PRIMARY KEY, home address);",
            "table public.addresses and composite type public.address both define 'Address'",
        ),
        ("CREATE TABLE stubs (id int);", "table public.stubs and the plugin both define 'Stub'"),
    ],
)
def test_a_class_name_taken_twice_is_refused(tmp_path: Path, schema: str, needle: str) -> None:
    (tmp_path / "schema.sql").write_text(schema)
    table = schema.split("CREATE TABLE ")[1].split(" ")[0]
    (tmp_path / "query.sql").write_text(f"-- name: ListAll :many\nSELECT * FROM {table};\n")
    config = (CORPUS / "review" / "sqlc.yaml").read_text()
    config = config.replace("cmd: sqlc-gen-python", f"cmd: {PLUGIN}")
    config = config.replace("[names.sql, arrays.sql, blobs.sql, streams.sql]", "[query.sql]")
    (tmp_path / "sqlc.yaml").write_text(config)
    result = sqlc(["generate"], tmp_path)
    assert result.returncode != 0
    assert needle in result.stderr


# ---- 2 and 4. array parameters sent as their declared type, json arrays wrapped --------------

SMALL = AddPostParams(
    tag_ids=[1, 2],
    small_ids=[3],
    scores=[1.5],
    weights=[2.5],
    prices=[decimal.Decimal("9.99")],
    codes=["ab"],
    letters=["xy"],
    docs=[{"k": 1}, [1, 2], "s", None],
    raws=[{"r": True}],
    colors=[Color.RED, Color.BLUE],
)


def _overlapping(post: AddPostParams) -> CountOverlappingParams:
    fields = ("small_ids", "scores", "weights", "prices", "codes", "letters")
    return CountOverlappingParams(**{name: getattr(post, name) for name in fields})


async def test_array_parameters_keep_their_declared_type(
    conn: psycopg.AsyncConnection[Any],
) -> None:
    q = Queries(conn)
    first = await q.add_post(SMALL)
    assert first is not None
    await q.add_posts([AddPostsParams(tag_ids=[2, 10**12], docs=[{"b": 2}])])
    copied = CopyPostsParams(**{f: getattr(SMALL, f) for f in SMALL.__struct_fields__})
    assert await q.copy_posts([copied]) == 1
    assert await q.posts_with_any_tag(tag_ids=[1]) == [first, first + 2]
    assert len(await q.posts_with_any_tag(tag_ids=[2])) == 3
    assert await q.posts_with_tags([[10**12], [1, 2], []]) == [
        [first + 1],
        [first, first + 2],
        [first, first + 1, first + 2],
    ]
    assert await q.count_overlapping(_overlapping(SMALL)) == 2
    docs = await q.post_docs(id=first)
    assert docs is not None
    assert (docs.docs, docs.raws) == (SMALL.docs, SMALL.raws)
    assert await q.delete_posts_with_tags(tag_ids=[1, 2]) == 2


def test_array_parameters_keep_their_declared_type_sync(
    sync_conn: psycopg.Connection[Any],
) -> None:
    q = SyncQueries(sync_conn)
    first = q.add_post(SMALL)
    assert first is not None
    q.add_posts([AddPostsParams(tag_ids=[7], docs=[])])
    assert q.posts_with_any_tag(tag_ids=[7, 1]) == [first, first + 1]
    assert q.posts_with_tags([[7]]) == [[first + 1]]
    assert q.count_overlapping(_overlapping(SMALL)) == 1


# ---- 3. composites holding bytea and json ----------------------------------------------------

TRICKY = b"'\"\\\x00\xff,()"
BLOBS = [
    Blob(label="quote's", data=TRICKY, doc={"a": ["'", '"', "\\"]}, raw=[1, "two"]),
    Blob(label=None, data=b"", doc="a string", raw=None),
    Blob(label="x", data=None, doc=[], raw={"k": None}),
]


async def test_composites_round_trip_bytea_and_json(conn: psycopg.AsyncConnection[Any]) -> None:
    q = Queries(conn)
    for blob in BLOBS:
        row = await q.add_blob(item=blob)
        assert row is not None
        assert row.item == blob
    assert await q.copy_blobs(CopyBlobsParams(item=blob) for blob in BLOBS) == len(BLOBS)
    assert [row.item for row in await q.list_blobs()] == BLOBS * 2
    raw = await conn.execute("SELECT (item).data, (item).doc FROM blob_rows ORDER BY id LIMIT 1")
    assert await raw.fetchone() == (TRICKY, {"a": ["'", '"', "\\"]})


# ---- 5. an iterator abandoned half-way leaves its connection usable --------------------------


async def test_async_iterator_closed_early_frees_the_connection(review_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(review_url, autocommit=True) as connection:
        q = Queries(connection)
        await q.add_numbers(p1=1000)
        async with contextlib.aclosing(q.iter_list_numbers()) as numbers:
            async for n in numbers:
                if n == 3:
                    break
        assert await asyncio.wait_for(q.count_numbers(), 10) == 1000
    async with AsyncConnectionPool(review_url, min_size=1, max_size=1, open=False) as pool:
        on_pool = Queries(pool)
        async with contextlib.aclosing(on_pool.iter_list_numbers()) as numbers:
            async for _ in numbers:
                break
        assert await asyncio.wait_for(on_pool.count_numbers(), 10) == 1000


def test_sync_iterator_abandoned_early_frees_the_connection(
    sync_conn: psycopg.Connection[Any], review_url: str
) -> None:
    q = SyncQueries(sync_conn)
    q.add_numbers(p1=1000)
    for n in q.iter_list_numbers():
        if n == 3:
            break
    assert q.count_numbers() == 1000
    with ConnectionPool(review_url, min_size=1, max_size=1, timeout=10) as pool:
        on_pool = SyncQueries(pool)
        with contextlib.closing(on_pool.iter_list_numbers()) as numbers:
            next(numbers)
        assert on_pool.count_numbers() == 1000


# ---- 6. one enum-array column as the whole result ---------------------------------------------


async def test_enum_array_as_the_single_result(conn: psycopg.AsyncConnection[Any]) -> None:
    q = Queries(conn)
    first = await q.add_post(SMALL)
    assert first is not None
    assert await q.post_colors(id=first) == [Color.RED, Color.BLUE]
    assert await q.add_post_colors(colors=[Color.GREEN]) == [Color.GREEN]


def test_enum_array_as_the_single_result_sync(sync_conn: psycopg.Connection[Any]) -> None:
    q = SyncQueries(sync_conn)
    first = q.add_post(SMALL)
    assert first is not None
    assert q.post_colors(id=first) == [Color.RED, Color.BLUE]
    assert q.add_post_colors(colors=[]) == []

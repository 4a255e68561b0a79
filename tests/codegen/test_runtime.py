"""The generated code run against a real PostgreSQL: every annotation, every mapped type."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import AsyncConnection, Connection
from psycopg.types.multirange import Multirange
from psycopg.types.range import Range
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from tests.codegen.corpus_types import AuthorSettings
from tests.codegen.golden.kitchen import (
    Author,
    BatchBooksByAuthorRow,
    Class,
    CopyAuthorsParams,
    CopyBooksParams,
    CreateAuthorParams,
    InsertKindsParams,
    InventoryColor,
    Mood,
    Queries,
    SyncQueries,
)
from tests.codegen.golden.kitchen.books import BatchCreateBooksParams
from tests.codegen.golden.kitchen.kinds import InsertClassParams

SCHEMA = Path(__file__).parent / "corpus" / "kitchen" / "schema.sql"
UTC = datetime.UTC


@pytest.fixture
def kitchen_url(blank_database_url: str) -> str:
    with psycopg.connect(blank_database_url, autocommit=True) as conn:
        conn.execute(SCHEMA.read_bytes())
    return blank_database_url


@pytest.fixture
async def conn(kitchen_url: str) -> AsyncIterator[AsyncConnection[Any]]:
    async with await AsyncConnection.connect(kitchen_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def sync_conn(kitchen_url: str) -> Iterator[Connection[Any]]:
    with Connection.connect(kitchen_url, autocommit=True) as connection:
        yield connection


def _settings() -> AuthorSettings:
    return AuthorSettings(theme="light", volume=7)


def _author(name: str, mood: Mood = Mood.HAPPY, **kw: Any) -> CreateAuthorParams:
    values: dict[str, Any] = {"moods": None, "bio": None, "settings": _settings()}
    values.update(kw)
    return CreateAuthorParams(name=name, mood=mood, **values)


ALL_TYPES = InsertKindsParams(
    c_int2=-2,
    c_int4=2_000_000_000,
    c_int8=2**40,
    c_float4=1.5,
    c_float8=2.25,
    c_numeric=decimal.Decimal("12345.678900"),
    c_bool=True,
    c_text="100% sure? $1 %s",
    c_varchar="short",
    c_char="abc",
    c_bytea=b"\x00\xff\x10",
    c_uuid=uuid.UUID("12345678-1234-5678-1234-567812345678"),
    c_date=datetime.date(2024, 2, 29),
    c_time=datetime.time(12, 34, 56, 789),
    c_timetz=datetime.time(1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    c_timestamp=datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
    c_timestamptz=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    c_interval=datetime.timedelta(days=3, seconds=7, microseconds=8),
    c_inet=ipaddress.ip_interface("192.168.0.1/24"),
    c_cidr=ipaddress.ip_network("2001:db8::/32"),
    c_macaddr="08:00:2b:01:02:03",
    c_json={"a": [1, 2, None]},
    c_jsonb={"b": {"c": "d"}},
    c_int4range=Range(1, 10),
    c_int8range=Range(1, 2**40),
    c_numrange=Range(decimal.Decimal("1.5"), decimal.Decimal("2.5"), "[]"),
    c_tstzrange=Range(
        datetime.datetime(2024, 1, 1, tzinfo=UTC), datetime.datetime(2024, 2, 1, tzinfo=UTC)
    ),
    c_daterange=Range(datetime.date(2024, 1, 1), datetime.date(2024, 1, 31)),
    c_int4multirange=Multirange([Range(1, 3), Range(5, 7)]),
    c_money="12.50",
    c_bit="101",
    c_varbit="11010",
    c_tsvector="fat cat",
    c_oid=12345,
    c_int_array=[1, 2, 3],
    c_text_grid=[["a", "b,c"], ['"d"', "NULL"]],
    c_mood=Mood.SAD_FACE,
    c_mood_array=[Mood.IT_S, Mood.WITH_QUOTE, Mood.A_B, Mood.A_B_2, Mood.NONE],
    c_mood_grid=[[Mood.HAPPY, Mood.A_B_2], [Mood.WITH_QUOTE, Mood.IT_S]],
    c_domain=7,
    c_email="x@example.org",
    c_color=InventoryColor.GREEN,
)


async def test_every_type_round_trips(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    new_id = await q.insert_kinds(ALL_TYPES)
    assert isinstance(new_id, int)
    row = await q.get_kinds(id=new_id)
    assert row is not None
    got = {f: getattr(row, f) for f in row.__struct_fields__ if f != "id"}
    sent = {f: getattr(ALL_TYPES, f) for f in ALL_TYPES.__struct_fields__}
    # Types PostgreSQL returns in its own text form.
    assert got.pop("c_money") == "$12.50"
    assert got.pop("c_tsvector") == "'cat' 'fat'"
    del sent["c_money"], sent["c_tsvector"]
    assert got == sent
    assert row.c_timestamptz is not None
    assert row.c_timestamptz.tzinfo is not None
    assert type(row.c_mood) is Mood
    assert all(type(m) is Mood for m in row.c_mood_array or [])
    assert type(row.c_color) is InventoryColor


async def test_nulls_round_trip(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    nulls = InsertKindsParams(**dict.fromkeys(InsertKindsParams.__struct_fields__))
    new_id = await q.insert_kinds(nulls)
    assert new_id is not None
    row = await q.get_kinds(id=new_id)
    assert row is not None
    assert all(getattr(row, f) is None for f in row.__struct_fields__ if f != "id")


async def test_one_many_exec_annotations(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    ann = await q.create_author(
        _author("Ann", Mood.SAD_FACE, moods=[Mood.A_B_2, Mood.WITH_QUOTE], bio={"x": 1})
    )
    bob = await q.create_author(_author("Bob"))
    assert ann is not None
    assert bob is not None
    assert ann.moods == [Mood.A_B_2, Mood.WITH_QUOTE]
    assert ann.settings == _settings()
    assert type(ann.settings) is AuthorSettings
    assert await q.get_author(id=ann.id) == ann
    assert await q.get_author(id=-1) is None
    assert await q.list_authors_by_mood(moods=[Mood.SAD_FACE, Mood.HAPPY], name=None) == [ann, bob]
    assert await q.list_authors_by_mood(moods=[Mood.HAPPY], name=None) == [bob]
    assert await q.list_authors_by_mood(moods=[Mood.HAPPY, Mood.SAD_FACE], name="Ann") == [ann]
    assert await q.list_authors_by_mood(moods=[], name=None) == []
    assert [a async for a in q.iter_list_authors_by_mood(moods=list(Mood), name=None)] == [
        ann,
        bob,
    ]
    assert await q.list_author_names() == ["Ann", "Bob"]
    assert await q.count_authors() == 2
    await q.update_author_bio(bio={"new": True}, id=bob.id)
    bob2 = await q.get_author(id=bob.id)
    assert bob2 is not None
    assert bob2.bio == {"new": True}
    await q.update_author_bio(bio=None, id=bob.id)
    bob3 = await q.get_author(id=bob.id)
    assert bob3 is not None
    assert bob3.bio is None
    result = await q.rename_authors(name="!", mood=Mood.HAPPY)
    assert (result.rowcount, result.status) == (1, "UPDATE 1")
    assert await q.delete_author(id=bob.id) == 1
    assert await q.delete_author(id=bob.id) == 0


async def test_copy_and_batches(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    copied = await q.copy_authors(
        CopyAuthorsParams(name=f"a{i}", mood=Mood.WITH_QUOTE, settings=_settings())
        for i in range(50)
    )
    assert copied == 50
    authors = await q.list_authors_by_mood(moods=[Mood.WITH_QUOTE], name=None)
    assert len(authors) == 50
    assert authors[0].settings == _settings()
    first = authors[0].id
    books = [
        CopyBooksParams(author_id=first, title=f"t{i}", price=decimal.Decimal("9.99"), tags=["x"])
        for i in range(20)
    ]
    assert await q.copy_books(books) == 20  # binary COPY
    await q.batch_create_books(
        BatchCreateBooksParams(author_id=authors[1].id, title=f"b{i}", price=None) for i in range(3)
    )
    batches = await q.batch_books_by_author([first, authors[1].id, -1])
    assert [len(b) for b in batches] == [20, 3, 0]
    assert isinstance(batches[1][0], BatchBooksByAuthorRow)
    assert batches[1][0].title == "b0"
    got = await q.batch_get_author([first, -1])
    assert got[0] == authors[0]
    assert got[1] is None
    assert await q.batch_get_author([]) == []
    book_id = await q.create_book(author_id=first, title="solo", price=None, tags=[])
    assert isinstance(book_id, int)


async def test_embed_placeholders_schemas_domains(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    author = await q.create_author(_author("Emb", Mood.A_B))
    assert author is not None
    await q.create_book(
        author_id=author.id, title="T", price=decimal.Decimal("2.50"), tags=["a", "b"]
    )
    [row] = await q.list_books_with_authors()
    assert row.authors == author
    assert (row.books.title, row.books.tags, row.double_price) == (
        "T",
        ["a", "b"],
        decimal.Decimal("5.00"),
    )
    placeholders = await q.placeholders(p1=3, p2=10)
    assert placeholders is not None
    assert (placeholders.diff, placeholders.again) == (7, 10)
    assert placeholders.literal == "100% sure? $1 $2 %s %(x)s"
    item = await q.create_item(color=InventoryColor.RED, quantity=3)
    assert item is not None
    assert item.color is InventoryColor.RED
    assert await q.get_item(id=item.id) == item
    with pytest.raises(psycopg.errors.CheckViolation):
        await q.create_item(color=InventoryColor.RED, quantity=0)


async def test_hostile_identifiers(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    when = datetime.datetime(2024, 5, 6, tzinfo=UTC)
    await q.insert_class(InsertClassParams(1, "d", 2, "first", "me", "r", when))
    assert await q.list_class() == [Class(1, "d", 2, "first", "me", "r", when)]


async def test_pool_borrows_and_transaction_rolls_back(kitchen_url: str) -> None:
    async with AsyncConnectionPool(kitchen_url, min_size=1, max_size=2, open=False) as pool:
        on_pool = Queries(pool)
        kept = await on_pool.create_author(_author("Committed"))
        assert kept is not None
        async with pool.connection() as connection:
            in_tx = Queries(connection)
            with pytest.raises(RuntimeError):
                async with connection.transaction():
                    await in_tx.create_author(_author("Rolled back"))
                    assert await in_tx.count_authors() == 2  # visible inside the transaction
                    raise RuntimeError("abort")
        assert await on_pool.list_author_names() == ["Committed"]
        names = [a async for a in on_pool.iter_list_author_names()]
        assert names == ["Committed"]


def test_sync_connection_and_pool(sync_conn: Connection[Any], kitchen_url: str) -> None:
    q = SyncQueries(sync_conn)
    author = q.create_author(_author("Sync", Mood.NONE, moods=[Mood.NONE]))
    assert author is not None
    assert author.mood is Mood.NONE
    assert q.get_author(id=author.id) == author
    assert list(q.iter_list_author_names()) == ["Sync"]
    assert q.copy_books([CopyBooksParams(author_id=author.id, title="s", price=None, tags=[])]) == 1
    with ConnectionPool(kitchen_url, min_size=1, max_size=1, open=True) as pool:
        on_pool = SyncQueries(pool)
        assert on_pool.count_authors() == 1
        assert [type(a) for a in on_pool.batch_get_author([author.id])] == [Author]

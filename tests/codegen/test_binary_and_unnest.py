"""Results in binary where the values are the same as in text; `@unnest` batches as one INSERT."""

from __future__ import annotations

import decimal
import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import AsyncConnection, AsyncRawCursor

from tests.codegen.corpus_types import AuthorSettings
from tests.codegen.golden.gaps import carriers
from tests.codegen.golden.kitchen import (
    BatchAddBooksParams,
    BatchCreateBooksParams,
    CreateAuthorParams,
    Mood,
    Queries,
    authors,
    books,
)
from tests.codegen.golden.kitchen.models import _MOOD_BY_LABEL
from tests.codegen.sqlc_run import CORPUS, prepare, sqlc

SCHEMA = CORPUS / "kitchen" / "schema.sql"


@pytest.fixture
async def conn(blank_database_url: str) -> AsyncIterator[AsyncConnection[Any]]:
    with psycopg.connect(blank_database_url, autocommit=True) as setup:
        setup.execute(SCHEMA.read_bytes())
    async with await AsyncConnection.connect(blank_database_url, autocommit=True) as c:
        yield c


def _reads_binary(method: Any) -> bool:
    return "binary=True" in inspect.getsource(method)


def test_binary_only_where_every_column_loads_the_same() -> None:
    # Plain built-ins and enums: binary. json/jsonb, enum arrays, domains: the whole query text.
    assert _reads_binary(authors.AuthorsQueries.list_author_names)
    assert _reads_binary(books.BooksQueries.create_book)
    assert _reads_binary(carriers.CarriersQueries.carrier_stats_by_kind)  # an enum column
    assert not _reads_binary(authors.AuthorsQueries.get_author)  # jsonb, mood[]
    assert not _reads_binary(books.BooksQueries.get_item)  # a domain
    assert not _reads_binary(books.BooksQueries.batch_create_books)  # executemany


def test_enum_labels_map_from_text_and_bytes() -> None:
    for member in Mood:
        assert _MOOD_BY_LABEL[member.value] is member
        assert _MOOD_BY_LABEL[member.value.encode()] is member


async def test_enum_read_in_binary_is_the_member(conn: AsyncConnection[Any]) -> None:
    cur = AsyncRawCursor(conn)
    await cur.execute(b"SELECT $1::mood", ("sad face",), binary=True)
    row = await cur.fetchone()
    assert row is not None
    assert isinstance(row[0], bytes)  # what psycopg hands over for an unregistered enum
    assert _MOOD_BY_LABEL[row[0]] is Mood.SAD_FACE


async def _author(q: Queries) -> int:
    params = CreateAuthorParams(
        name="a", mood=Mood.HAPPY, moods=None, bio=None, settings=AuthorSettings("dark", 1)
    )
    author = await q.create_author(params)
    assert author is not None
    return author.id


async def _titles_and_prices(conn: AsyncConnection[Any]) -> list[tuple[Any, ...]]:
    cur = await conn.execute("SELECT author_id, title, price FROM books ORDER BY id")
    return await cur.fetchall()


async def test_unnest_batch_inserts_what_executemany_inserts(conn: AsyncConnection[Any]) -> None:
    q = Queries(conn)
    author = await _author(q)
    prices = [decimal.Decimal("9.99"), None, decimal.Decimal("0.50")]
    titles = ["first", 'it\'s, "quoted"', "{braces}"]
    await q.batch_create_books(
        BatchCreateBooksParams(author, t, p) for t, p in zip(titles, prices, strict=True)
    )
    by_executemany = await _titles_and_prices(conn)
    await conn.execute("DELETE FROM books")
    await q.batch_add_books(
        BatchAddBooksParams(author, t, p) for t, p in zip(titles, prices, strict=True)
    )
    assert await _titles_and_prices(conn) == by_executemany
    assert [row[1] for row in by_executemany] == titles  # in the batch's order


async def test_unnest_batch_is_one_statement_and_all_or_nothing(
    conn: AsyncConnection[Any],
) -> None:
    q = Queries(conn)
    author = await _author(q)
    await q.batch_add_books([])  # nothing to send
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        await q.batch_add_books(
            [BatchAddBooksParams(author, "kept?", None), BatchAddBooksParams(-1, "bad", None)]
        )
    assert await _titles_and_prices(conn) == []


def _generate_with(tmp_path: Path, query: str) -> str:
    target = prepare("kitchen", tmp_path)
    (target / "books.sql").write_text(query)
    result = sqlc(["generate"], target)
    assert result.returncode != 0
    return result.stderr


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        (
            "-- name: X :many\n-- @unnest\nSELECT id FROM books;\n",
            "@unnest applies to :batchexec queries only",
        ),
        (
            "-- name: X :batchexec\n-- @unnest\n"
            "INSERT INTO books (author_id, title) VALUES ($1, upper($2));\n",
            "needs a plain insert of one row of parameters",
        ),
        (
            "-- name: X :batchexec\n-- @unnest\n"
            "INSERT INTO books (author_id, title, tags) VALUES ($1, $2, $3);\n",
            "needs parameters that are single values",
        ),
    ],
)
def test_unnest_refused_where_it_would_not_mean_the_same(
    tmp_path: Path, query: str, needle: str
) -> None:
    assert needle in _generate_with(tmp_path, query)

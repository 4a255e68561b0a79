"""The cursor that the generated async methods share per connection, under concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from tests.codegen.corpus_types import AuthorSettings
from tests.codegen.golden.kitchen import Author, CreateAuthorParams, Mood, Queries
from tests.codegen.golden.kitchen._runtime import async_cursor

SCHEMA = Path(__file__).parent / "corpus" / "kitchen" / "schema.sql"
AUTHORS = 40


@pytest.fixture
def kitchen_url(blank_database_url: str) -> str:
    with psycopg.connect(blank_database_url, autocommit=True) as conn:
        conn.execute(SCHEMA.read_bytes())
    return blank_database_url


@pytest.fixture
async def conn(kitchen_url: str) -> AsyncIterator[AsyncConnection[Any]]:
    async with await AsyncConnection.connect(kitchen_url, autocommit=True) as connection:
        yield connection


async def _create(q: Queries, n: int) -> list[Author]:
    settings = AuthorSettings(theme="dark", volume=1)
    made = []
    for i in range(n):
        params = CreateAuthorParams(
            name=f"a{i}", mood=Mood.HAPPY, moods=None, bio=None, settings=settings
        )
        author = await q.create_author(params)
        assert author is not None
        made.append(author)
    return made


async def test_one_cursor_per_connection_never_shared_across(kitchen_url: str) -> None:
    async with (
        await AsyncConnection.connect(kitchen_url, autocommit=True) as a,
        await AsyncConnection.connect(kitchen_url, autocommit=True) as b,
    ):
        assert async_cursor(a) is async_cursor(a)
        assert async_cursor(a).connection is a
        assert async_cursor(b).connection is b
        assert async_cursor(a) is not async_cursor(b)


async def test_concurrent_calls_on_one_connection_get_their_own_rows(
    conn: AsyncConnection[Any],
) -> None:
    q = Queries(conn)
    authors = await _create(q, AUTHORS)
    got = await asyncio.gather(*(Queries(conn).get_author(id=a.id) for a in authors))
    assert got == authors
    names, count, missing = await asyncio.gather(
        q.list_author_names(), q.count_authors(), q.get_author(id=-1)
    )
    assert (names, count, missing) == (sorted(a.name for a in authors), AUTHORS, None)


async def test_concurrent_calls_in_pipeline_mode(conn: AsyncConnection[Any]) -> None:
    authors = await _create(Queries(conn), 10)
    async with conn.pipeline():
        shared = async_cursor(conn)
        assert async_cursor(conn) is not shared  # results arrive later: one cursor per call
        got = await asyncio.gather(*(Queries(conn).get_author(id=a.id) for a in authors))
    assert got == authors


async def test_rowcounts_on_a_pool_belong_to_their_call(kitchen_url: str) -> None:
    async with AsyncConnectionPool(kitchen_url, min_size=1, max_size=1, open=False) as pool:
        authors = await _create(Queries(pool), AUTHORS)
        # Each delete of an existing id races with a delete of a missing one on the same
        # connection, handed from call to call by the pool.
        calls = []
        for a in authors:
            calls += [Queries(pool).delete_author(id=a.id), Queries(pool).delete_author(id=-a.id)]
        counts = await asyncio.gather(*calls)
        assert counts == [1, 0] * AUTHORS

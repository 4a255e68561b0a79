"""A hand-written fake of the kitchen Querier, the way a service's unit test would write one.

mypy checks `_proof` below: if the generated Protocol and this fake drift apart, the
sqlc_gen_psycopg_msgspec test run fails.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from tests.codegen.corpus_types import AuthorSettings
from tests.codegen.golden.kitchen import (
    Author,
    BatchBooksByAuthorRow,
    Book,
    Class,
    CopyAuthorsParams,
    CopyBooksParams,
    CreateAuthorParams,
    ExecResult,
    InsertKindsParams,
    InventoryColor,
    InventoryItem,
    Kind,
    ListBooksWithAuthorsRow,
    Mood,
    PlaceholdersRow,
    Querier,
)
from tests.codegen.golden.kitchen.books import BatchAddBooksParams, BatchCreateBooksParams
from tests.codegen.golden.kitchen.kinds import InsertClassParams


class FakeQuerier:
    """Keeps authors in a dict; enough for a service test that never touches PostgreSQL."""

    def __init__(self) -> None:
        self.authors: dict[int, Author] = {}

    async def get_author(self, *, id: int) -> Author | None:
        return self.authors.get(id)

    async def create_author(self, params: CreateAuthorParams) -> Author | None:
        author = Author(
            id=len(self.authors) + 1,
            name=params.name,
            mood=params.mood,
            moods=params.moods,
            bio=params.bio,
            settings=params.settings,
            created_at=datetime.datetime.now(datetime.UTC),
        )
        self.authors[author.id] = author
        return author

    async def list_authors_by_mood(self, *, moods: list[Mood], name: str | None) -> list[Author]:
        return [a for a in self.authors.values() if a.mood in moods]

    def iter_list_authors_by_mood(
        self, *, moods: list[Mood], name: str | None
    ) -> AsyncGenerator[Author, None]:
        async def rows() -> AsyncGenerator[Author, None]:
            for author in await self.list_authors_by_mood(moods=moods, name=name):
                yield author

        return rows()

    async def list_author_names(self) -> list[str]:
        return sorted(a.name for a in self.authors.values())

    def iter_list_author_names(self) -> AsyncGenerator[str, None]:
        async def rows() -> AsyncGenerator[str, None]:
            for name in await self.list_author_names():
                yield name

        return rows()

    async def count_authors(self) -> int | None:
        return len(self.authors)

    async def update_author_bio(self, *, bio: Any, id: int) -> None:
        return None

    async def delete_author(self, *, id: int) -> int:
        return 1 if self.authors.pop(id, None) else 0

    async def rename_authors(self, *, name: str, mood: Mood) -> ExecResult:
        return ExecResult(rowcount=0, status="UPDATE 0")

    async def copy_authors(self, params: Iterable[CopyAuthorsParams]) -> int:
        return len(list(params))

    async def batch_get_author(self, params: Iterable[int]) -> list[Author | None]:
        return [self.authors.get(i) for i in params]

    async def create_book(
        self, *, author_id: int, title: str, price: decimal.Decimal | None, tags: list[str]
    ) -> int | None:
        return 1

    async def copy_books(self, params: Iterable[CopyBooksParams]) -> int:
        return len(list(params))

    async def batch_create_books(self, params: Iterable[BatchCreateBooksParams]) -> None:
        return None

    async def batch_add_books(self, params: Iterable[BatchAddBooksParams]) -> None:
        return None

    async def batch_books_by_author(
        self, params: Iterable[int]
    ) -> list[list[BatchBooksByAuthorRow]]:
        return [[] for _ in params]

    async def list_books_with_authors(self) -> list[ListBooksWithAuthorsRow]:
        return []

    def iter_list_books_with_authors(self) -> AsyncGenerator[ListBooksWithAuthorsRow, None]:
        async def rows() -> AsyncGenerator[ListBooksWithAuthorsRow, None]:
            for row in await self.list_books_with_authors():
                yield row

        return rows()

    async def placeholders(self, *, p1: int, p2: int) -> PlaceholdersRow | None:
        return PlaceholdersRow(diff=p2 - p1, again=p2, literal="100% sure? $1 $2 %s %(x)s")

    async def get_item(self, *, id: int) -> InventoryItem | None:
        return None

    async def create_item(self, *, color: InventoryColor, quantity: int) -> InventoryItem | None:
        return None

    async def insert_kinds(self, params: InsertKindsParams) -> int | None:
        return 1

    async def get_kinds(self, *, id: int) -> Kind | None:
        return None

    async def insert_class(self, params: InsertClassParams) -> None:
        return None

    async def list_class(self) -> list[Class]:
        return []

    def iter_list_class(self) -> AsyncGenerator[Class, None]:
        async def rows() -> AsyncGenerator[Class, None]:
            for row in await self.list_class():
                yield row

        return rows()


def _proof(fake: FakeQuerier) -> Querier:
    return fake  # mypy: FakeQuerier satisfies the generated Querier Protocol


__all__ = ["AuthorSettings", "Book", "FakeQuerier"]

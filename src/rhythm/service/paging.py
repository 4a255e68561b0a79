"""Keyset paging: pages ordered by id, each picking up after the last id of the previous one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


class HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=HasId)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_after: int | None  # the id to continue after; None on the last page


def page_size(limit: int) -> int:
    """The size actually served: at least one, at most ``MAX_PAGE_SIZE``."""
    return max(1, min(limit, MAX_PAGE_SIZE))


def keyset_page(rows: Sequence[T], size: int) -> Page[T]:
    """The page from ``rows``, fetched with ``size + 1`` as the limit: the extra row says,
    without a COUNT, that a next page exists."""
    items = rows[:size]
    return Page(items=items, next_after=items[-1].id if len(rows) > size else None)

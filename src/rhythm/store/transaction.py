"""``transaction(db)``: one helper for "begin here" and "join the caller's transaction"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from rhythm.store.errors import translate_errors
from rhythm.store.pool import StorePool

AsyncDB: TypeAlias = "StorePool | AsyncConnection[Any]"
"""What services run on: the pool (each call borrows a connection), or a connection inside a
caller's ``transaction()`` (calls join it; that block translates their errors)."""


@asynccontextmanager
async def transaction(db: AsyncDB) -> AsyncIterator[AsyncConnection[Any]]:
    """Yield a connection inside a transaction that commits on success, rolls back on error.

    On a pool, a connection is borrowed and a transaction begun. On a connection, a transaction
    is begun, or a savepoint when the connection is already inside one, so a service can run
    within another service's transaction and fail without spoiling it. Database errors leave as
    :class:`rhythm.store.errors.StoreError`.
    """
    with translate_errors():
        if isinstance(db, AsyncConnectionPool):
            async with db.connection() as conn, conn.transaction():
                yield conn
        else:
            async with db.transaction():
                yield db

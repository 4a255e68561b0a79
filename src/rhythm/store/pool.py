"""The connection pool: the one door to the database, where its errors become store errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from rhythm.store.errors import translate_errors


class StorePool(AsyncConnectionPool[AsyncConnection[Any]]):
    """A psycopg pool whose every borrow translates database errors to ``StoreError``.

    Generated queries borrow through ``connection()`` when given the pool, so a read made
    outside ``transaction()`` fails the same way as a write inside one: a service catches
    ``DatabaseUnavailableError`` on either, and nothing above the store sees psycopg's classes.
    """

    @asynccontextmanager
    async def connection(
        self,
        timeout: float | None = None,  # noqa: ASYNC109 - psycopg_pool's signature, kept
    ) -> AsyncIterator[AsyncConnection[Any]]:
        with translate_errors():
            async with super().connection(timeout) as conn:
                yield conn


async def _generic_plans(conn: AsyncConnection[Any]) -> None:
    # Under the default plan_cache_mode, PostgreSQL re-plans a statement at every execution
    # when a parameter (`LIMIT $n`, an optional filter) makes custom plans look cheaper, as it
    # does for the keyset listings; the service's statements are all keyed, which one generic
    # plan per statement suits (docs/benchmarks.md, "Plans").
    await conn.execute("SET plan_cache_mode = force_generic_plan")


def create_pool(
    conninfo: str,
    *,
    min_size: int,
    max_size: int,
    timeout_s: float,
    name: str = "rhythm",
) -> StorePool:
    """A pool that is not open yet; ``await pool.open()`` in the lifespan, not here."""
    return StorePool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout_s,
        name=name,
        open=False,
        # A dead server must not make every borrow hang: give up reconnecting after a while and
        # let the pool try again on the next request.
        reconnect_timeout=max(timeout_s * 4, 10.0),
        # Autocommit: a lone read is one round trip, not BEGIN + SELECT + COMMIT (three), and
        # an idle connection never sits "idle in transaction". transaction() still opens a real
        # transaction with BEGIN when a service needs one.
        kwargs={"application_name": name, "autocommit": True},
        configure=_generic_plans,
    )

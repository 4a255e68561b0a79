"""The connection pool: the one door to the database, where its errors become store errors."""

from __future__ import annotations

from contextlib import _AsyncGeneratorContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from rhythm.store.errors import DRIVER_ERRORS, translate

if TYPE_CHECKING:
    _PoolBorrow = _AsyncGeneratorContextManager[AsyncConnection[Any], None]
else:  # not subscriptable at run time
    _PoolBorrow = _AsyncGeneratorContextManager


class StorePool(AsyncConnectionPool[AsyncConnection[Any]]):
    """A psycopg pool whose every borrow translates database errors to ``StoreError``.

    Generated queries borrow through ``connection()`` when given the pool, so a read made
    outside ``transaction()`` fails the same way as a write inside one: a service catches
    ``DatabaseUnavailableError`` on either, and nothing above the store sees psycopg's classes.
    """

    def connection(
        self,
        timeout: float | None = None,
    ) -> _Borrow:
        return _Borrow(super().connection(timeout))


class _Borrow(_PoolBorrow):
    """psycopg's borrow, driven as it is, with the errors that leave it or the block translated
    as ``translate_errors`` translates them.

    A plain object, because every query made on the pool pays for it: a generator-based
    context manager around psycopg's would be a second generator per borrow. It derives from
    the type psycopg's method declares, so that ``StorePool.connection`` keeps its signature;
    nothing of the base is used.
    """

    __slots__ = ("_borrow",)

    def __init__(self, borrow: _PoolBorrow) -> None:  # the base takes a generator: not used
        self._borrow = borrow

    async def __aenter__(self) -> AsyncConnection[Any]:
        try:
            return await self._borrow.__aenter__()
        except DRIVER_ERRORS as exc:
            _raise_translated(exc)
            raise

    async def __aexit__(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self._borrow.__aexit__(typ, value, traceback)  # the connection goes back
        except DRIVER_ERRORS as exc:
            _raise_translated(exc)
            raise
        if isinstance(value, DRIVER_ERRORS):
            _raise_translated(value)


def _raise_translated(exc: BaseException) -> None:
    """Raise the ``StoreError`` for ``exc``, caused by it, when it has one."""
    typed = translate(exc)
    if typed is not None and typed is not exc:
        raise typed from exc


async def _configure_session(conn: AsyncConnection[Any]) -> None:
    # Under the default plan_cache_mode, PostgreSQL re-plans a statement at every execution
    # when a parameter (`LIMIT $n`, an optional filter) makes custom plans look cheaper, as it
    # does for the keyset listings; the service's statements are all keyed, which one generic
    # plan per statement suits (docs/benchmarks.md, "Plans").
    await conn.execute("SET plan_cache_mode = force_generic_plan")
    # Instants come back in UTC whatever the server's zone: the API's times read the same on
    # every server, and psycopg loads a timestamptz into `timezone.utc` far more cheaply than
    # into a named zone such as `Etc/UTC` (docs/benchmarks.md, "the session TimeZone").
    await conn.execute("SET TimeZone = 'UTC'")


def create_pool(
    conninfo: str,
    *,
    min_size: int,
    max_size: int,
    timeout_s: float,
    name: str = "rhythm",
    prepare: bool = True,
) -> StorePool:
    """A pool that is not open yet; ``await pool.open()`` in the lifespan, not here.

    ``prepare=False`` turns psycopg's automatic prepared statements off: PgBouncer in
    transaction mode may run a statement on another server connection than prepared it.
    """
    kwargs: dict[str, Any] = {"application_name": name, "autocommit": True}
    if not prepare:
        kwargs["prepare_threshold"] = None
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
        kwargs=kwargs,
        # Without prepared statements there is no plan cache to steer, and a session SET
        # through a transaction-mode pooler would land on whichever server connection it meets.
        configure=_configure_session if prepare else None,
    )

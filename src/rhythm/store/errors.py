"""A small set of typed errors for what the database can tell a service.

Services catch these, never psycopg's own classes, so the driver stays an implementation detail
and every path maps the same failure to the same error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg
from psycopg_pool import PoolTimeout


class StoreError(Exception):
    """Base of every database error a service may handle."""

    def __init__(self, message: str, *, constraint: str | None = None) -> None:
        super().__init__(message)
        self.constraint = constraint


class UniqueViolationError(StoreError):
    """A row with the same unique key exists; ``constraint`` names the index."""


class ForeignKeyViolationError(StoreError):
    """A referenced row does not exist (or is still referenced)."""


class CheckViolationError(StoreError):
    """A CHECK or NOT NULL constraint rejected the value."""


class SerializationError(StoreError):
    """A concurrent transaction won (serialization failure or deadlock); retrying may succeed."""


class DatabaseUnavailableError(StoreError):
    """No connection: the server is down, the connection was lost, or the pool timed out."""


_BY_SQLSTATE: dict[type[psycopg.Error], type[StoreError]] = {
    pg.UniqueViolation: UniqueViolationError,
    pg.ForeignKeyViolation: ForeignKeyViolationError,
    pg.CheckViolation: CheckViolationError,
    pg.NotNullViolation: CheckViolationError,
    pg.SerializationFailure: SerializationError,
    pg.DeadlockDetected: SerializationError,
}


def translate(exc: BaseException) -> StoreError | None:
    """The typed error for ``exc``, or None when it is not a database condition we name."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, PoolTimeout):
        return DatabaseUnavailableError("no database connection available in time")
    for source, target in _BY_SQLSTATE.items():
        if isinstance(exc, source):
            return target(str(exc).strip(), constraint=exc.diag.constraint_name)
    if isinstance(exc, psycopg.OperationalError | pg.AdminShutdown | pg.CannotConnectNow):
        return DatabaseUnavailableError("the database connection failed")
    return None


DRIVER_ERRORS = (psycopg.Error, PoolTimeout)
"""What ``translate_errors`` looks at: the driver's and the pool's errors."""


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise psycopg and pool errors raised inside the block as :class:`StoreError`."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        typed = translate(exc)
        if typed is None:
            raise
        raise typed from exc

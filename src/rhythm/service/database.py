"""What a service runs on: a database handle, and how to begin a transaction on it.

Services are generic in the handle (``DB``, by default ``AsyncDB``: a pool or a connection), so
a unit test can hand one a generated fake Querier and its own ``begin``, with no stand-in
connection. In production the defaults below apply.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeAlias

from typing_extensions import TypeVar

from rhythm.db import accounts as accounts_db
from rhythm.db import audit as audit_db
from rhythm.db import auth as auth_db
from rhythm.db import rooms as rooms_db
from rhythm.db import users as users_db
from rhythm.store.transaction import AsyncDB, transaction

DB = TypeVar("DB", default=AsyncDB)

Begin: TypeAlias = Callable[[DB], AbstractAsyncContextManager[DB]]
"""Open a transaction on the handle; yields the handle the Queriers of that transaction use."""


# The production defaults of a service's parameters typed with ``DB``. Typed on ``Any``: right
# when the handle is an ``AsyncDB``; a service built on another handle (a unit test's fake) must
# be given its own ``begin`` and factories (mypy cannot see that rule; the first query call does).
BEGIN: Begin[Any] = transaction
USERS: Callable[[Any], users_db.Querier] = users_db.Queries
TOKENS: Callable[[Any], auth_db.Querier] = auth_db.Queries
ROOMS: Callable[[Any], rooms_db.Querier] = rooms_db.Queries
AUDIT: Callable[[Any], audit_db.Querier] = audit_db.Queries
ACCOUNTS: Callable[[Any], accounts_db.Querier] = accounts_db.Queries

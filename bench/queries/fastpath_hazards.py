"""What the fast-path prototype (fastpath.py) does where a driver must be careful.

Run: .venv/bin/python -m bench.queries.fastpath_hazards

Each check runs on a throwaway embedded PostgreSQL and prints what happened next to what
psycopg's own path does in the same situation. Nothing is timed. The outcome is recorded in
docs/benchmarks.md ("Queries", the fast-path subsection); it is why the prototype stays one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from psycopg import AsyncConnection, Notify, errors

from bench.common import pinning
from bench.common.postgres import DBNAME, throwaway_postgres
from bench.queries import fastpath

Check = Callable[[str], Awaitable[str]]
SETUP = (
    "CREATE TABLE hz (id bigint PRIMARY KEY, email text CONSTRAINT hz_email_key UNIQUE, n int);"
    "INSERT INTO hz VALUES (1, 'a@x', 1)"
)


async def _conn(url: str) -> AsyncConnection[Any]:
    return await AsyncConnection.connect(url, autocommit=True)


def _outcome(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    return f"{type(exc).__name__} (constraint {constraint})"


async def unique_violation(url: str) -> str:
    async with await _conn(url) as conn:
        try:
            await fastpath.execute(conn, b"INSERT INTO hz VALUES ($1, $2, $3)", (2, "a@x", 1))
        except Exception as exc:
            return _outcome(exc)
    return "no error"


async def shared_connection(url: str) -> str:
    async with await _conn(url) as conn:
        slow = conn.execute("SELECT pg_sleep(0.1)")
        fast = fastpath.fetchone(conn, b"SELECT n FROM hz WHERE id = $1", (1,))
        results = await asyncio.gather(slow, fast, return_exceptions=True)
        return f"psycopg call then fast path on one connection: {results[1]!r}"


async def cancelled(url: str) -> str:
    conn = await _conn(url)
    try:
        task = asyncio.ensure_future(fastpath.execute(conn, b"SELECT pg_sleep($1)", (2,)))
        await asyncio.sleep(0.2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        status = conn.info.transaction_status.name
        return f"after cancel: status {status}, next query: {await _try(conn.execute('SELECT 1'))}"
    finally:
        await conn.close()  # not ``async with``: its commit would fail the same way


async def discard_all(url: str) -> str:
    async with await _conn(url) as conn:
        await fastpath.fetchone(conn, b"SELECT n FROM hz WHERE id = $1", (1,))
        await conn.execute("DISCARD ALL")
        try:
            await fastpath.fetchone(conn, b"SELECT n FROM hz WHERE id = $1", (1,))
        except Exception as exc:
            return f"after DISCARD ALL through psycopg: {_outcome(exc)}"
    return "after DISCARD ALL: fine"


async def transaction(url: str) -> str:
    async with await _conn(url) as conn:
        try:
            async with conn.transaction():
                await fastpath.execute(conn, b"INSERT INTO hz VALUES ($1, $2, $3)", (3, "t@x", 1))
                status = conn.info.transaction_status.name
                await fastpath.execute(conn, b"INSERT INTO hz VALUES ($1, $2, $3)", (4, "a@x", 1))
        except Exception as exc:
            left = await (await conn.execute("SELECT count(*) FROM hz WHERE id = 3")).fetchone()
            after = conn.info.transaction_status.name
            return f"inside: {status}; {_outcome(exc)} rolled back, rows left {left}, then {after}"
    return "no error"


async def rollback(url: str) -> str:
    """A rolled-back transaction on a connection where psycopg prepared something."""
    async with await _conn(url) as conn:
        query = b"SELECT n FROM hz WHERE id = $1"
        await fastpath.fetchone(conn, query, (1,))
        for _ in range(6):  # psycopg prepares its own statement at the sixth execution
            await conn.execute("SELECT id FROM hz WHERE id = %s", (1,))
        with contextlib.suppress(errors.DivisionByZero):
            async with conn.transaction():
                await conn.execute("SELECT 1/0")
        return f"after a rollback: fast path {await _try(fastpath.fetchone(conn, query, (1,)))}"


async def schema_change(url: str) -> str:
    async with await _conn(url) as conn, await _conn(url) as other:
        await conn.execute("CREATE TABLE sc (a int)")
        await conn.execute("INSERT INTO sc VALUES (1)")
        await fastpath.fetch(conn, b"SELECT * FROM sc WHERE a = $1", (1,))
        for _ in range(6):  # psycopg prepares at the sixth
            await conn.execute("SELECT * FROM sc WHERE a = %s", (1,))
        await other.execute("ALTER TABLE sc ADD COLUMN b int")
        return (
            f"fast path: {await _try(fastpath.fetch(conn, b'SELECT * FROM sc WHERE a = $1', (1,)))}"
            f"; psycopg: {await _try(conn.execute('SELECT * FROM sc WHERE a = %s', (1,)))}"
        )


async def schema_change_here(url: str) -> str:
    """The ALTER runs on the same connection: psycopg sees it and forgets its statements."""
    async with await _conn(url) as conn:
        await conn.execute("CREATE TABLE sh (a int)")
        await conn.execute("INSERT INTO sh VALUES (1)")
        await fastpath.fetch(conn, b"SELECT * FROM sh WHERE a = $1", (1,))
        for _ in range(6):
            await conn.execute("SELECT * FROM sh WHERE a = %s", (1,))
        await conn.execute("ALTER TABLE sh ADD COLUMN b int")
        return (
            f"fast path: {await _try(fastpath.fetch(conn, b'SELECT * FROM sh WHERE a = $1', (1,)))}"
            f"; psycopg: {await _try(conn.execute('SELECT * FROM sh WHERE a = %s', (1,)))}"
        )


async def _try(call: Awaitable[Any]) -> str:
    try:
        await call
    except Exception as exc:
        return _outcome(exc)
    return "fine"


async def notify(url: str) -> str:
    got: list[Notify] = []
    async with await _conn(url) as conn, await _conn(url) as other:
        conn.add_notify_handler(got.append)
        await conn.execute("LISTEN hz")
        await other.execute("NOTIFY hz, 'one'")
        await asyncio.sleep(0.05)
        await fastpath.fetchone(conn, b"SELECT n FROM hz WHERE id = $1", (1,))
    return f"notifies delivered to the connection's handlers: {[n.payload for n in got]}"


CHECKS: list[Check] = [
    unique_violation,
    shared_connection,
    cancelled,
    discard_all,
    transaction,
    rollback,
    schema_change,
    schema_change_here,
    notify,
]


async def run(url: str) -> None:
    async with await _conn(url) as admin:
        await admin.execute(SETUP)
    for check in CHECKS:
        print(f"- {check.__name__}: {await check(url)}", flush=True)


def main() -> None:
    with throwaway_postgres(pinning.SERVER_CORE, pinning.CLIENT_CORE) as server:
        asyncio.run(run(server.url(DBNAME)))


if __name__ == "__main__":
    main()

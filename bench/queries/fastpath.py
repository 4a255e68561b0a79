"""A lower-level execute path on psycopg's libpq wrapper: what the generated code could do.

A prototype, not a driver: it is what the "proto: fast path" contender runs, to measure how
much of the gap to asyncpg psycopg's cursor layer accounts for. It goes under the cursor:

- each statement is prepared once per connection, under a name unique on that connection, and
  remembered on the connection object with the loaders of its result columns;
- parameters go in text format, dumped by the connection's own text dumpers (looked up once per
  Python type), so the server parses them for the types it inferred at prepare time;
- results come in binary, each column loaded by a loader looked up once per statement;
- the socket is waited on with one ``add_reader`` and one future per round trip, without
  psycopg's generator machinery and timer.

Variants: ``fetch_tx``/``fetchone_tx`` load the rows with psycopg's C ``Transformer`` instead
of a loader call per value; ``named=False`` sends the unnamed statement at every call (parsed
and planned each time, but nothing prepared that could be invalidated).

Public API only where psycopg documents one: ``conn.pgconn`` (``psycopg.pq.PGconn``), the
connection's ``adapters`` map (``get_dumper``/``get_loader``) and ``Loader.load``/``Dumper.dump``,
``cancel_safe``. Where it needs more than that, and why that keeps it a prototype
(docs/benchmarks.md, "Queries", the 2026-12-01 fast-path subsection; the checks are in
``fastpath_hazards.py``): it holds the connection's ``lock`` (undocumented) to stay serialised
with psycopg's own calls, builds errors with ``psycopg.errors.error_from_result``
(undocumented) so that they carry their diagnostics, hands notifies to
``pgconn.notify_handler`` (set by psycopg, undocumented), and cannot see its statements
vanish: psycopg sends ``DEALLOCATE ALL`` itself after a ``ROLLBACK``, ``DROP`` or ``ALTER``
when it holds prepared statements, and a ``DISCARD ALL`` does the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from psycopg import AsyncConnection, abc, errors
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import ExecStatus, Format, TransactionStatus
from psycopg.pq.abc import PGconn, PGresult

_STATE = "_bench_fastpath"  # the attribute of a connection that holds its statements
Load = Callable[[Any], Any]


def _as_bytes(data: Any) -> Any:
    return bytes(data)


class Statement:
    """A statement prepared on one connection, and the loaders of its result columns."""

    __slots__ = ("loaders", "name", "tx")

    def __init__(self, name: bytes) -> None:
        self.name = name
        self.loaders: list[Load] | None = None
        self.tx: abc.Transformer | None = None  # the C row loader, for the "+ Transformer" variant


class State:
    """What the fast path remembers on one connection."""

    __slots__ = ("conn", "dumpers", "statements")

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self.conn = conn
        self.statements: dict[bytes, Statement] = {}
        self.dumpers: dict[type, Callable[[Any], Any]] = {}

    def dump(self, params: Sequence[Any]) -> list[Any]:
        """Each parameter in text format (None stays NULL)."""
        out: list[Any] = []
        for value in params:
            if value is None:
                out.append(None)
                continue
            dump = self.dumpers.get(type(value))
            if dump is None:
                dump = self._dumper(value)
            out.append(dump(value))
        return out

    def _dumper(self, value: Any) -> Callable[[Any], Any]:
        # In text, an upgraded dumper (int -> int8 ...) writes the same digits for any value
        # of the type; a list's dumper depends on its items, so it is looked up every time.
        cls = type(value)
        dumper = self.conn.adapters.get_dumper(cls, PyFormat.TEXT)(cls, self.conn)
        dump = dumper.upgrade(value, PyFormat.TEXT).dump
        if not isinstance(value, list):
            self.dumpers[cls] = dump
        return dump

    def loaders(self, res: PGresult) -> list[Load]:
        """A binary loader per result column; bytes where psycopg has none (enums)."""
        out: list[Load] = []
        for i in range(res.nfields):
            oid = res.ftype(i)
            cls = self.conn.adapters.get_loader(oid, Format.BINARY)
            out.append(_as_bytes if cls is None else cls(oid, self.conn).load)
        return out


def state(conn: AsyncConnection[Any]) -> State:
    found: State | None = getattr(conn, _STATE, None)
    if found is None:
        found = State(conn)
        setattr(conn, _STATE, found)
    return found


async def _wait(pgconn: PGconn, writer: bool) -> None:
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[None] = loop.create_future()
    fd = pgconn.socket

    def ready() -> None:
        if not fut.done():
            fut.set_result(None)

    if writer:
        loop.add_writer(fd, ready)
    else:
        loop.add_reader(fd, ready)
    try:
        await fut
    finally:
        if writer:
            loop.remove_writer(fd)
        else:
            loop.remove_reader(fd)


async def _results(pgconn: PGconn) -> list[PGresult]:
    """Flush what was sent, then read every result of the command."""
    while pgconn.flush():
        await _wait(pgconn, writer=True)
    out: list[PGresult] = []
    while True:
        while pgconn.is_busy():
            await _wait(pgconn, writer=False)
            pgconn.consume_input()
        res = pgconn.get_result()
        if res is None:
            break
        out.append(res)
    _deliver_notifies(pgconn)
    return out


async def _results_or_cancel(conn: AsyncConnection[Any]) -> list[PGresult]:
    """``_results``; if the task is cancelled meanwhile, cancel the query and drain it.

    What psycopg's own wait does (documented ``cancel_safe``): otherwise the connection
    stays busy with the abandoned query and refuses every later command.
    """
    try:
        return await _results(conn.pgconn)
    except asyncio.CancelledError:
        if conn.pgconn.transaction_status == TransactionStatus.ACTIVE:
            try:
                await conn.cancel_safe(timeout=5.0)
                await asyncio.wait_for(_results(conn.pgconn), 5.0)
            except Exception:
                await conn.close()  # unknown state: a pool discards a closed connection
        raise


def _deliver_notifies(pgconn: PGconn) -> None:
    # Notifies read with our results go where psycopg's own path sends them.
    while n := pgconn.notifies():
        if pgconn.notify_handler:
            pgconn.notify_handler(n)


def _check(results: list[PGresult], conn: AsyncConnection[Any]) -> PGresult:
    for res in results:
        if res.status == ExecStatus.FATAL_ERROR:
            raise errors.error_from_result(res, encoding=conn.info.encoding)
    return results[-1]


async def _prepare(conn: AsyncConnection[Any], st: State, query: bytes) -> Statement:
    stmt = Statement(b"_fp%d" % len(st.statements))
    conn.pgconn.send_prepare(stmt.name, query)
    _check(await _results_or_cancel(conn), conn)
    st.statements[query] = stmt
    return stmt


async def execute(
    conn: AsyncConnection[Any], query: bytes, params: Sequence[Any], *, named: bool = True
) -> PGresult:
    """Run ``query`` (``$n`` placeholders) with binary results: prepared once on ``conn``
    under a name, or (``named=False``) as the unnamed statement, parsed at every call."""
    st = state(conn)
    async with conn.lock:
        stmt = st.statements.get(query)
        if not named:
            if stmt is None:
                stmt = st.statements[query] = Statement(b"")
            conn.pgconn.send_query_params(query, st.dump(params), None, None, Format.BINARY)
        else:
            if stmt is None:
                stmt = await _prepare(conn, st, query)
            conn.pgconn.send_query_prepared(stmt.name, st.dump(params), None, Format.BINARY)
        res = _check(await _results_or_cancel(conn), conn)
    if stmt.loaders is None:
        stmt.loaders = st.loaders(res)
    return res


def rows(res: PGresult, loaders: list[Load]) -> list[list[Any]]:
    """Every row of ``res`` as a list of loaded values."""
    get = res.get_value
    out = []
    for r in range(res.ntuples):
        row = []
        for c, load in enumerate(loaders):
            v = get(r, c)
            row.append(None if v is None else load(v))
        out.append(row)
    return out


async def fetch(conn: AsyncConnection[Any], query: bytes, params: Sequence[Any]) -> list[Any]:
    res = await execute(conn, query, params)
    stmt = state(conn).statements[query]
    assert stmt.loaders is not None
    return rows(res, stmt.loaders)


async def fetchone(conn: AsyncConnection[Any], query: bytes, params: Sequence[Any]) -> Any:
    res = await execute(conn, query, params)
    if not res.ntuples:
        return None
    loaders = state(conn).statements[query].loaders
    assert loaders is not None
    get = res.get_value
    return [None if (v := get(0, c)) is None else load(v) for c, load in enumerate(loaders)]


# The "+ Transformer" variant: psycopg's C Transformer loads the rows. The class is documented,
# its methods (set_pgresult, load_rows, load_row) are not.


def _transformer(conn: AsyncConnection[Any], stmt: Statement, res: PGresult) -> abc.Transformer:
    tx = stmt.tx
    if tx is None:
        tx = stmt.tx = Transformer(conn)
        tx.set_pgresult(res, set_loaders=True, format=Format.BINARY)
    else:
        tx.set_pgresult(res, set_loaders=False)
    return tx


async def fetch_tx(
    conn: AsyncConnection[Any], query: bytes, params: Sequence[Any], *, named: bool = True
) -> list[Any]:
    res = await execute(conn, query, params, named=named)
    tx = _transformer(conn, state(conn).statements[query], res)
    found: list[Any] = tx.load_rows(0, res.ntuples, tuple)
    return found


async def fetchone_tx(
    conn: AsyncConnection[Any], query: bytes, params: Sequence[Any], *, named: bool = True
) -> Any:
    res = await execute(conn, query, params, named=named)
    if not res.ntuples:
        return None
    return _transformer(conn, state(conn).statements[query], res).load_row(0, tuple)

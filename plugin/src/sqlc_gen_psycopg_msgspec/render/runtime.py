"""_runtime.py: the few helpers the generated modules share (like sqlc-gen-go's db.go)."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.render.common import header
from sqlc_gen_psycopg_msgspec.render.context import RenderOptions

_COMMON = '''
import ipaddress
from collections.abc import Mapping
from typing import Any, TypeAlias

import msgspec
import psycopg
from psycopg.pq import Format

Inet: TypeAlias = (
    ipaddress.IPv4Interface
    | ipaddress.IPv6Interface
    | ipaddress.IPv4Address
    | ipaddress.IPv6Address
)
"""What psycopg loads an inet value as: an address, or an interface when it has a prefix."""
Cidr: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network

# The attribute of a connection that holds the cursor its query methods share.
_CURSOR = "_sqlc_shared_cursor"


class ExecResult(msgspec.Struct, frozen=True):
    """What an :execresult query returns: the rows affected and the command tag."""

    rowcount: int
    status: str | None


# psycopg returns arrays of types it does not know (enums) as their text form; its own
# text[] loader parses that form, with quoting, NULLs and nested dimensions.
_TEXT_ARRAY_OID = 1009
_text_array_loader = psycopg.adapters.get_loader(_TEXT_ARRAY_OID, Format.TEXT)
if _text_array_loader is None:  # pragma: no cover - psycopg always has it
    raise ImportError("psycopg has no text[] loader")
_parse_text_array = _text_array_loader(_TEXT_ARRAY_OID).load


def load_enum_array(value: Any, members: Mapping[Any, Any]) -> Any:
    """Turn an enum array (text form, or a list if the type was registered) into members."""
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse_text_array(value.encode())
    return _map_labels(value, members)


def _map_labels(items: list[Any], members: Mapping[Any, Any]) -> list[Any]:
    return [
        _map_labels(item, members)
        if isinstance(item, list)
        else (None if item is None else members[item])
        for item in items
    ]
'''

_ASYNC = '''

class _JsonLoader(Loader):
    """json and jsonb decoded by msgspec: the values json.loads gives, in a fraction of the time.

    What msgspec refuses and json.loads accepts (numbers beyond a float's range, lone
    surrogates) goes to json.loads, so no value differs from psycopg's own loading.
    """

    def load(self, data: Buffer) -> Any:
        try:
            return msgspec.json.decode(data)
        except msgspec.DecodeError:
            return json.loads(bytes(data))


# A document whose value shows every option of json.loads (floats, big integers, constants,
# objects): a connection whose loader reads it otherwise was configured by its user.
_JSON_PROBE = b'{"f": [1.5, 1e400, 123456789012345678901234567890, "\\\\u00e9", null, true]}'
_JSON_PROBE_VALUE = json.loads(_JSON_PROBE)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the very same types, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


def _loads_like_json(loader: psycopg.abc.Loader) -> bool:
    try:
        return _same(loader.load(_JSON_PROBE), _JSON_PROBE_VALUE)
    except (ValueError, TypeError):
        return False


def _decode_json_fast(cur: AsyncRawCursor[Any]) -> None:
    """Let ``cur`` load json and jsonb with msgspec where its connection would use json.loads.

    A loader of the user's own (``set_json_loads`` with other options, another library) is
    left in place.
    """
    for name in ("json", "jsonb"):
        info = cur.adapters.types.get(name)
        if info is None:  # pragma: no cover - psycopg always knows both
            continue
        loader = cur.adapters.get_loader(info.oid, Format.TEXT)
        if loader is not None and _loads_like_json(loader(info.oid, cur)):
            cur.adapters.register_loader(info.oid, _JsonLoader)


def async_cursor(conn: AsyncConnection[Any]) -> AsyncRawCursor[tuple[Any, ...]]:
    """The raw cursor that query methods share on ``conn``, made by its first call.

    A new cursor per call looks up every column's loader again; one per connection does it
    once. It is kept on the connection itself, so it never outlives it nor serves another,
    and between calls it holds only the last result. A method fetches right after executing,
    with no await that could let another task run in between, so tasks sharing a connection
    cannot read each other's rows; in pipeline mode results come later, so each call there
    gets a cursor of its own. Like any psycopg cursor, it may not see adapters registered on
    the connection after it was made. It decodes json and jsonb with msgspec (same values).
    """
    if conn.pgconn.pipeline_status:
        return AsyncRawCursor(conn, row_factory=tuple_row)
    cur: AsyncRawCursor[tuple[Any, ...]] | None = getattr(conn, _CURSOR, None)
    if cur is None:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        _decode_json_fast(cur)
        setattr(conn, _CURSOR, cur)
    return cur


class AsyncBase:
    """Holds the pool or connection the async query methods run on."""

    __slots__ = ("_db",)

    def __init__(self, db: AsyncConnectionPool[Any] | AsyncConnection[Any]) -> None:
        """On a pool each call borrows a connection; on a connection calls join its transaction."""
        self._db = db
'''

_SYNC = '''

class SyncBase:
    """Holds the pool or connection the sync query methods run on."""

    __slots__ = ("_db",)

    def __init__(self, db: ConnectionPool[Any] | Connection[Any]) -> None:
        """On a pool each call borrows a connection; on a connection calls join its transaction."""
        self._db = db
'''


def render_runtime(sqlc_version: str, options: RenderOptions) -> str:
    text = "\n".join(header(sqlc_version)) + "\n"
    text += '"""Helpers shared by the generated modules of this package."""\n'
    emit_async, emit_sync = options.emit_async, options.emit_sync
    psycopg_names = [
        name
        for name, wanted in (
            ("AsyncConnection", emit_async),
            ("AsyncRawCursor", emit_async),
            ("Connection", emit_sync),
        )
        if wanted
    ]
    pool_names = [
        name
        for name, wanted in (("AsyncConnectionPool", emit_async), ("ConnectionPool", emit_sync))
        if wanted
    ]
    imports = [
        f"from psycopg import {', '.join(psycopg_names)}",
        *(["from psycopg.abc import Buffer", "from psycopg.adapt import Loader"] * emit_async),
        "from psycopg.pq import Format",
        *(["from psycopg.rows import tuple_row"] if emit_async else []),
        f"from psycopg_pool import {', '.join(pool_names)}",
    ]
    # The flavors decide what _COMMON imports from psycopg: put those lines in its place.
    lines = "".join(line + "\n" for line in imports)
    text += _COMMON.replace("from psycopg.pq import Format\n", lines)
    if emit_async:  # the json loader of the shared cursor falls back on json.loads
        text = text.replace("import ipaddress\n", "import ipaddress\nimport json\n", 1)
    if emit_async:
        text += _ASYNC
    if emit_sync:
        text += _SYNC
    return text

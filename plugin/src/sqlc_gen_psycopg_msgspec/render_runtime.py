"""_runtime.py: the few helpers the generated modules share (like sqlc-gen-go's db.go)."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.render_common import header

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


def load_enum_array(value: Any, members: Mapping[str, Any]) -> Any:
    """Turn an enum array (text form, or a list if the type was registered) into members."""
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse_text_array(value.encode())
    return _map_labels(value, members)


def _map_labels(items: list[Any], members: Mapping[str, Any]) -> list[Any]:
    return [
        _map_labels(item, members)
        if isinstance(item, list)
        else (None if item is None else members[item])
        for item in items
    ]
'''

_ASYNC = '''

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


def render_runtime(sqlc_version: str, emit_async: bool, emit_sync: bool) -> str:
    text = "\n".join(header(sqlc_version)) + "\n"
    text += '"""Helpers shared by the generated modules of this package."""\n'
    common = _COMMON
    psycopg_names = [
        n for n, on in (("AsyncConnection", emit_async), ("Connection", emit_sync)) if on
    ]
    pool_names = [
        n for n, on in (("AsyncConnectionPool", emit_async), ("ConnectionPool", emit_sync)) if on
    ]
    common = common.replace(
        "from psycopg.pq import Format\n",
        f"from psycopg import {', '.join(psycopg_names)}\n"
        "from psycopg.pq import Format\n"
        f"from psycopg_pool import {', '.join(pool_names)}\n",
    )
    text += common
    if emit_async:
        text += _ASYNC
    if emit_sync:
        text += _SYNC
    return text

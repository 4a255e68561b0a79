"""How generated reads load their rows: json by msgspec on the shared cursor, formats by cost."""

from __future__ import annotations

import decimal
import functools
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import AsyncConnection, AsyncRawCursor
from psycopg.pq import Format
from psycopg.types.json import set_json_loads

from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.formats import reads_binary
from sqlc_gen_psycopg_msgspec.planning.plans import Field, ModelPlan
from sqlc_gen_psycopg_msgspec.planning.resolve import ColumnType
from sqlc_gen_psycopg_msgspec.planning.typemap import BUILTINS
from tests.codegen.golden.kitchen._runtime import _JsonLoader, async_cursor

# Documents whose values json.loads and msgspec could disagree on: what msgspec refuses
# (numbers beyond a float's range, a lone surrogate in json) must come back as json.loads
# gives it.
DOCUMENTS = [
    '{"a": 1, "b": [1.5, -0.0, 5e-324, 2.2250738585072011e-308], "c": null, "d": true}',
    "[123456789012345678901234567890, -9223372036854775809, 18446744073709551616]",
    '"\\u00e9\\ud83d\\ude00 \\"quoted\\" \\\\ back"',
    '{"nested": {"deep": [[[{"x": "y"}]]]}, "empty": {}, "list": []}',
    "[1e400, -1e400, 1.7976931348623157e309]",
    "0.1",
    '{"a": 1, "a": 2}',
]
LONE_SURROGATE = '"\\ud800"'  # json only: jsonb refuses it


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 == 1.0 == True would pass ==)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.booleans())
def test_json_loader_gives_what_json_loads_gives(value: Any, ascii_only: bool) -> None:
    document = json.dumps(value, ensure_ascii=ascii_only).encode()
    loaded = _JsonLoader(0).load(memoryview(document))
    assert _same(loaded, json.loads(document))


@pytest.fixture
async def conn(blank_database_url: str) -> AsyncIterator[AsyncConnection[Any]]:
    async with await AsyncConnection.connect(blank_database_url, autocommit=True) as c:
        yield c


async def _through(cur: AsyncRawCursor[Any], document: str) -> tuple[Any, ...]:
    await cur.execute(b"SELECT $1::json, $1::jsonb, ARRAY[$1::jsonb, NULL]", (document,))
    row = await cur.fetchone()
    assert row is not None
    return tuple(row)


async def _json_through(cur: AsyncRawCursor[Any], document: str) -> Any:
    await cur.execute(b"SELECT $1::json", (document,))
    row = await cur.fetchone()
    assert row is not None
    return row[0]


async def test_shared_cursor_loads_json_as_psycopg_does(conn: AsyncConnection[Any]) -> None:
    shared, plain = async_cursor(conn), AsyncRawCursor(conn)
    for document in DOCUMENTS:
        assert _same(await _through(shared, document), await _through(plain, document)), document
    lone = await _json_through(shared, LONE_SURROGATE)
    assert _same(lone, await _json_through(plain, LONE_SURROGATE))
    assert lone == "\ud800"


async def test_shared_cursor_decodes_json_with_msgspec(conn: AsyncConnection[Any]) -> None:
    shared = async_cursor(conn)
    for name in ("json", "jsonb"):
        info = conn.adapters.types.get(name)
        assert info is not None
        mine = shared.adapters.get_loader(info.oid, Format.TEXT)
        assert mine is not None
        assert mine is not conn.adapters.get_loader(info.oid, Format.TEXT)
        assert mine.__module__.endswith("._runtime")


async def test_a_connections_own_json_loader_is_kept(conn: AsyncConnection[Any]) -> None:
    set_json_loads(functools.partial(json.loads, parse_float=decimal.Decimal), conn)
    json_value, jsonb_value, _ = await _through(async_cursor(conn), '{"price": 1.50}')
    assert json_value == jsonb_value == {"price": decimal.Decimal("1.50")}


async def test_a_global_json_loader_is_kept(blank_database_url: str) -> None:
    set_json_loads(functools.partial(json.loads, parse_int=str))
    try:
        async with await AsyncConnection.connect(blank_database_url, autocommit=True) as c:
            _, jsonb_value, _ = await _through(async_cursor(c), '{"n": 12}')
    finally:
        set_json_loads(json.loads)
    assert jsonb_value == {"n": "12"}


def _reads_binary(*types: str, nullable: bool = False) -> bool:
    """Whether a :many query of columns of these built-in types reads binary."""
    fields = tuple(
        Field(f"c{i}", f"c{i}", ColumnType(BUILTINS[name], nullable=nullable))
        for i, name in enumerate(types)
    )
    if len(fields) == 1:
        return reads_binary(Command.MANY, None, fields[0])
    return reads_binary(Command.MANY, ModelPlan("R", fields), None)


@pytest.mark.parametrize("name", ["int8", "text", "uuid", "bytea", "timestamptz", "float8"])
def test_binary_where_psycopg_loads_it_faster(name: str) -> None:
    assert _reads_binary(name)
    assert _reads_binary("int8", name, nullable=True)


@pytest.mark.parametrize("name", ["numeric", "date", "jsonb"])
def test_text_where_psycopg_loads_it_faster_or_only_there(name: str) -> None:
    assert not _reads_binary(name)
    assert not _reads_binary("int8", "timestamptz", name)


async def test_numeric_and_date_load_the_same_from_either_format(
    conn: AsyncConnection[Any],
) -> None:
    query = (
        b"SELECT 'NaN'::numeric, '-Infinity'::numeric, 123456789.000000000001::numeric, "
        b"0.00::numeric, -5.5::numeric(10, 3), date '0001-01-01', date '2026-12-01', "
        b"date '9999-12-31', NULL::numeric, NULL::date"
    )
    rows = []
    for binary in (False, True):
        cur = AsyncRawCursor(conn)
        await cur.execute(query, binary=binary)
        rows.append(await cur.fetchone())
    text, binary_row = rows
    assert text is not None
    assert binary_row is not None
    assert [str(v) for v in text] == [str(v) for v in binary_row]
    assert [type(v) for v in text] == [type(v) for v in binary_row]

"""What the plan takes from a query's SQL text: sqlc.slice() rewritten, :copyfrom as COPY."""

from __future__ import annotations

import re

from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.planning.plans import CopyPlan, Field
from sqlc_gen_psycopg_msgspec.planning.typemap import BUILTINS, canonical_builtin
from sqlc_gen_psycopg_msgspec.reading.catalog import split_name
from sqlc_gen_psycopg_msgspec.reading.request import Column, Query

_COPY_FORM = "INSERT INTO table (col, ...) VALUES ($1, ..., $n)"
_INSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<table>[^\s(]+)\s*\((?P<cols>[^)]*)\)\s*VALUES\s*"
    r"\((?P<vals>[^)]*)\)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _slice_cast(column: Column) -> str:
    """The array type a sqlc.slice() parameter is cast to, so PostgreSQL knows it at once."""
    ident = column.type
    schema, name = split_name(ident.schema, ident.name) if ident else ("", "")
    canonical = canonical_builtin(name)
    if schema in ("", "pg_catalog") and canonical in BUILTINS:
        return f"{canonical}[]"
    parts = [schema, name] if schema else [name]
    return (
        ".".join(part if part.isidentifier() and part.islower() else f'"{part}"' for part in parts)
        + "[]"
    )


def _rewrite_slice(text: str, number: int, column: Column, where: str) -> str:
    pattern = re.compile(rf"(\bNOT\s+)?\bIN\s*\(\s*\${number}\s*\)(?!\d)", re.IGNORECASE)
    cast = _slice_cast(column)

    def replace(match: re.Match[str]) -> str:
        return f"{'<> ALL' if match[1] else '= ANY'}(${number}::{cast})"

    text, count = pattern.subn(replace, text)
    if count == 0:
        name = column.name or f"${number}"
        raise PluginError(
            f"{where}: sqlc.slice({name}) is supported only as `column IN "
            f"(sqlc.slice({name}))`; for PostgreSQL write `column = ANY(sqlc.arg({name})"
            f"::{cast})` instead"
        )
    return text


def rewrite_slices(query: Query, where: str) -> str:
    """`x IN (sqlc.slice(ids))` becomes `x = ANY($n::type[])`: one array parameter, any length.

    sqlc hands PostgreSQL plugins the text with `IN ($n)`; left alone it would compare with
    one scalar. NOT IN becomes `<> ALL(...)`.
    """
    text = query.text
    for param in query.params:
        if param.column.is_sqlc_slice:
            text = _rewrite_slice(text, param.number, param.column, where)
    return text


def copy_plan(query: Query, params: list[Field], where: str) -> CopyPlan:
    match = _INSERT.match(query.text)
    expected = ", ".join(f"${number}" for number in range(1, len(params) + 1))
    if match is None or " ".join(match["vals"].replace(",", ", ").split()) != expected:
        raise PluginError(
            f"{where}: :copyfrom needs a plain insert of one row of parameters, "
            f"in order: {_COPY_FORM}"
        )
    cols = [column.strip() for column in match["cols"].split(",")]
    if len(cols) != len(params):
        raise PluginError(f"{where}: :copyfrom lists {len(cols)} columns for {len(params)} values")
    types: list[str] = []
    for param in params:
        copy_type = param.type.element.copy_type
        if copy_type is None:
            break
        types.append(copy_type + ("[]" if param.type.dims else ""))
    binary = len(types) == len(params)
    sql = f"COPY {match['table']} ({', '.join(cols)}) FROM STDIN"
    if binary:
        sql += " (FORMAT BINARY)"
    return CopyPlan(sql, tuple(types) if binary else None)

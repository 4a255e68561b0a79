"""What the plan takes from a query's SQL text: sqlc.slice() rewritten, :copyfrom as COPY,
an ``@unnest`` batch as one statement."""

from __future__ import annotations

import re

from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.planning.plans import CopyPlan, Field
from sqlc_gen_psycopg_msgspec.planning.typemap import BUILTINS, Dump, canonical_builtin
from sqlc_gen_psycopg_msgspec.reading.catalog import split_name
from sqlc_gen_psycopg_msgspec.reading.request import Column, Query

_COPY_FORM = "INSERT INTO table (col, ...) VALUES ($1, ..., $n)"
UNNEST_MARK = "@unnest"  # a comment line of a :batchexec query: send it as one statement
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
    cast = _slice_cast(column)
    in_list = re.compile(rf"(\bNOT\s+)?\bIN\s*\(\s*\${number}\s*\)(?!\d)", re.IGNORECASE)

    def replace(match: re.Match[str]) -> str:
        return f"{'<> ALL' if match[1] else '= ANY'}(${number}::{cast})"

    text, count = in_list.subn(replace, text)
    # `= ANY(sqlc.slice(ids))`: already an array comparison, it only needs the array type
    text, more = _any_of(number).subn(rf"\g<op>(${number}::{cast})", text)
    if count + more == 0:
        name = column.name or f"${number}"
        raise PluginError(
            f"{where}: sqlc.slice({name}) is supported only as `column IN "
            f"(sqlc.slice({name}))` or `column = ANY(sqlc.slice({name}))`; for PostgreSQL "
            f"write `column = ANY(sqlc.arg({name})::{cast})` instead"
        )
    return text


def _any_of(number: int) -> re.Pattern[str]:
    return re.compile(rf"\b(?P<op>ANY|ALL|SOME)\s*\(\s*\${number}\s*\)(?!\d)", re.IGNORECASE)


# `$n = ANY(array)`: PostgreSQL compares $n with each element, so $n is one element
_ELEMENT_OPERATOR = r"(?:=|<>|!=|<=|>=|<|>|!?~~\*?|(?:NOT\s+)?I?LIKE)"


def compared_with_elements(text: str, number: int) -> bool:
    """Whether `$n` stands left of `op ANY(array)` / `op ALL(array)` (not of a subquery).

    sqlc types such a parameter as the array; PostgreSQL reads it as one element, so a list
    would be compared as one (text) value and match nothing.
    """
    pattern = re.compile(
        rf"\${number}(?!\d)\s*{_ELEMENT_OPERATOR}\s*(?:ANY|ALL|SOME)\s*\((?!\s*SELECT\b)",
        re.IGNORECASE,
    )
    return pattern.search(text) is not None


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


def _plain_insert(query: Query, count: int, what: str, where: str) -> tuple[str, list[str]]:
    """The table and columns of `INSERT INTO t (cols) VALUES ($1, ..., $n)`, else an error."""
    match = _INSERT.match(query.text)
    expected = ", ".join(f"${number}" for number in range(1, count + 1))
    if match is None or " ".join(match["vals"].replace(",", ", ").split()) != expected:
        raise PluginError(
            f"{where}: {what} needs a plain insert of one row of parameters, in order: {_COPY_FORM}"
        )
    cols = [column.strip() for column in match["cols"].split(",")]
    if len(cols) != count:
        raise PluginError(f"{where}: {what} lists {len(cols)} columns for {count} values")
    return match["table"], cols


def unnest_sql(query: Query, params: list[Field], where: str) -> str:
    """A :batchexec insert as one statement: each parameter becomes an array of the batch's
    values, and `unnest` turns the arrays back into rows, in order.

    `INSERT INTO t (a, b) VALUES ($1, $2)` becomes
    `INSERT INTO t (a, b) SELECT * FROM unnest($1::int8[], $2::text[])`.
    """
    table, cols = _plain_insert(query, len(params), f"{UNNEST_MARK} on :batchexec", where)
    for param, field in zip(sorted(query.params, key=lambda p: p.number), params, strict=True):
        if field.type.dims or field.type.element.dump is not Dump.AS_IS:
            raise PluginError(
                f"{where}: {UNNEST_MARK} needs parameters that are single values sent as they "
                f"are; ${param.number} ({field.type.annotation}) is not"
            )
    casts = ", ".join(
        f"${param.number}::{_slice_cast(param.column)}"
        for param in sorted(query.params, key=lambda p: p.number)
    )
    # The names come from the query itself, already parsed by sqlc: nothing from outside.
    insert = f"INSERT INTO {table} ({', '.join(cols)})"
    return f"{insert} SELECT * FROM unnest({casts})"  # noqa: S608


def copy_plan(query: Query, params: list[Field], where: str) -> CopyPlan:
    table, cols = _plain_insert(query, len(params), ":copyfrom", where)
    types: list[str] = []
    for param in params:
        copy_type = param.type.element.copy_type
        if copy_type is None:
            break
        types.append(copy_type + ("[]" if param.type.dims else ""))
    binary = len(types) == len(params)
    sql = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
    if binary:
        sql += " (FORMAT BINARY)"
    return CopyPlan(sql, tuple(types) if binary else None)

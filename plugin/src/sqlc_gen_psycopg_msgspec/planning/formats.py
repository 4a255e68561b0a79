"""Which queries read their results in PostgreSQL's binary format.

Binary results cost the client less to load than text (no parsing of numbers and timestamps
from their text form). A query reads binary only when psycopg loads every one of its result
columns into the same Python value from either format: the plainest built-in types, and enums
(their label then arrives as bytes, which the enum's label map also knows). Anything else
(arrays of enums, composites, domains, json, ranges, types psycopg has no loader for) keeps the
whole query in text, where its conversions were written for.
"""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.plans import Field, ModelPlan
from sqlc_gen_psycopg_msgspec.planning.resolve import ColumnType
from sqlc_gen_psycopg_msgspec.planning.typemap import Load

# Canonical names (PyType.copy_type of the built-ins and of overrides of them). Not numeric
# nor date: psycopg loads them into the same values from binary too, but slower than from text.
BINARY_SAFE = frozenset(
    {
        *("bool", "int2", "int4", "int8", "oid", "float4", "float8"),
        *("text", "varchar", "bpchar", "bytea", "uuid"),
        *("time", "timestamp", "timestamptz"),
    }
)
# What a method reads with execute() and fetchone()/fetchall(): batches use executemany.
_READS = frozenset({Command.ONE, Command.MANY, Command.EXEC_LAST_ID})


def _safe(ctype: ColumnType) -> bool:
    if ctype.element.load is Load.ENUM:
        return ctype.dims == 0
    return ctype.element.load is Load.AS_IS and ctype.element.copy_type in BINARY_SAFE


def _leaves(fields: tuple[Field, ...] | list[Field]) -> list[Field]:
    out: list[Field] = []
    for field in fields:
        out += _leaves(field.embed.fields) if field.embed else [field]
    return out


def reads_binary(command: Command, row: ModelPlan | None, scalar: Field | None) -> bool:
    """True when the query's results can come in binary with the same values as in text."""
    if command not in _READS:
        return False
    fields = [scalar] if scalar is not None else list(row.fields) if row is not None else []
    return bool(fields) and all(_safe(field.type) for field in _leaves(fields))

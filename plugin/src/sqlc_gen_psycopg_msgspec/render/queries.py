"""One module per query file: SQL constants, Params/Row Structs, and the query methods."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.plans import (
    ContextPlan,
    Field,
    FilePlan,
    ModelPlan,
    QueryPlan,
    mixin_name,
)
from sqlc_gen_psycopg_msgspec.planning.typemap import Import, Load
from sqlc_gen_psycopg_msgspec.render.common import header, used_imports
from sqlc_gen_psycopg_msgspec.render.context import Flavor, RenderOptions
from sqlc_gen_psycopg_msgspec.render.methods import MethodWriter
from sqlc_gen_psycopg_msgspec.render.models import render_struct
from sqlc_gen_psycopg_msgspec.render.pyfmt import INDENT, assign_bytes, assign_tuple
from sqlc_gen_psycopg_msgspec.render.signatures import struct_imports

# Every name a query module may use; used_imports keeps those the body uses.
_CANDIDATE_IMPORTS: frozenset[Import] = frozenset(
    {
        ("msgspec", None),
        ("typing", None),
        ("typing", "Any"),
        ("collections.abc", None),
        ("psycopg", None),
        ("psycopg.rows", "tuple_row"),
        ("psycopg.types.json", "Json as _Json"),
        ("psycopg.types.json", "Jsonb as _Jsonb"),
        ("._runtime", "AsyncBase"),
        ("._runtime", "SyncBase"),
        ("._runtime", "ExecResult"),
        ("._runtime", "load_enum_array"),
        ("._runtime", "async_cursor"),
        ("._arrays", "typed_array"),
        ("._arrays", "json_array"),
        ("._arrays", "jsonb_array"),
    }
)


def render_query_file(plan: ContextPlan, file: FilePlan, options: RenderOptions) -> str:
    constants = _constants(file, options)
    structs, imports = _structs(file, options)
    blocks = [constants, *structs]
    for flavor in options.flavors:
        blocks.append(_mixin(file, flavor, options))
    body = "\n\n\n".join("\n".join(block) for block in blocks if block)
    lines = header(plan.sqlc_version, file.filename)
    lines.append(f'"""Queries from {file.filename}."""')
    # ruff wants one blank line between imports and constants, two before a class.
    gap = [""] if constants else ["", ""]
    lines += ["", *used_imports(imports | _CANDIDATE_IMPORTS, body, plan.first_party), *gap, body]
    return "\n".join(lines) + "\n"


def _constants(file: FilePlan, options: RenderOptions) -> list[str]:
    """The SQL of every query (and its COPY statement), and the iterators' chunk size."""
    constants: list[str] = []
    for query in file.queries:
        constants += assign_bytes(query.sql_const, query.sql)
        if query.copy is not None:
            constants += assign_bytes(f"{query.sql_const}_COPY", query.copy.sql)
            if query.copy.binary_types is not None:
                types = [f'"{name}"' for name in query.copy.binary_types]
                constants += assign_tuple(f"{query.sql_const}_COPY_TYPES", types)
    if options.emit_iterators and any(query.command is Command.MANY for query in file.queries):
        constants.append("ITER_SIZE = 100  # rows per round trip of the iter_* methods")
    return constants


def _structs(file: FilePlan, options: RenderOptions) -> tuple[list[list[str]], set[Import]]:
    """The Row and Params Structs the file defines, and the imports its types need."""
    structs: list[list[str]] = []
    imports: set[Import] = set()
    for query in file.queries:
        if query.row is not None and query.row_is_own:
            structs.append(render_struct(query.row, frozen=options.frozen_structs))
        elif query.row is not None:
            imports.add((".models", query.row.class_name))
        imports |= struct_imports(_all_fields(query))
        if query.scalar is not None:
            imports |= struct_imports([query.scalar])
        if query.params_struct is not None:
            params = ModelPlan(query.params_struct, tuple(query.params))
            structs.append(render_struct(params, frozen=options.frozen_structs))
        imports |= struct_imports(query.params)
        for field in _all_fields(query):
            if field.type.load in (Load.ENUM, Load.ENUM_ARRAY):
                imports.add((".models", field.type.element.enum_map or ""))
    return structs, imports


def _all_fields(query: QueryPlan) -> list[Field]:
    fields = list(query.params)
    if query.scalar is not None:
        fields.append(query.scalar)
    if query.row is not None:
        stack = list(query.row.fields)
        while stack:
            field = stack.pop()
            if field.embed is not None:
                stack.extend(field.embed.fields)
            fields.append(field)
    return fields


def _mixin(file: FilePlan, flavor: Flavor, options: RenderOptions) -> list[str]:
    lines = [
        f"class {mixin_name(file.module, sync=flavor.sync)}({flavor.base_class}):",
        f'{INDENT}"""The {flavor.kind} queries of {file.filename}."""',
        "",
        f"{INDENT}__slots__ = ()",
    ]
    for query in file.queries:
        writer = MethodWriter(query, flavor, iterators=options.emit_iterators)
        lines.append("")
        lines += writer.write()
    return lines

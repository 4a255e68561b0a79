"""querier.py: the Querier Protocol(s) and the Queries class(es) implementing them."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan, QueryPlan, mixin_name
from sqlc_gen_psycopg_msgspec.planning.typemap import Import
from sqlc_gen_psycopg_msgspec.render.common import header, used_imports
from sqlc_gen_psycopg_msgspec.render.context import Flavor, RenderOptions
from sqlc_gen_psycopg_msgspec.render.pyfmt import INDENT, all_sort_key, bracketed, render_imports
from sqlc_gen_psycopg_msgspec.render.signatures import (
    item_type,
    return_type,
    signature_params,
    struct_imports,
)


def _protocol_methods(query: QueryPlan, flavor: Flavor, iterators: bool) -> list[str]:
    lines: list[str] = []
    params = signature_params(query)
    head = f"{flavor.def_} {query.method}("
    lines += bracketed(head, params, f" -> {return_type(query)}: ...", INDENT)
    if query.command is Command.MANY and iterators:
        ret = flavor.iterator_type(item_type(query))
        # An async generator is a plain `def` returning an AsyncIterator.
        lines += bracketed(f"def iter_{query.method}(", params, f" -> {ret}: ...", INDENT)
    return lines


def _protocol(plan: ContextPlan, flavor: Flavor, iterators: bool) -> list[str]:
    name = "SyncQuerier" if flavor.sync else "Querier"
    lines = [
        f"class {name}(typing.Protocol):",
        f'{INDENT}"""Every {flavor.kind} query of this package; implement it to fake the '
        'database."""',
        "",
    ]
    for file in plan.files:
        for query in file.queries:
            lines += _protocol_methods(query, flavor, iterators)
    if not any(file.queries for file in plan.files):
        lines.pop()
    return lines


def _queries_class(plan: ContextPlan, flavor: Flavor) -> list[str]:
    name = "SyncQueries" if flavor.sync else "Queries"
    mixins = [mixin_name(file.module, sync=flavor.sync) for file in plan.files]
    mixins = mixins or [flavor.base_class]
    protocol = "SyncQuerier" if flavor.sync else "Querier"
    lines = bracketed(f"class {name}(", mixins, ":", "")
    lines += [
        f'{INDENT}"""{protocol} on psycopg: give it a pool, or a connection to join its '
        'transaction."""',
        "",
        f"{INDENT}__slots__ = ()",
        "",
        "",
        f"def _check_{name.lower()}(queries: {name}) -> {protocol}:",
        f"{INDENT}return queries  # mypy proves here that {name} implements {protocol}",
    ]
    return lines


def querier_imports(plan: ContextPlan) -> set[Import]:
    """Every name a Querier signature may use (renderers keep those their body uses)."""
    imports: set[Import] = {
        ("typing", None),
        ("typing", "Any"),
        ("collections.abc", None),
        ("._runtime", "ExecResult"),
        ("._runtime", "AsyncBase"),
        ("._runtime", "SyncBase"),
    }
    for file in plan.files:
        for query in file.queries:
            imports |= struct_imports(query.params)
            if query.scalar is not None:
                imports |= struct_imports([query.scalar])
            if query.row is not None:
                module = ".models" if not query.row_is_own else f".{file.module}"
                imports.add((module, query.row.class_name))
            if query.params_struct is not None:
                imports.add((f".{file.module}", query.params_struct))
        for sync in (False, True):
            imports.add((f".{file.module}", mixin_name(file.module, sync=sync)))
    return imports


def render_querier(plan: ContextPlan, options: RenderOptions) -> str:
    imports = querier_imports(plan)
    blocks: list[list[str]] = []
    for flavor in options.flavors:
        blocks.append(_protocol(plan, flavor, options.emit_iterators))
    for flavor in options.flavors:
        blocks.append(_queries_class(plan, flavor))
    body = "\n\n\n".join("\n".join(block) for block in blocks)
    lines = header(plan.sqlc_version)
    lines.append(
        '"""The Querier Protocol of this package and the Queries class implementing it."""'
    )
    lines += ["", *used_imports(imports, body, plan.first_party), "", "", body]
    return "\n".join(lines) + "\n"


def render_init(plan: ContextPlan, options: RenderOptions) -> str:
    exported: dict[str, str] = {}
    for enum in plan.enums:
        exported[enum.class_name] = ".models"
    for composite in plan.composites:
        exported[composite.info.class_name] = ".models"
    for model in plan.models:
        exported[model.class_name] = ".models"
    for name in ("Querier", "Queries") if options.emit_async else ():
        exported[name] = ".querier"
    for name in ("SyncQuerier", "SyncQueries") if options.emit_sync else ():
        exported[name] = ".querier"
    for name in ("ExecResult", "Inet", "Cidr"):
        exported[name] = "._runtime"
    for file in plan.files:
        for query in file.queries:
            if query.row is not None and query.row_is_own:
                exported[query.row.class_name] = f".{file.module}"
            if query.params_struct is not None:
                exported[query.params_struct] = f".{file.module}"
    imports: set[Import] = {(module, name) for name, module in exported.items()}
    names = sorted(exported, key=all_sort_key)
    lines = header(plan.sqlc_version)
    lines.append('"""Typed queries of this package: models, Querier Protocol, Queries."""')
    lines += ["", *render_imports(imports, plan.first_party), ""]
    lines += bracketed("__all__ = [", [f'"{name}"' for name in names], "", "", "]")
    return "\n".join(lines) + "\n"

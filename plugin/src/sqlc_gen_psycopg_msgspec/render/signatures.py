"""A query method's signature, shared by the Queries mixins, the Querier Protocol and the fakes."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.plans import Field, QueryPlan
from sqlc_gen_psycopg_msgspec.planning.typemap import Import


def return_type(query: QueryPlan) -> str:
    command = query.command
    item = item_type(query) if command.returns_rows else ""
    if command.returns_optional_row:
        return _optional(item)
    if command is Command.MANY:
        return f"list[{item}]"
    if command is Command.BATCH_ONE:
        return f"list[{_optional(item)}]"
    if command is Command.BATCH_MANY:
        return f"list[list[{item}]]"
    if command in (Command.EXEC_ROWS, Command.COPY_FROM):
        return "int"
    if command is Command.EXEC_RESULT:
        return "ExecResult"
    return "None"


def _optional(item: str) -> str:
    """`item | None`, unless None is already one of its values (a void column is None)."""
    return item if item.endswith("| None") or item in ("Any", "None") else f"{item} | None"


def item_type(query: QueryPlan) -> str:
    """The type of one result row: the scalar's annotation or the row Struct."""
    if query.scalar is not None:
        return query.scalar.annotation
    return query.row.class_name if query.row is not None else "None"


def signature_params(query: QueryPlan) -> list[str]:
    if query.command.takes_iterable:
        item = query.params_struct or (query.params[0].annotation if query.params else "None")
        return ["self", f"params: collections.abc.Iterable[{item}]"]
    if query.params_struct is not None:
        return ["self", f"params: {query.params_struct}"]
    if not query.params:
        return ["self"]
    return ["self", "*", *(f"{param.name}: {param.annotation}" for param in query.params)]


def struct_imports(fields: list[Field] | tuple[Field, ...]) -> set[Import]:
    """The imports the annotations of `fields` need."""
    imports: set[Import] = set()
    for field in fields:
        if field.embed is not None:
            imports.add((".models", field.embed.class_name))
        else:
            imports.update(field.type.element.imports)
    return imports

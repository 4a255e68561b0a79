"""_arrays.py: array parameters sent as the type sqlc declared.

psycopg picks an array's type from its values: `[1, 2]` goes as smallint[], `[1.5]` as
float8[], `['a']` as text[], and PostgreSQL has no operator between, say, bigint[] and
smallint[]. The generated code wraps such a parameter in a list subclass that psycopg dumps
with the declared array type, and wraps each element of a json/jsonb array in Json/Jsonb.
"""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan
from sqlc_gen_psycopg_msgspec.render.common import TYPED_ARRAYS, array_dump, header
from sqlc_gen_psycopg_msgspec.render.pyfmt import assign_tuple


def uses_arrays(plan: ContextPlan) -> bool:
    return any(
        param.type.dims and array_dump(param.type, "") is not None
        for file in plan.files
        for query in file.queries
        for param in query.params
    )


_BODY = '''
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.pq import Format
from psycopg.types.json import Json, Jsonb


def _array_class(type_name: str) -> type[list[Any]]:
    """A list that psycopg always dumps as `type_name`[], whatever its values."""
    info = psycopg.postgres.types.get(type_name)
    if info is None:  # pragma: no cover - the plugin names only psycopg's built-in types
        raise LookupError(f"psycopg does not know type {type_name}")
    cls = type(f"{type_name}_array", (list,), {"__slots__": ()})
    for format in (Format.TEXT, Format.BINARY):
        try:  # psycopg may lack a dumper of the element type in one format
            psycopg.adapters.get_dumper_by_oid(info.oid, format)
        except psycopg.ProgrammingError:
            continue
        dumper = psycopg.adapters.get_dumper_by_oid(info.array_oid, format)
        psycopg.adapters.register_dumper(cls, dumper)
    return cls


_ARRAYS = {name: _array_class(name) for name in _TYPES}


def typed_array(value: list[Any] | None, type_name: str) -> list[Any] | None:
    """`value` as a list psycopg sends as `type_name`[]."""
    return None if value is None else _ARRAYS[type_name](value)


def json_array(
    value: list[Any] | None, dims: int, dumps: Callable[[Any], Any] | None = None
) -> list[Any] | None:
    """A json[] value: every element (`dims` deep) wrapped in Json."""
    return _wrap(value, Json, dims, dumps)


def jsonb_array(
    value: list[Any] | None, dims: int, dumps: Callable[[Any], Any] | None = None
) -> list[Any] | None:
    """A jsonb[] value: every element (`dims` deep) wrapped in Jsonb."""
    return _wrap(value, Jsonb, dims, dumps)


def _wrap(
    value: list[Any] | None,
    wrapper: type[Json] | type[Jsonb],
    dims: int,
    dumps: Callable[[Any], Any] | None,
) -> list[Any] | None:
    if value is None:
        return None
    if dims > 1:
        return [_wrap(item, wrapper, dims - 1, dumps) for item in value]
    return [None if item is None else wrapper(item, dumps) for item in value]
'''


def render_arrays_runtime(plan: ContextPlan) -> str:
    text = "\n".join(header(plan.sqlc_version)) + "\n"
    text += '"""Array parameters sent as their declared type, json elements wrapped."""\n'
    types = "\n".join(assign_tuple("_TYPES", [f'"{name}"' for name in TYPED_ARRAYS]))
    return text + _BODY.replace("import Json, Jsonb\n", f"import Json, Jsonb\n\n{types}\n", 1)

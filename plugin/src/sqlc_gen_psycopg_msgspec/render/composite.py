"""_composite.py: composite types as msgspec Structs, with no registration on the connection.

psycopg returns a composite it has not been told about as its text form, `(a,"b c",)`; the
generated loaders split that with psycopg's own record parser and load each field with
psycopg's loader for the field's type. Parameters go the other way, as that text form, sent
untyped so PostgreSQL reads it as the column's composite type.
"""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan, Field
from sqlc_gen_psycopg_msgspec.planning.typemap import BUILTINS, Dump, Load
from sqlc_gen_psycopg_msgspec.render.common import header
from sqlc_gen_psycopg_msgspec.render.pyfmt import bracketed, tuple_of

_BODY = '''
import enum
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import msgspec
import psycopg
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import Format

from ._runtime import load_enum_array

S = TypeVar("S", bound=msgspec.Struct)
FieldLoader = Callable[[str], Any]

_RECORD_OID = psycopg.postgres.types["record"].oid
_record_loader = psycopg.adapters.get_loader(_RECORD_OID, Format.TEXT)
if _record_loader is None:  # pragma: no cover - psycopg always has it
    raise ImportError("psycopg has no record loader")
_parse_record = _record_loader(_RECORD_OID).load
_dumpers = Transformer()


def text_field(type_name: str, *, array: bool = False) -> FieldLoader:
    """Load a field of a built-in type from its text form, as psycopg would."""
    info = psycopg.postgres.types.get(type_name)
    if info is None:  # pragma: no cover - the plugin names only psycopg's built-in types
        raise LookupError(f"psycopg does not know type {type_name}")
    oid = info.array_oid if array else info.oid
    loader = psycopg.adapters.get_loader(oid, Format.TEXT)
    if loader is None:  # pragma: no cover
        raise LookupError(f"psycopg has no text loader for {type_name}")
    load = loader(oid).load
    return lambda text: load(text.encode())


_parse_text_array = text_field("text", array=True)


def enum_field(members: Mapping[Any, Any]) -> FieldLoader:
    return lambda text: members[text]


def enum_array_field(members: Mapping[Any, Any]) -> FieldLoader:
    return lambda text: load_enum_array(text, members)


def as_text(text: str) -> str:
    return text


class JsonField:
    """Loads a json/jsonb field; dump_composite sends what such a field holds as JSON."""

    __slots__ = ("_load",)

    def __init__(self, type_name: str) -> None:
        self._load = text_field(type_name)

    def __call__(self, text: str) -> Any:
        return self._load(text)


# The positions of the json/jsonb fields of each composite Struct, for dump_composite.
_JSON_FIELDS: dict[type[Any], frozenset[int]] = {}


class Composite(Generic[S]):
    """Turns a composite value (its text form, a tuple, or the Struct itself) into `cls`."""

    __slots__ = ("_cls", "_fields")

    def __init__(self, cls: type[S], fields: Sequence[FieldLoader]) -> None:
        self._cls = cls
        self._fields = tuple(fields)
        json = (i for i, load in enumerate(self._fields) if isinstance(load, JsonField))
        _JSON_FIELDS[cls] = frozenset(json)

    def load(self, value: Any) -> S:
        if isinstance(value, self._cls):
            return value
        parts = _parse_record(value.encode()) if isinstance(value, str) else tuple(value)
        return self._cls(
            *(
                load(part) if isinstance(part, str) else part
                for load, part in zip(self._fields, parts, strict=True)
            )
        )

    def load_optional(self, value: Any) -> S | None:
        return None if value is None else self.load(value)

    def load_array(self, value: Any) -> Any:
        """An array of this type, any depth: its text form (or a list) as lists of Structs."""
        if value is None:
            return None
        items = _parse_text_array(value) if isinstance(value, str) else value
        return [
            self.load_array(item) if isinstance(item, list) else self.load_optional(item)
            for item in items
        ]


def dump_composite_array(value: Any) -> str | None:
    """The text form of an array of composite values (nested lists for more dimensions)."""
    if value is None:
        return None
    return "{" + ",".join(_array_item(item) for item in value) + "}"


def _array_item(item: Any) -> str:
    if item is None:
        return "NULL"
    if isinstance(item, list):  # a sub-array is written unquoted
        return dump_composite_array(item) or "NULL"
    return _quote(dump_composite(item))


def dump_composite(value: msgspec.Struct) -> str:
    """The text form of a composite value: every field quoted, NULL left empty."""
    json = _JSON_FIELDS.get(type(value), frozenset())
    fields = (getattr(value, name) for name in value.__struct_fields__)
    return "(" + ",".join(_dump_field(f, i in json) for i, f in enumerate(fields)) + ")"


def _dump_field(value: Any, json: bool) -> str:
    if value is None:
        return ""
    if json:
        text = msgspec.json.encode(value).decode()
    elif isinstance(value, bytes | bytearray | memoryview):
        # bytea's hex input form: psycopg's dumper without a connection escapes for a
        # string literal (a quote doubled), which a record's text form does not undo.
        text = "\\\\x" + bytes(value).hex()
    elif isinstance(value, msgspec.Struct):
        text = dump_composite(value)
    elif isinstance(value, enum.Enum):
        text = str(value.value)
    else:
        text = bytes(_dumpers.get_dumper(value, PyFormat.TEXT).dump(value) or b"").decode()
    return _quote(text)


def _quote(text: str) -> str:
    return '"' + text.replace("\\\\", "\\\\\\\\").replace('"', '\\\\"') + '"'
'''


def render_composite_runtime(plan: ContextPlan) -> str:
    text = "\n".join(header(plan.sqlc_version)) + "\n"
    text += '"""Composite types as msgspec Structs: loaded from and dumped to their text form."""\n'
    return text + _BODY


def field_loader(field: Field) -> str:
    """The expression loading one field of a composite from its text form."""
    ctype = field.type
    element = ctype.element
    if element.load is Load.COMPOSITE:
        return f"{element.composite}.{'load_array' if ctype.dims else 'load'}"
    if element.dump in (Dump.JSON, Dump.JSONB) and not ctype.dims:
        return f'_JsonField("{element.copy_type}")'
    if element.load is Load.ENUM:
        kind = "enum_array_field" if ctype.dims else "enum_field"
        return f"{kind}({element.enum_map})"
    if element.copy_type in BUILTINS and element.load is Load.AS_IS:
        array = ", array=True" if ctype.dims else ""
        return f'text_field("{element.copy_type}"{array})'
    return "as_text"


def composite_loader(name: str, class_name: str, fields: tuple[Field, ...]) -> list[str]:
    loaders = tuple_of([field_loader(field) for field in fields])
    return bracketed(f"{name}: typing.Final = _Composite(", [class_name, loaders], "", "")

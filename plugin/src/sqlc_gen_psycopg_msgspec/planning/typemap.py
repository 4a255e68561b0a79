"""PostgreSQL types to Python types, and how values cross the boundary.

psycopg loads most built-in types into the right Python object by itself; the plugin only
adds conversions where it must: enums (psycopg returns their label as ``str``), arrays of
enums (returned as the array's text form), and json/jsonb overridden to a msgspec type.
"""

from __future__ import annotations

import enum

import msgspec

Import = tuple[str, str | None]  # ("datetime", None) -> import datetime; ("a.b", "C") -> from


class Load(enum.Enum):
    """How a value that psycopg loaded becomes the annotated Python value."""

    AS_IS = "as_is"
    ENUM = "enum"
    ENUM_ARRAY = "enum_array"
    JSON_CONVERT = "json_convert"
    VOID = "void"  # psycopg loads void as '': the value is None
    COMPOSITE = "composite"  # the text form of a composite type, parsed into its Struct
    COMPOSITE_ARRAY = "composite_array"  # an array of them, in the array's text form


class Dump(enum.Enum):
    """How a Python value is wrapped before psycopg dumps it."""

    AS_IS = "as_is"
    JSON = "json"
    JSONB = "jsonb"
    JSON_ENCODE = "json_encode"
    JSONB_ENCODE = "jsonb_encode"
    COMPOSITE = "composite"


class PyType(msgspec.Struct, frozen=True):
    """The element type of a column: what one (non-array, non-null) value is in Python."""

    annotation: str
    imports: tuple[Import, ...] = ()
    load: Load = Load.AS_IS
    dump: Dump = Dump.AS_IS
    enum_map: str | None = None  # name of the label -> member dict for enums
    copy_type: str | None = None  # name for psycopg's Copy.set_types; None = text COPY only
    composite: str | None = None  # name of the Composite loader for composite types
    known: bool = True


_DT: tuple[Import, ...] = (("datetime", None),)
# Module-qualified, as every name the generated code imports from outside: a table model
# may take any class name (a table `ranges` gives `class Range`).
_RANGE: tuple[Import, ...] = (("psycopg.types.range", None),)
_MULTI: tuple[Import, ...] = (("psycopg.types.multirange", None),)
_DEC: tuple[Import, ...] = (("decimal", None),)
_ANY: tuple[Import, ...] = (("typing", "Any"),)


def _py_type(annotation: str, imports: tuple[Import, ...] = (), copy: str | None = None) -> PyType:
    return PyType(annotation, imports, copy_type=copy)


def _range(element: str, imports: tuple[Import, ...], copy_type: str) -> PyType:
    return PyType(f"psycopg.types.range.Range[{element}]", _RANGE + imports, copy_type=copy_type)


def _multi(element: str, imports: tuple[Import, ...], copy_type: str) -> PyType:
    return PyType(
        f"psycopg.types.multirange.Multirange[{element}]", _MULTI + imports, copy_type=copy_type
    )


# Keyed by the canonical pg_catalog name. Types psycopg has no loader for arrive as str.
BUILTINS: dict[str, PyType] = {
    "bool": _py_type("bool", copy="bool"),
    "int2": _py_type("int", copy="int2"),
    "int4": _py_type("int", copy="int4"),
    "int8": _py_type("int", copy="int8"),
    "oid": _py_type("int", copy="oid"),
    "float4": _py_type("float", copy="float4"),
    "float8": _py_type("float", copy="float8"),
    "numeric": _py_type("decimal.Decimal", _DEC, "numeric"),
    "money": _py_type("str"),
    "text": _py_type("str", copy="text"),
    "varchar": _py_type("str", copy="varchar"),
    "bpchar": _py_type("str", copy="bpchar"),
    "char": _py_type("str", copy="char"),
    "name": _py_type("str", copy="name"),
    "citext": _py_type("str"),
    "bytea": _py_type("bytes", copy="bytea"),
    "uuid": _py_type("uuid.UUID", (("uuid", None),), "uuid"),
    "date": _py_type("datetime.date", _DT, "date"),
    "time": _py_type("datetime.time", _DT, "time"),
    "timetz": _py_type("datetime.time", _DT, "timetz"),
    "timestamp": _py_type("datetime.datetime", _DT, "timestamp"),
    "timestamptz": _py_type("datetime.datetime", _DT, "timestamptz"),
    "interval": _py_type("datetime.timedelta", _DT, "interval"),
    # Unions too long for one line: aliases defined in the generated _runtime.py.
    "inet": _py_type("Inet", (("._runtime", "Inet"),), "inet"),
    "cidr": _py_type("Cidr", (("._runtime", "Cidr"),), "cidr"),
    "json": PyType("Any", _ANY, dump=Dump.JSON, copy_type="json"),
    "jsonb": PyType("Any", _ANY, dump=Dump.JSONB, copy_type="jsonb"),
    "int4range": _range("int", (), "int4range"),
    "int8range": _range("int", (), "int8range"),
    "numrange": _range("decimal.Decimal", _DEC, "numrange"),
    "daterange": _range("datetime.date", _DT, "daterange"),
    "tsrange": _range("datetime.datetime", _DT, "tsrange"),
    "tstzrange": _range("datetime.datetime", _DT, "tstzrange"),
    "int4multirange": _multi("int", (), "int4multirange"),
    "int8multirange": _multi("int", (), "int8multirange"),
    "nummultirange": _multi("decimal.Decimal", _DEC, "nummultirange"),
    "datemultirange": _multi("datetime.date", _DT, "datemultirange"),
    "tsmultirange": _multi("datetime.datetime", _DT, "tsmultirange"),
    "tstzmultirange": _multi("datetime.datetime", _DT, "tstzmultirange"),
    "void": PyType("None", load=Load.VOID),
}
# Loaded by psycopg as their text form.
_TEXT_FORM = (
    "bit varbit tsvector tsquery xml macaddr macaddr8 point line lseg box path polygon "
    "circle pg_lsn hstore ltree regclass regtype regproc regprocedure regoper regnamespace "
    "regrole tid xid cid xid8 pg_snapshot txid_snapshot"
)
BUILTINS.update((name, _py_type("str")) for name in _TEXT_FORM.split())

ALIASES: dict[str, str] = {
    "smallint": "int2",
    "integer": "int4",
    "int": "int4",
    "bigint": "int8",
    "smallserial": "int2",
    "serial": "int4",
    "bigserial": "int8",
    "serial2": "int2",
    "serial4": "int4",
    "serial8": "int8",
    "real": "float4",
    "double precision": "float8",
    "float": "float8",
    "decimal": "numeric",
    "boolean": "bool",
    "character varying": "varchar",
    "character": "bpchar",
    "bit varying": "varbit",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
    '"char"': "char",
}

ANY = PyType("Any", _ANY, known=False)


def canonical_builtin(name: str) -> str:
    lowered = name.lower()
    return ALIASES.get(lowered, lowered)

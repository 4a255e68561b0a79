"""Resolve a sqlc column (result column or parameter) to its Python type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.planning.typemap import (
    ANY,
    BUILTINS,
    Dump,
    Import,
    Load,
    PyType,
    canonical_builtin,
)
from sqlc_gen_psycopg_msgspec.reading.catalog import CatalogIndex, split_name
from sqlc_gen_psycopg_msgspec.reading.options import Options, Override
from sqlc_gen_psycopg_msgspec.reading.request import Column

_FROM_IMPORT = re.compile(r"^from\s+([\w.]+)\s+import\s+(\w+)$")
_PLAIN_IMPORT = re.compile(r"^import\s+([\w.]+)$")


@dataclass(frozen=True)
class ColumnType:
    element: PyType
    dims: int = 0
    nullable: bool = False
    nullable_elements: bool = False

    @property
    def annotation(self) -> str:
        text = self.element.annotation
        if self.dims:
            if self.nullable_elements:
                text = f"{text} | None"
            for _ in range(self.dims):
                text = f"list[{text}]"
        if self.nullable and text not in ("Any", "None"):
            text = f"{text} | None"
        return text

    @property
    def load(self) -> Load:
        if self.element.load is Load.ENUM and self.dims:
            return Load.ENUM_ARRAY
        if self.element.load is Load.COMPOSITE and self.dims:
            return Load.COMPOSITE_ARRAY
        return self.element.load


@dataclass
class Resolver:
    catalog: CatalogIndex
    options: Options
    warnings: list[str] = field(default_factory=list)
    _by_column: dict[str, Override] = field(default_factory=dict)
    _by_type: dict[str, Override] = field(default_factory=dict)
    used_overrides: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        for override in self.options.overrides:
            if override.column is not None:
                self._by_column[override.column] = override
            elif override.db_type is not None:
                schema, name = split_name("", override.db_type)
                self._by_type[self._type_key(schema, name)] = override

    def _type_key(self, schema: str, name: str) -> str:
        canonical = canonical_builtin(name)
        if schema in ("", "pg_catalog") and canonical in BUILTINS:
            return f"pg_catalog.{canonical}"
        return f"{schema or self.catalog.default_schema}.{name}"

    def resolve(self, column: Column, where: str) -> ColumnType:
        dims = column.array_dims or (1 if column.is_array else 0)
        element, extra_dims = self._element(column, where)
        return ColumnType(
            element=element,
            dims=dims + extra_dims,
            nullable=not column.not_null,
            nullable_elements=self.options.nullable_array_elements,
        )

    def _column_override(self, column: Column) -> Override | None:
        if column.table is None or not self._by_column:
            return None
        col = column.original_name or column.name
        schema = self.catalog.schema_of(column.table)
        for key in (f"{column.table.name}.{col}", f"{schema}.{column.table.name}.{col}"):
            if key in self._by_column:
                return self._by_column[key]
        return None

    def _element(self, column: Column, where: str) -> tuple[PyType, int]:
        ident = column.type
        schema, name = split_name(ident.schema, ident.name) if ident else ("", "")
        base, extra_dims = self._base(schema, name, where, set())
        override = self._column_override(column) or self._by_type.get(self._type_key(schema, name))
        if override is not None:
            self.used_overrides.add(id(override))
            return self._from_override(override, base), extra_dims
        if not base.known:
            self._unknown(schema, name, column, where)
        return base, extra_dims

    def _base(self, schema: str, name: str, where: str, seen: set[str]) -> tuple[PyType, int]:
        canonical = canonical_builtin(name)
        if schema in ("", "pg_catalog") and canonical in BUILTINS:
            return BUILTINS[canonical], 0
        enum = self.catalog.enum(schema, name)
        if enum is not None:
            return (
                PyType(
                    enum.class_name,
                    ((".models", enum.class_name), (".models", enum.map_name)),
                    load=Load.ENUM,
                    enum_map=enum.map_name,
                ),
                0,
            )
        composite = self.catalog.composite(schema, name)
        if composite is not None:
            imports: tuple[Import, ...] = (
                (".models", composite.class_name),
                (".models", composite.loader_name),
                ("._composite", "dump_composite"),
                ("._composite", "dump_composite_array"),
            )
            loader = composite.loader_name
            load, dump = Load.COMPOSITE, Dump.COMPOSITE
            return PyType(composite.class_name, imports, load, dump, composite=loader), 0
        domain = self.catalog.domain(schema, name)
        key = f"{schema}.{name}"
        if domain is not None and key not in seen:
            base_schema, base_name = split_name("", domain.base)
            element, dims = self._base(base_schema, base_name, where, seen | {key})
            # A domain's values travel as its base type, but COPY BINARY wants the domain OID.
            return msgspec.structs.replace(element, copy_type=None), dims + domain.dims
        return ANY, 0

    def _from_override(self, override: Override, base: PyType) -> PyType:
        imports: tuple[Import, ...]
        if override.py_import is not None:
            imports = (_parse_import(override.py_import),)
            annotation = override.py_type
        elif "." in override.py_type:
            module, _, name = override.py_type.rpartition(".")
            imports, annotation = ((module, name),), name
        else:
            imports, annotation = (), override.py_type
        load, dump = Load.AS_IS, Dump.AS_IS
        if base.dump in (Dump.JSON, Dump.JSONB):
            load = Load.JSON_CONVERT
            dump = Dump.JSON_ENCODE if base.dump is Dump.JSON else Dump.JSONB_ENCODE
        return PyType(annotation, imports, load=load, dump=dump, copy_type=base.copy_type)

    def _unknown(self, schema: str, name: str, column: Column, where: str) -> None:
        type_name = f"{schema}.{name}" if schema else name or "unknown"
        table = column.table.name if column.table else None
        col = column.original_name or column.name
        only = f" (or {{column: '{table}.{col}', ...}} for this column only)" if table else ""
        message = (
            f"{where}: type '{type_name}' is not known to sqlc-gen-python, typed as Any; "
            f"to type it add to options.overrides: {{db_type: '{type_name}', "
            f"py_type: 'module.Type'}}{only}"
        )
        if self.catalog.schema_base is None:
            files = ", ".join(self.catalog.schema_paths)
            raise PluginError(
                f"{where}: type '{type_name}' is not known, and the schema files ({files}) are "
                f"not found from the directory sqlc runs in ({Path.cwd()}); domains and "
                "composite types are read from them: run sqlc in the folder of sqlc.yaml"
            )
        if self.options.strict_types:
            raise PluginError(message)
        if message not in self.warnings:
            self.warnings.append(message)

    def unused_overrides(self) -> list[Override]:
        return [
            override
            for override in self.options.overrides
            if id(override) not in self.used_overrides
        ]


def _parse_import(line: str) -> Import:
    line = " ".join(line.split())
    if match := _FROM_IMPORT.match(line):
        return (match[1], match[2])
    if match := _PLAIN_IMPORT.match(line):
        return (match[1], None)
    raise PluginError(
        f"option overrides: py_import '{line}' must be 'from module import Name' or 'import module'"
    )

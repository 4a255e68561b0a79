"""An index over sqlc's catalog: enums, tables and (from the schema files) domains."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlc_gen_psycopg_msgspec import names
from sqlc_gen_psycopg_msgspec.reading.paths import base_dir
from sqlc_gen_psycopg_msgspec.reading.request import (
    Catalog,
    Enum,
    GenerateRequest,
    Identifier,
    Table,
)

_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_temp"})
# sqlc's catalog has no domains: read their base type from the schema files.
_DOMAIN = re.compile(
    r"CREATE\s+DOMAIN\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>[\w\".]+)\s+(?:AS\s+)?"
    r"(?P<type>.+?)(?=\s+(?:NOT\s+NULL|NULL|CHECK|DEFAULT|COLLATE|CONSTRAINT)\b|\s*;)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"--[^\n]*")
# sqlc's catalog names composite types but not their fields: read those from the schema too.
_COMPOSITE = re.compile(r"CREATE\s+TYPE\s+(?P<name>[\w\".]+)\s+AS\s*\(", re.IGNORECASE | re.DOTALL)


def split_name(schema: str, name: str) -> tuple[str, str]:
    """sqlc writes types as ('pg_catalog', 'int4') or ('', 'pg_catalog.int4'): unify them."""
    if not schema and "." in name:
        schema, _, name = name.partition(".")
    return schema.strip('"'), name.strip('"')


@dataclass(frozen=True)
class EnumInfo:
    schema: str
    db_name: str
    class_name: str
    map_name: str  # module-level dict label -> member, in models.py
    labels: tuple[str, ...]
    members: tuple[str, ...]
    comment: str


@dataclass(frozen=True)
class TableInfo:
    schema: str
    db_name: str
    table: Table


@dataclass(frozen=True)
class CompositeField:
    name: str
    base: str  # type name, possibly schema-qualified
    dims: int


@dataclass(frozen=True)
class CompositeInfo:
    schema: str
    db_name: str
    class_name: str
    loader_name: str  # module-level Composite loader, in models.py
    fields: tuple[CompositeField, ...]
    comment: str


@dataclass(frozen=True)
class DomainInfo:
    base: str  # type name, possibly schema-qualified
    dims: int


class CatalogIndex:
    def __init__(self, request: GenerateRequest, rename: dict[str, str]) -> None:
        catalog: Catalog = request.catalog
        self.default_schema = catalog.default_schema or "public"
        self.enums: dict[tuple[str, str], EnumInfo] = {}
        self.tables: dict[tuple[str, str], TableInfo] = {}
        for schema in catalog.schemas:
            if schema.name in _SYSTEM_SCHEMAS:
                continue
            for enum in schema.enums:
                info = self._enum_info(schema.name, enum, rename)
                self.enums[(schema.name, enum.name)] = info
            for table in schema.tables:
                self.tables[(schema.name, table.rel.name)] = TableInfo(
                    schema.name, table.rel.name, table
                )
        schema_paths = request.settings.schema
        base = base_dir(schema_paths)
        # Domains and composite fields come from these files: None means they were not found.
        self.schema_base = base
        self.schema_paths = schema_paths
        files = _schema_files(schema_paths, base) if base is not None else []
        self.domains = _read_domains(files, self.default_schema)
        self.composites: dict[tuple[str, str], CompositeInfo] = {}
        fields = _read_composites(files, self.default_schema)
        for schema in catalog.schemas:
            for composite in schema.composite_types if schema.name not in _SYSTEM_SCHEMAS else ():
                key = (schema.name, composite.name)
                if key in fields:
                    db_name = f"{self.qualified_prefix(schema.name)}{composite.name}"
                    class_name = names.class_name(db_name, rename, "Composite")
                    self.composites[key] = CompositeInfo(
                        schema.name,
                        composite.name,
                        class_name,
                        f"_{names.upper_snake(class_name)}_COMPOSITE",
                        fields[key],
                        composite.comment,
                    )

    def qualified_prefix(self, schema: str) -> str:
        return "" if schema in ("", self.default_schema) else f"{schema}_"

    def _enum_info(self, schema: str, enum: Enum, rename: dict[str, str]) -> EnumInfo:
        db_name = f"{self.qualified_prefix(schema)}{enum.name}"
        class_name = names.class_name(db_name, rename, "Enum")
        members = names.dedupe([names.member_name(label) for label in enum.vals])
        return EnumInfo(
            schema=schema,
            db_name=enum.name,
            class_name=class_name,
            map_name=f"_{names.upper_snake(class_name)}_BY_LABEL",
            labels=tuple(enum.vals),
            members=tuple(members),
            comment=enum.comment,
        )

    def schema_of(self, ident: Identifier | None) -> str:
        if ident is None or not ident.schema:
            return self.default_schema
        return ident.schema

    def enum(self, schema: str, name: str) -> EnumInfo | None:
        return self.enums.get((schema or self.default_schema, name))

    def table(self, ident: Identifier | None) -> TableInfo | None:
        if ident is None:
            return None
        return self.tables.get((self.schema_of(ident), ident.name))

    def composite(self, schema: str, name: str) -> CompositeInfo | None:
        return self.composites.get((schema or self.default_schema, name))

    def domain(self, schema: str, name: str) -> DomainInfo | None:
        return self.domains.get((schema or self.default_schema, name))


def _schema_files(paths: list[str], base: Path) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        path = base / entry
        if path.is_dir():
            files.extend(sorted(file for file in path.iterdir() if file.suffix == ".sql"))
        elif path.is_file():
            files.append(path)
    return files


def _read_domains(files: list[Path], default_schema: str) -> dict[tuple[str, str], DomainInfo]:
    domains: dict[tuple[str, str], DomainInfo] = {}
    for path in files:
        text = _COMMENT.sub("", path.read_text(encoding="utf-8", errors="replace"))
        for match in _DOMAIN.finditer(text):
            schema, name = split_name("", match["name"])
            base = " ".join(match["type"].split())
            dims = base.count("[]")
            base = re.sub(r"\(.*?\)|\[\d*\]", "", base).strip()
            domains[(schema or default_schema, name)] = DomainInfo(base, dims)
    return domains


def _split_top_level(body: str) -> list[str]:
    """Split at commas outside parentheses: `a numeric(12, 2), b text` -> two items."""
    items, depth, start = [], 0, 0
    for index, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(body[start:index])
            start = index + 1
    items.append(body[start:])
    return [item.strip() for item in items if item.strip()]


def _composite_body(text: str, start: int) -> str:
    depth = 1
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index]
    return ""


def _read_composites(
    files: list[Path], default_schema: str
) -> dict[tuple[str, str], tuple[CompositeField, ...]]:
    found: dict[tuple[str, str], tuple[CompositeField, ...]] = {}
    for path in files:
        text = _COMMENT.sub("", path.read_text(encoding="utf-8", errors="replace"))
        for match in _COMPOSITE.finditer(text):
            schema, name = split_name("", match["name"])
            fields: list[CompositeField] = []
            for item in _split_top_level(_composite_body(text, match.end())):
                field, _, rest = item.partition(" ")
                base = re.sub(r"\bCOLLATE\s+\S+", "", " ".join(rest.split()), flags=re.IGNORECASE)
                dims = base.count("[]")
                base = re.sub(r"\(.*?\)|\[\d*\]", "", base).strip()
                fields.append(CompositeField(field.strip('"'), base, dims))
            found[(schema or default_schema, name)] = tuple(fields)
    return found

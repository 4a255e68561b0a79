"""The plan: what the renderers emit for one sqlc entry, every name already decided."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlc_gen_psycopg_msgspec import names
from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.resolve import ColumnType
from sqlc_gen_psycopg_msgspec.reading.catalog import CompositeInfo, EnumInfo, TableInfo


@dataclass(frozen=True)
class Field:
    name: str
    db_name: str
    type: ColumnType
    embed: ModelPlan | None = None  # an sqlc.embed() column: a nested Struct

    @property
    def annotation(self) -> str:
        return self.embed.class_name if self.embed else self.type.annotation

    @property
    def width(self) -> int:
        """How many result columns this field consumes."""
        return len(self.embed.fields) if self.embed else 1


@dataclass(frozen=True)
class ModelPlan:
    class_name: str
    fields: tuple[Field, ...]
    comment: str = ""
    table: TableInfo | None = None


@dataclass(frozen=True)
class CompositePlan:
    """A composite type: its Struct, and the module-level loader that parses its text form."""

    info: CompositeInfo
    model: ModelPlan


@dataclass(frozen=True)
class CopyPlan:
    sql: str
    binary_types: tuple[str, ...] | None  # None: text COPY


@dataclass
class QueryPlan:
    name: str
    method: str
    command: Command
    filename: str
    sql_const: str
    sql: str
    params: list[Field]
    params_struct: str | None
    row: ModelPlan | None  # the Struct the query returns (may be a table model)
    row_is_own: bool  # True: the Row Struct is emitted with the query
    scalar: Field | None  # a single non-embedded column: return the value itself
    doc: list[str]
    copy: CopyPlan | None = None
    binary: bool = False  # results in binary: see planning/formats.py
    unnest: bool = False  # a :batchexec sent as one INSERT … SELECT FROM unnest(arrays)
    where: str = ""  # `query Name (file:line)`, for messages


@dataclass
class FilePlan:
    module: str
    filename: str
    queries: list[QueryPlan] = field(default_factory=list)


@dataclass
class ContextPlan:
    enums: list[EnumInfo]
    models: list[ModelPlan]
    files: list[FilePlan]
    warnings: list[str]
    sqlc_version: str
    first_party: frozenset[str] = frozenset()
    composites: list[CompositePlan] = field(default_factory=list)
    # Every enum and table model, whatever omit_unused_models keeps: the shared models.
    all_enums: list[EnumInfo] = field(default_factory=list)
    all_models: list[ModelPlan] = field(default_factory=list)


def mixin_name(module: str, *, sync: bool) -> str:
    """The class holding one query file's methods, combined into Queries by querier.py."""
    return f"{'Sync' if sync else ''}{names.pascal(module)}Queries"

"""Turn the request into a plan of what to emit: models, and per query file its queries.

All naming decisions and all checks happen here, so the renderers only format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import msgspec

from sqlc_gen_psycopg_msgspec import names
from sqlc_gen_psycopg_msgspec.catalog import (
    CatalogIndex,
    CompositeInfo,
    EnumInfo,
    TableInfo,
    split_name,
)
from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.options import Options
from sqlc_gen_psycopg_msgspec.request import Column, GenerateRequest, Identifier, Query
from sqlc_gen_psycopg_msgspec.resolve import ColumnType, Resolver
from sqlc_gen_psycopg_msgspec.typemap import ANY, BUILTINS, Load, canonical_builtin

_COPY_FORM = "INSERT INTO table (col, ...) VALUES ($1, ..., $n)"
COMMANDS = (
    ":one",
    ":many",
    ":exec",
    ":execrows",
    ":execresult",
    ":execlastid",
    ":copyfrom",
    ":batchexec",
    ":batchmany",
    ":batchone",
)
BATCH = frozenset({":batchexec", ":batchmany", ":batchone"})
ROW_COMMANDS = frozenset({":one", ":many", ":batchone", ":batchmany", ":execlastid"})
RESERVED_MODULES = frozenset({"models", "querier", "fakes", "_runtime", "_composite", "__init__"})
_INSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<table>[^\s(]+)\s*\((?P<cols>[^)]*)\)\s*VALUES\s*"
    r"\((?P<vals>[^)]*)\)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


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
    cmd: str
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

    @property
    def returns_rows(self) -> bool:
        return self.cmd in ROW_COMMANDS

    @property
    def where(self) -> str:
        return f"query {self.name} ({self.filename})"


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


class Planner:
    def __init__(self, request: GenerateRequest, options: Options) -> None:
        self.request = request
        self.options = options
        self.catalog = CatalogIndex(request, options.rename)
        self.resolver = Resolver(self.catalog, options)
        self.models: dict[tuple[str, str], ModelPlan] = {}
        self.used_models: set[str] = set()
        self.used_enums: set[str] = set()

    # ---- models -------------------------------------------------------------------------
    def _model_name(self, info: TableInfo) -> str:
        db_name = f"{self.catalog.qualified_prefix(info.schema)}{info.db_name}"
        if info.db_name in self.options.rename:
            return self.options.rename[info.db_name]
        if not self.options.emit_exact_table_names:
            db_name = names.singular(db_name)
        return names.class_name(db_name, {}, "Model")

    def _build_models(self) -> None:
        for key, info in sorted(self.catalog.tables.items()):
            where = f"table {info.schema}.{info.db_name}"
            fields = self._fields(info.table.columns, where, note_enums=False)
            self.models[key] = ModelPlan(
                self._model_name(info), tuple(fields), info.table.comment, info
            )

    def _composites(self) -> list[CompositePlan]:
        """Every composite type, each after the composites its fields use."""
        plans: dict[str, CompositePlan] = {}
        for info in sorted(self.catalog.composites.values(), key=lambda c: c.class_name):
            where = f"composite type {info.schema}.{info.db_name}"
            columns = [
                Column(
                    name=f.name, type=Identifier(*("", *split_name("", f.base))), array_dims=f.dims
                )
                for f in info.fields
            ]
            fields = tuple(self._fields(columns, where, note_enums=False))
            plans[info.class_name] = CompositePlan(
                info, ModelPlan(info.class_name, fields, info.comment)
            )
        ordered: list[CompositePlan] = []

        def visit(plan: CompositePlan) -> None:
            if plan in ordered:
                return
            for f in plan.model.fields:
                used = plans.get(f.type.element.annotation)
                if used is not None and used is not plan and f.type.element.composite:
                    visit(used)
            ordered.append(plan)

        for plan in plans.values():
            visit(plan)
        return ordered

    def _fields(self, columns: list[Column], where: str, *, note_enums: bool = True) -> list[Field]:
        raw: list[Field] = []
        for index, column in enumerate(columns):
            if column.embed_table is not None:
                embed = self.models.get(
                    (self.catalog.schema_of(column.embed_table), column.embed_table.name)
                )
                if embed is None:
                    raise PluginError(f"{where}: sqlc.embed of unknown table {column.name}")
                self.used_models.add(embed.class_name)
                raw.append(
                    Field(names.field_name(column.name, self.options.rename), "", _NO_TYPE, embed)
                )
                continue
            col_where = f"{where}, column {column.name or index + 1}"
            ctype = self.resolver.resolve(column, col_where)
            if note_enums:
                self._note_enum(ctype)
            fallback = f"column_{index + 1}"
            name = names.field_name(column.name, self.options.rename) if column.name else fallback
            raw.append(Field(name, column.name, ctype))
        unique = names.dedupe([f.name for f in raw])
        return [Field(n, f.db_name, f.type, f.embed) for n, f in zip(unique, raw, strict=True)]

    def _note_enum(self, ctype: ColumnType) -> None:
        if ctype.element.load is Load.ENUM:
            self.used_enums.add(ctype.element.annotation)

    # ---- queries ------------------------------------------------------------------------
    def _params(self, query: Query, where: str) -> list[Field]:
        fields: list[Field] = []
        for param in sorted(query.params, key=lambda p: p.number):
            col = param.column
            if col.is_sqlc_slice:  # one array parameter: see rewrite_slices
                col = msgspec.structs.replace(col, is_array=True, array_dims=col.array_dims + 1)
            ctype = self.resolver.resolve(col, f"{where}, parameter ${param.number}")
            self._note_enum(ctype)
            fallback = f"p{param.number}"
            name = names.param_name(col.name, self.options.rename) if col.name else fallback
            fields.append(Field(name, col.name, ctype))
        unique = names.dedupe([f.name for f in fields])
        return [Field(n, f.db_name, f.type) for n, f in zip(unique, fields, strict=True)]

    def _matching_model(self, columns: list[Column], fields: list[Field]) -> ModelPlan | None:
        """A query whose columns are exactly a table's columns returns that table's Struct."""
        if not columns or any(c.embed_table is not None or c.table is None for c in columns):
            return None
        first = columns[0].table
        if any(c.table != first for c in columns):
            return None
        model = self.models.get((self.catalog.schema_of(first), first.name if first else ""))
        if model is None or len(model.fields) != len(fields):
            return None
        for mine, theirs in zip(fields, model.fields, strict=True):
            if mine.db_name != theirs.db_name or mine.annotation != theirs.annotation:
                return None
        return model

    def _plan_query(self, query: Query) -> QueryPlan:
        where = f"query {query.name} ({query.filename})"
        if query.cmd not in COMMANDS:
            raise PluginError(
                f"{where}: annotation {query.cmd} is not supported; "
                f"use one of {', '.join(COMMANDS)}"
            )
        method = names.fix_identifier(names.snake(query.name), "query")
        params = self._params(query, where)
        columns = list(query.columns)
        if query.cmd in ROW_COMMANDS and not columns:
            raise PluginError(
                f"{where}: {query.cmd} needs a statement that returns columns "
                "(a SELECT, or add RETURNING); use :exec or :execrows otherwise"
            )
        row: ModelPlan | None = None
        scalar: Field | None = None
        row_is_own = False
        if query.cmd in ROW_COMMANDS:
            fields = self._fields(columns, where)
            if query.cmd == ":execlastid" and (len(fields) != 1 or fields[0].embed):
                raise PluginError(
                    f"{where}: :execlastid needs exactly one returned column, "
                    "e.g. INSERT ... RETURNING id"
                )
            if len(fields) == 1 and fields[0].embed is None:
                scalar = fields[0]
            elif (model := self._matching_model(columns, fields)) is not None:
                row = model
                self.used_models.add(model.class_name)
            else:
                row = ModelPlan(f"{names.pascal(query.name)}Row", tuple(fields))
                row_is_own = True
        limit = self.options.query_parameter_limit
        wants_struct = query.cmd == ":copyfrom" or (query.cmd in BATCH and len(params) > 1)
        over_limit = limit >= 0 and len(params) > limit
        params_struct = (
            f"{names.pascal(query.name)}Params" if params and (wants_struct or over_limit) else None
        )
        plan = QueryPlan(
            name=query.name,
            method=method,
            cmd=query.cmd,
            filename=query.filename,
            sql_const=names.upper_snake(query.name) or "QUERY",
            # sqlc keeps the blank lines that precede a query
            sql=rewrite_slices(query, where).strip(),
            params=params,
            params_struct=params_struct,
            row=row,
            row_is_own=row_is_own,
            scalar=scalar,
            doc=[c.strip() for c in query.comments] if self.options.emit_docstrings else [],
        )
        if query.cmd == ":copyfrom":
            plan.copy = self._copy_plan(query, params, where)
        return plan

    def _copy_plan(self, query: Query, params: list[Field], where: str) -> CopyPlan:
        match = _INSERT.match(query.text)
        expected = ", ".join(f"${n}" for n in range(1, len(params) + 1))
        if match is None or " ".join(match["vals"].replace(",", ", ").split()) != expected:
            raise PluginError(
                f"{where}: :copyfrom needs a plain insert of one row of parameters, "
                f"in order: {_COPY_FORM}"
            )
        cols = [c.strip() for c in match["cols"].split(",")]
        if len(cols) != len(params):
            raise PluginError(
                f"{where}: :copyfrom lists {len(cols)} columns for {len(params)} values"
            )
        types: list[str] = []
        for param in params:
            copy_type = param.type.element.copy_type
            if copy_type is None:
                break
            types.append(copy_type + ("[]" if param.type.dims else ""))
        binary = len(types) == len(params)
        sql = f"COPY {match['table']} ({', '.join(cols)}) FROM STDIN"
        if binary:
            sql += " (FORMAT BINARY)"
        return CopyPlan(sql, tuple(types) if binary else None)

    # ---- the whole context --------------------------------------------------------------
    def plan(self) -> ContextPlan:
        self._build_models()
        files: dict[str, FilePlan] = {}
        methods: dict[str, QueryPlan] = {}
        for query in self.request.queries:
            plan = self._plan_query(query)
            if plan.method in methods:
                other = methods[plan.method]
                raise PluginError(
                    f"{plan.where} and {other.where} both become method '{plan.method}'; "
                    "rename one of them"
                )
            methods[plan.method] = plan
            module = self._module_name(query.filename)
            file = files.setdefault(module, FilePlan(module, query.filename))
            if file.filename != query.filename:
                raise PluginError(
                    f"query files {file.filename} and {query.filename} both become module "
                    f"'{module}.py'; rename one of them"
                )
            file.queries.append(plan)
        enums = sorted(self.catalog.enums.values(), key=lambda e: (e.schema, e.db_name))
        models = sorted(self.models.values(), key=lambda m: m.class_name)
        all_enums, all_models = enums, models
        if self.options.omit_unused_models:
            models = [m for m in models if m.class_name in self.used_models]
            used = {f.type.element.annotation for m in models for f in m.fields}
            used |= self.used_enums  # enums of query parameters and result columns
            enums = [e for e in enums if e.class_name in used]
        context = ContextPlan(
            enums=enums,
            models=models,
            files=sorted(files.values(), key=lambda f: f.module),
            warnings=self.resolver.warnings,
            sqlc_version=self.request.sqlc_version,
            first_party=self._first_party(),
            composites=self._composites(),
            all_enums=all_enums,
            all_models=all_models,
        )
        _check_collisions(context)
        for override in self.resolver.unused_overrides():
            target = override.column or override.db_type
            context.warnings.append(f"option overrides: '{target}' matched no column or type")
        return context

    def _first_party(self) -> frozenset[str]:
        """Packages ruff will call first-party: those named, and the folders of `out`."""
        codegen = self.request.settings.codegen
        folders = PurePosixPath(codegen.out).parts if codegen else ()
        found = {part for part in folders if part.isidentifier()}
        if self.options.models_package:
            found.add(self.options.models_package.split(".")[0])
        return frozenset(found | set(self.options.known_first_party))

    def _module_name(self, filename: str) -> str:
        stem = PurePosixPath(filename).stem
        module = names.fix_identifier(names.snake(stem), "queries")
        if module in RESERVED_MODULES:
            raise PluginError(
                f"query file {filename} would become module '{module}.py', which the plugin "
                "writes itself; rename the file"
            )
        return module


_NO_TYPE = ColumnType(element=ANY)


def _slice_cast(column: Column) -> str:
    """The array type a sqlc.slice() parameter is cast to, so PostgreSQL knows it at once."""
    ident = column.type
    schema, name = split_name(ident.schema, ident.name) if ident else ("", "")
    canonical = canonical_builtin(name)
    if schema in ("", "pg_catalog") and canonical in BUILTINS:
        return f"{canonical}[]"
    parts = [schema, name] if schema else [name]
    return ".".join(p if p.isidentifier() and p.islower() else f'"{p}"' for p in parts) + "[]"


def _rewrite_slice(text: str, n: int, column: Column, where: str) -> str:
    pattern = re.compile(rf"(\bNOT\s+)?\bIN\s*\(\s*\${n}\s*\)(?!\d)", re.IGNORECASE)
    cast = _slice_cast(column)
    text, count = pattern.subn(lambda m: f"{'<> ALL' if m[1] else '= ANY'}(${n}::{cast})", text)
    if count == 0:
        name = column.name or f"${n}"
        raise PluginError(
            f"{where}: sqlc.slice({name}) is supported only as `column IN "
            f"(sqlc.slice({name}))`; for PostgreSQL write `column = ANY(sqlc.arg({name})"
            f"::{cast})` instead"
        )
    return text


def rewrite_slices(query: Query, where: str) -> str:
    """`x IN (sqlc.slice(ids))` becomes `x = ANY($n::type[])`: one array parameter, any length.

    sqlc hands PostgreSQL plugins the text with `IN ($n)`; left alone it would compare with
    one scalar. NOT IN becomes `<> ALL(...)`.
    """
    text = query.text
    for param in query.params:
        if param.column.is_sqlc_slice:
            text = _rewrite_slice(text, param.number, param.column, where)
    return text


def mixin_name(module: str, *, sync: bool) -> str:
    """The class holding one query file's methods, combined into Queries by querier.py."""
    return f"{'Sync' if sync else ''}{names.pascal(module)}Queries"


def _check_collisions(plan: ContextPlan) -> None:
    """Every class the context defines has one meaning; report the first clash."""
    owners: dict[str, str] = {}

    def claim(name: str, owner: str) -> None:
        if name in owners and owners[name] != owner:
            raise PluginError(
                f"name collision: {owner} and {owners[name]} both define class '{name}'; "
                "use the rename option or rename the query"
            )
        owners[name] = owner

    for enum in plan.enums:
        claim(enum.class_name, f"enum {enum.schema}.{enum.db_name}")
    for model in plan.models:
        if model.table is not None:
            claim(model.class_name, f"table {model.table.schema}.{model.table.db_name}")
    for file in plan.files:
        for query in file.queries:
            if query.row is not None and query.row_is_own:
                claim(query.row.class_name, query.where)
            if query.params_struct is not None:
                claim(query.params_struct, query.where)
    for file in plan.files:
        claim(mixin_name(file.module, sync=False), f"query file {file.filename}")
        claim(mixin_name(file.module, sync=True), f"query file {file.filename}")
    for fixed in ("Querier", "Queries", "SyncQuerier", "SyncQueries", "ExecResult", "Inet", "Cidr"):
        claim(fixed, "the plugin")

"""Turn the request into a plan of what to emit: models, and per query file its queries.

All naming decisions and all checks happen here, so the renderers only format.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import NamedTuple

import msgspec

from sqlc_gen_psycopg_msgspec import names
from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.planning.collisions import check_collisions
from sqlc_gen_psycopg_msgspec.planning.commands import Command, parse_command
from sqlc_gen_psycopg_msgspec.planning.formats import reads_binary
from sqlc_gen_psycopg_msgspec.planning.plans import (
    CompositePlan,
    ContextPlan,
    Field,
    FilePlan,
    ModelPlan,
    QueryPlan,
)
from sqlc_gen_psycopg_msgspec.planning.resolve import ColumnType, Resolver
from sqlc_gen_psycopg_msgspec.planning.statements import (
    UNNEST_MARK,
    compared_with_elements,
    copy_plan,
    rewrite_slices,
    unnest_sql,
)
from sqlc_gen_psycopg_msgspec.planning.typemap import ANY, Load
from sqlc_gen_psycopg_msgspec.reading.catalog import CatalogIndex, TableInfo, split_name
from sqlc_gen_psycopg_msgspec.reading.locations import QueryLocations
from sqlc_gen_psycopg_msgspec.reading.options import Options
from sqlc_gen_psycopg_msgspec.reading.request import Column, GenerateRequest, Identifier, Query

RESERVED_MODULES = frozenset({"models", "querier", "fakes", "_runtime", "_composite", "__init__"})


class _Result(NamedTuple):
    """What a query returns, as the plan records it."""

    row: ModelPlan | None = None  # the Struct the query returns (may be a table model)
    row_is_own: bool = False  # True: the Row Struct is emitted with the query
    scalar: Field | None = None  # a single non-embedded column: the value itself


class Planner:
    def __init__(self, request: GenerateRequest, options: Options) -> None:
        self.request = request
        self.options = options
        self.catalog = CatalogIndex(request, options.rename)
        self.resolver = Resolver(self.catalog, options)
        self.models: dict[tuple[str, str], ModelPlan] = {}
        self.used_models: set[str] = set()
        self.used_enums: set[str] = set()
        self.locations = QueryLocations(request.settings.queries)

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
        for info in sorted(
            self.catalog.composites.values(), key=lambda composite: composite.class_name
        ):
            where = f"composite type {info.schema}.{info.db_name}"
            columns = [
                Column(
                    name=field.name,
                    type=Identifier(*("", *split_name("", field.base))),
                    array_dims=field.dims,
                )
                for field in info.fields
            ]
            fields = tuple(self._fields(columns, where, note_enums=False))
            plans[info.class_name] = CompositePlan(
                info, ModelPlan(info.class_name, fields, info.comment)
            )
        ordered: list[CompositePlan] = []

        def visit(plan: CompositePlan) -> None:
            if plan in ordered:
                return
            for field in plan.model.fields:
                used = plans.get(field.type.element.annotation)
                if used is not None and used is not plan and field.type.element.composite:
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
        unique = names.dedupe([field.name for field in raw])
        return [
            Field(name, field.db_name, field.type, field.embed)
            for name, field in zip(unique, raw, strict=True)
        ]

    def _note_enum(self, ctype: ColumnType) -> None:
        if ctype.element.load is Load.ENUM:
            self.used_enums.add(ctype.element.annotation)

    # ---- queries ------------------------------------------------------------------------
    def _params(self, query: Query, where: str) -> list[Field]:
        fields: list[Field] = []
        for param in sorted(query.params, key=lambda param: param.number):
            col = param.column
            if col.is_sqlc_slice:  # one array parameter: see rewrite_slices
                col = msgspec.structs.replace(col, is_array=True, array_dims=col.array_dims + 1)
            elif col.is_array and compared_with_elements(query.text, param.number):
                dims = max((col.array_dims or 1) - 1, 0)
                col = msgspec.structs.replace(col, is_array=dims > 0, array_dims=dims)
            ctype = self.resolver.resolve(col, f"{where}, parameter ${param.number}")
            self._note_enum(ctype)
            fallback = f"p{param.number}"
            name = names.param_name(col.name, self.options.rename) if col.name else fallback
            fields.append(Field(name, col.name, ctype))
        unique = names.dedupe([field.name for field in fields])
        return [
            Field(name, field.db_name, field.type)
            for name, field in zip(unique, fields, strict=True)
        ]

    def _matching_model(self, columns: list[Column], fields: list[Field]) -> ModelPlan | None:
        """A query whose columns are exactly a table's columns returns that table's Struct."""
        if not columns or any(
            column.embed_table is not None or column.table is None for column in columns
        ):
            return None
        first = columns[0].table
        if any(column.table != first for column in columns):
            return None
        model = self.models.get((self.catalog.schema_of(first), first.name if first else ""))
        if model is None or len(model.fields) != len(fields):
            return None
        for mine, theirs in zip(fields, model.fields, strict=True):
            if mine.db_name != theirs.db_name or mine.annotation != theirs.annotation:
                return None
        return model

    def _plan_query(self, query: Query) -> QueryPlan:
        where = self.locations.where(query)
        command = parse_command(query, where)
        params = self._params(query, where)
        result = self._result(query, command, where)
        comments = [comment.strip() for comment in query.comments]
        unnest = UNNEST_MARK in comments
        if unnest and command is not Command.BATCH_EXEC:
            raise PluginError(f"{where}: {UNNEST_MARK} applies to :batchexec queries only")
        plan = QueryPlan(
            name=query.name,
            method=names.fix_identifier(names.snake(query.name), "query"),
            command=command,
            filename=query.filename,
            sql_const=names.upper_snake(query.name) or "QUERY",
            # sqlc keeps the blank lines that precede a query
            sql=rewrite_slices(query, where).strip(),
            params=params,
            params_struct=self._params_struct(query, command, params),
            row=result.row,
            row_is_own=result.row_is_own,
            scalar=result.scalar,
            doc=[c for c in comments if c != UNNEST_MARK] if self.options.emit_docstrings else [],
            binary=reads_binary(command, result.row, result.scalar),
            unnest=unnest,
            where=where,
        )
        if command is Command.COPY_FROM:
            plan.copy = copy_plan(query, params, where)
        if unnest:
            plan.sql = unnest_sql(query, params, where)
        return plan

    def _result(self, query: Query, command: Command, where: str) -> _Result:
        """What a query returns: nothing, one value (a scalar), or a row Struct."""
        columns = list(query.columns)
        if not command.returns_rows:
            return _Result()
        if not columns:
            raise PluginError(
                f"{where}: {command.value} needs a statement that returns columns "
                "(a SELECT, or add RETURNING); use :exec or :execrows otherwise"
            )
        fields = self._fields(columns, where)
        if command is Command.EXEC_LAST_ID and (len(fields) != 1 or fields[0].embed):
            raise PluginError(
                f"{where}: :execlastid needs exactly one returned column, "
                "e.g. INSERT ... RETURNING id"
            )
        if len(fields) == 1 and fields[0].embed is None:
            return _Result(scalar=fields[0])
        if (model := self._matching_model(columns, fields)) is not None:
            self.used_models.add(model.class_name)
            return _Result(row=model)
        own = ModelPlan(f"{names.pascal(query.name)}Row", tuple(fields))
        return _Result(row=own, row_is_own=True)

    def _params_struct(self, query: Query, command: Command, params: list[Field]) -> str | None:
        """The Params Struct's name when the parameters travel as one, else None."""
        limit = self.options.query_parameter_limit
        wants_struct = command is Command.COPY_FROM or (command.is_batch and len(params) > 1)
        over_limit = limit >= 0 and len(params) > limit
        if params and (wants_struct or over_limit):
            return f"{names.pascal(query.name)}Params"
        return None

    # ---- the whole context --------------------------------------------------------------
    def plan(self) -> ContextPlan:
        self._build_models()
        files = self._plan_files()
        enums = sorted(self.catalog.enums.values(), key=lambda enum: (enum.schema, enum.db_name))
        models = sorted(self.models.values(), key=lambda model: model.class_name)
        all_enums, all_models = enums, models
        if self.options.omit_unused_models:
            models = [model for model in models if model.class_name in self.used_models]
            used = {field.type.element.annotation for model in models for field in model.fields}
            used |= self.used_enums  # enums of query parameters and result columns
            enums = [enum for enum in enums if enum.class_name in used]
        context = ContextPlan(
            enums=enums,
            models=models,
            files=files,
            warnings=self.resolver.warnings,
            sqlc_version=self.request.sqlc_version,
            first_party=self._first_party(),
            composites=self._composites(),
            all_enums=all_enums,
            all_models=all_models,
        )
        check_collisions(context)
        for override in self.resolver.unused_overrides():
            target = override.column or override.db_type
            context.warnings.append(f"option overrides: '{target}' matched no column or type")
        return context

    def _plan_files(self) -> list[FilePlan]:
        """Every query, planned, grouped by the module its query file becomes."""
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
        return sorted(files.values(), key=lambda file: file.module)

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

"""Every class a context defines has one meaning: report the first clash of names."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan, mixin_name

# Names the generated modules define or import bare. Everything else they take from outside
# is module-qualified (psycopg.Connection, typing.Protocol, psycopg.types.range.Range ...) or
# imported under a private alias, so a model may take that name.
_PLUGIN_NAMES = (
    # The package's own API (querier.py, fakes.py, _runtime.py).
    "Querier",
    "Queries",
    "SyncQuerier",
    "SyncQueries",
    "FakeQuerier",
    "FakeSyncQuerier",
    "FakeNotSetError",
    "Stub",
    "ExecResult",
    "Inet",
    "Cidr",
    "AsyncBase",
    "SyncBase",
    # typing names the bodies and fakes use bare.
    "Any",
    "Callable",
    "Generic",
    "Self",
    "TypeVar",
    "R",
)


def check_collisions(plan: ContextPlan) -> None:
    """Every class the context defines has one meaning; report the first clash."""
    owners: dict[str, str] = {}

    def claim(name: str, owner: str) -> None:
        if name in owners and owners[name] != owner:
            raise PluginError(
                f"name collision: {owner} and {owners[name]} both define '{name}'; "
                "use the rename option or rename the query"
            )
        owners[name] = owner

    for fixed in _PLUGIN_NAMES:
        claim(fixed, "the plugin")
    for enum in plan.enums:
        claim(enum.class_name, f"enum {enum.schema}.{enum.db_name}")
        claim(enum.map_name, f"enum {enum.schema}.{enum.db_name}")
    for composite in plan.composites:
        info = composite.info
        claim(info.class_name, f"composite type {info.schema}.{info.db_name}")
        claim(info.loader_name, f"composite type {info.schema}.{info.db_name}")
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

"""Every class a context defines has one meaning: report the first clash of names."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan, mixin_name


def check_collisions(plan: ContextPlan) -> None:
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

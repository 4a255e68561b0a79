"""Shared models: one package with every enum, composite type and table Struct of the schema.

Each context's own models.py then re-exports, from that package, only what the context uses,
so the context's query modules import `.models` exactly as without the option. Every entry
writes the shared package with the same bytes (it depends on the schema and options only).
"""

from __future__ import annotations

import dataclasses

from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan
from sqlc_gen_psycopg_msgspec.render.common import header
from sqlc_gen_psycopg_msgspec.render.composite import render_composite_runtime
from sqlc_gen_psycopg_msgspec.render.context import RenderOptions
from sqlc_gen_psycopg_msgspec.render.models import render_models
from sqlc_gen_psycopg_msgspec.render.pyfmt import all_sort_key, bracketed, render_imports
from sqlc_gen_psycopg_msgspec.render.runtime import render_runtime


def _all_list(names: list[str]) -> list[str]:
    ordered = sorted(names, key=all_sort_key)
    return bracketed("__all__ = [", [f'"{name}"' for name in ordered], "", "", "]")


def _public(plan: ContextPlan) -> list[str]:
    names = [enum.class_name for enum in plan.enums]
    names += [composite.info.class_name for composite in plan.composites]
    return names + [model.class_name for model in plan.models]


def render_shared_package(plan: ContextPlan, options: RenderOptions) -> dict[str, str]:
    """The files of the shared models package, by name inside it."""
    full = dataclasses.replace(plan, enums=plan.all_enums, models=plan.all_models)
    names = _public(full)
    init = header(plan.sqlc_version)
    init.append('"""Enums, composite types and table models shared by every query package."""')
    init += ["", *render_imports({(".models", name) for name in names}), ""] if names else []
    models = render_models(full, options)
    files = {"__init__.py": "\n".join([*init, *_all_list(names)]) + "\n", "models.py": models}
    if plan.composites:
        files["_composite.py"] = render_composite_runtime(plan)
    # Composite loaders and column types such as inet (`Inet`) import from `._runtime`, which
    # serves every entry whatever flavors it emits.
    both_flavors = dataclasses.replace(options, emit_async=True, emit_sync=True)
    if plan.composites or "from ._runtime import" in models:
        files["_runtime.py"] = render_runtime(plan.sqlc_version, both_flavors)
    return files


def render_reexports(plan: ContextPlan, models_package: str) -> str:
    """The context's models.py: what its queries use, imported from the shared package."""
    names = _public(plan)
    names += [enum.map_name for enum in plan.enums]
    names += [composite.info.loader_name for composite in plan.composites]
    lines = header(plan.sqlc_version)
    lines.append(f'"""The enums and models this package uses, from {models_package}."""')
    if names:
        imports = {(f"{models_package}.models", name) for name in names}
        lines += ["", *render_imports(imports, plan.first_party), "", *_all_list(names)]
    return "\n".join(lines) + "\n"

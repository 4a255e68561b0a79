"""Shared models: one package with every enum, composite type and table Struct of the schema.

Each context's own models.py then re-exports, from that package, only what the context uses,
so the context's query modules import `.models` exactly as without the option. Every entry
writes the shared package with the same bytes (it depends on the schema and options only).
"""

from __future__ import annotations

import dataclasses

from sqlc_gen_psycopg_msgspec.plan import ContextPlan
from sqlc_gen_psycopg_msgspec.pyfmt import all_sort_key, bracketed, render_imports
from sqlc_gen_psycopg_msgspec.render_common import header
from sqlc_gen_psycopg_msgspec.render_composite import render_composite_runtime
from sqlc_gen_psycopg_msgspec.render_models import render_models
from sqlc_gen_psycopg_msgspec.render_runtime import render_runtime


def _all_list(names: list[str]) -> list[str]:
    ordered = sorted(names, key=all_sort_key)
    return bracketed("__all__ = [", [f'"{n}"' for n in ordered], "", "", "]")


def _public(plan: ContextPlan) -> list[str]:
    names = [e.class_name for e in plan.enums]
    names += [c.info.class_name for c in plan.composites]
    return names + [m.class_name for m in plan.models]


def render_shared_package(plan: ContextPlan, frozen: bool) -> dict[str, str]:
    """The files of the shared models package, by name inside it."""
    full = dataclasses.replace(plan, enums=plan.all_enums, models=plan.all_models)
    names = _public(full)
    init = header(plan.sqlc_version)
    init.append('"""Enums, composite types and table models shared by every query package."""')
    init += ["", *render_imports({(".models", n) for n in names}), ""] if names else []
    files = {
        "__init__.py": "\n".join([*init, *_all_list(names)]) + "\n",
        "models.py": render_models(full, frozen),
    }
    if plan.composites:
        files["_composite.py"] = render_composite_runtime(plan)
        files["_runtime.py"] = render_runtime(plan.sqlc_version, True, True)
    return files


def render_reexports(plan: ContextPlan, models_package: str) -> str:
    """The context's models.py: what its queries use, imported from the shared package."""
    names = _public(plan)
    names += [e.map_name for e in plan.enums]
    names += [c.info.loader_name for c in plan.composites]
    lines = header(plan.sqlc_version)
    lines.append(f'"""The enums and models this package uses, from {models_package}."""')
    if names:
        imports = {(f"{models_package}.models", n) for n in names}
        lines += ["", *render_imports(imports, plan.first_party), "", *_all_list(names)]
    return "\n".join(lines) + "\n"

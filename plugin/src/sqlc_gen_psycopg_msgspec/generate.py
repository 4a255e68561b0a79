"""From a decoded request to the files of the response."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.options import Options, parse_options
from sqlc_gen_psycopg_msgspec.plan import ContextPlan, Planner
from sqlc_gen_psycopg_msgspec.render_composite import render_composite_runtime
from sqlc_gen_psycopg_msgspec.render_fakes import render_fakes
from sqlc_gen_psycopg_msgspec.render_models import render_models
from sqlc_gen_psycopg_msgspec.render_querier import render_init, render_querier
from sqlc_gen_psycopg_msgspec.render_queries import render_query_file
from sqlc_gen_psycopg_msgspec.render_runtime import render_runtime
from sqlc_gen_psycopg_msgspec.render_shared import render_reexports, render_shared_package
from sqlc_gen_psycopg_msgspec.request import File, GenerateRequest


def generate(request: GenerateRequest) -> tuple[list[File], list[str]]:
    """Return the files to write and the warnings to show."""
    options = parse_options(request.plugin_options)
    plan = Planner(request, options).plan()
    a, s, it = options.emit_async, options.emit_sync, options.emit_iterators
    rendered: dict[str, str] = {
        "__init__.py": render_init(plan, a, s),
        "_runtime.py": render_runtime(plan.sqlc_version, a, s),
        "models.py": render_models(plan, options.frozen_structs),
        "querier.py": render_querier(plan, a, s, it),
    }
    if options.emit_fakes:
        rendered["fakes.py"] = render_fakes(plan, a, s, it)
    if plan.composites:
        rendered["_composite.py"] = render_composite_runtime(plan)
    for file in plan.files:
        rendered[f"{file.module}.py"] = render_query_file(
            plan, file, a, s, it, options.frozen_structs
        )
    if options.models_package is not None:
        rendered = _with_shared_models(rendered, plan, options)
    files = [File(name, text.encode()) for name, text in sorted(rendered.items())]
    return files, plan.warnings


def _with_shared_models(
    rendered: dict[str, str], plan: ContextPlan, options: Options
) -> dict[str, str]:
    """This package under package_dir, its models.py re-exporting from the shared package."""
    package = options.models_package or ""
    rendered["models.py"] = render_reexports(plan, package)
    out = {f"{options.package_dir}/{name}": text for name, text in rendered.items()}
    models_dir = options.models_dir or package.rpartition(".")[2]
    for name, text in render_shared_package(plan, options.frozen_structs).items():
        out[f"{models_dir}/{name}"] = text
    return out

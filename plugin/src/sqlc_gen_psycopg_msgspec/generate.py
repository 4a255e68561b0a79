"""From a decoded request to the files of the response."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.planner import Planner
from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan
from sqlc_gen_psycopg_msgspec.reading.options import Options, parse_options
from sqlc_gen_psycopg_msgspec.reading.request import File, GenerateRequest
from sqlc_gen_psycopg_msgspec.render.arrays import render_arrays_runtime, uses_arrays
from sqlc_gen_psycopg_msgspec.render.composite import render_composite_runtime
from sqlc_gen_psycopg_msgspec.render.context import RenderOptions
from sqlc_gen_psycopg_msgspec.render.fakes import render_fakes
from sqlc_gen_psycopg_msgspec.render.models import render_models
from sqlc_gen_psycopg_msgspec.render.querier import render_init, render_querier
from sqlc_gen_psycopg_msgspec.render.queries import render_query_file
from sqlc_gen_psycopg_msgspec.render.runtime import render_runtime
from sqlc_gen_psycopg_msgspec.render.shared import render_reexports, render_shared_package


def generate(request: GenerateRequest) -> tuple[list[File], list[str]]:
    """Return the files to write and the warnings to show."""
    options = parse_options(request.plugin_options)
    plan = Planner(request, options).plan()
    render_options = RenderOptions.of(options)
    rendered: dict[str, str] = {
        "__init__.py": render_init(plan, render_options),
        "_runtime.py": render_runtime(plan.sqlc_version, render_options),
        "models.py": render_models(plan, render_options),
        "querier.py": render_querier(plan, render_options),
    }
    if options.emit_fakes:
        rendered["fakes.py"] = render_fakes(plan, render_options)
    if plan.composites:
        rendered["_composite.py"] = render_composite_runtime(plan)
    if uses_arrays(plan):
        rendered["_arrays.py"] = render_arrays_runtime(plan)
    for file in plan.files:
        rendered[f"{file.module}.py"] = render_query_file(plan, file, render_options)
    if options.models_package is not None:
        rendered = _with_shared_models(rendered, plan, options, render_options)
    files = [File(name, text.encode()) for name, text in sorted(rendered.items())]
    return files, plan.warnings


def _with_shared_models(
    rendered: dict[str, str], plan: ContextPlan, options: Options, render_options: RenderOptions
) -> dict[str, str]:
    """This package under package_dir, its models.py re-exporting from the shared package."""
    package = options.models_package or ""
    rendered["models.py"] = render_reexports(plan, package)
    out = {f"{options.package_dir}/{name}": text for name, text in rendered.items()}
    models_dir = options.models_dir or package.rpartition(".")[2]
    for name, text in render_shared_package(plan, render_options).items():
        out[f"{models_dir}/{name}"] = text
    return out

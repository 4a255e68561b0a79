"""From a decoded request to the files of the response."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.options import parse_options
from sqlc_gen_psycopg_msgspec.plan import Planner
from sqlc_gen_psycopg_msgspec.render_composite import render_composite_runtime
from sqlc_gen_psycopg_msgspec.render_models import render_models
from sqlc_gen_psycopg_msgspec.render_querier import render_init, render_querier
from sqlc_gen_psycopg_msgspec.render_queries import render_query_file
from sqlc_gen_psycopg_msgspec.render_runtime import render_runtime
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
    if plan.composites:
        rendered["_composite.py"] = render_composite_runtime(plan)
    for file in plan.files:
        rendered[f"{file.module}.py"] = render_query_file(
            plan, file, a, s, it, options.frozen_structs
        )
    files = [File(name, text.encode()) for name, text in sorted(rendered.items())]
    return files, plan.warnings

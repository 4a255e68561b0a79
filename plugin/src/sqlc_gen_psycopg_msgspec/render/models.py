"""models.py: the context's enums and one msgspec Struct per table."""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan, ModelPlan
from sqlc_gen_psycopg_msgspec.planning.typemap import Import
from sqlc_gen_psycopg_msgspec.reading.catalog import EnumInfo
from sqlc_gen_psycopg_msgspec.render.common import header, used_imports
from sqlc_gen_psycopg_msgspec.render.composite import composite_loader
from sqlc_gen_psycopg_msgspec.render.context import RenderOptions
from sqlc_gen_psycopg_msgspec.render.pyfmt import INDENT, LINE_LENGTH, string_literal


def _docstring(text: str, indent: str) -> list[str]:
    text = " ".join(text.split()).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    return [f'{indent}"""{text}"""'] if text else []


_COMPOSITE_NAMES = (
    "Composite as _Composite",
    "text_field",
    "enum_field",
    "enum_array_field",
    "as_text",
    "JsonField as _JsonField",
)


def struct_base(frozen: bool) -> str:
    return "msgspec.Struct, frozen=True" if frozen else "msgspec.Struct"


def render_enum(enum: EnumInfo) -> list[str]:
    lines = [f"class {enum.class_name}(enum.StrEnum):"]
    doc = _docstring(enum.comment or f"The {enum.schema}.{enum.db_name} enum.", INDENT)
    lines.extend(doc)
    lines.append("")
    for member, label in zip(enum.members, enum.labels, strict=True):
        lines.append(f"{INDENT}{member} = {string_literal(label)}")
    if not enum.labels:
        lines.pop()
    lines.extend(["", ""])
    # Keyed by the label as text and as bytes: results in binary bring labels as bytes.
    head = f"{enum.map_name}: typing.Final[dict[str | bytes, {enum.class_name}]] = "
    body = f"k: m for m in {enum.class_name} for k in (m.value, m.value.encode())"
    if len(head) + len(body) + 2 <= LINE_LENGTH:
        lines.append(f"{head}{{{body}}}")
    else:
        lines += [f"{head}{{", f"{INDENT}{body}", "}"]
    return lines


def render_struct(model: ModelPlan, *, frozen: bool, doc: str = "") -> list[str]:
    lines = [f"class {model.class_name}({struct_base(frozen)}):"]
    if doc:
        lines.extend(_docstring(doc, INDENT))
        if model.fields:
            lines.append("")
    for field in model.fields:
        lines.append(f"{INDENT}{field.name}: {field.annotation}")
    if not model.fields and not doc:
        lines.append(f"{INDENT}pass")
    return lines


def render_models(plan: ContextPlan, options: RenderOptions) -> str:
    blocks: list[list[str]] = []
    imports: set[Import] = {("enum", None), ("typing", None), ("msgspec", None)}
    imports |= {("._composite", name) for name in _COMPOSITE_NAMES}
    for enum in plan.enums:
        blocks.append(render_enum(enum))
    for composite in plan.composites:
        info = composite.info
        doc = info.comment or f"The {info.schema}.{info.db_name} composite type."
        struct = render_struct(composite.model, frozen=options.frozen_structs, doc=doc)
        loader = composite_loader(info.loader_name, info.class_name, composite.model.fields)
        blocks.append([*struct, "", "", *loader])
        for field in composite.model.fields:
            imports.update(
                imported for imported in field.type.element.imports if imported[0] != ".models"
            )
    for model in plan.models:
        table = model.table
        doc = model.comment or (f"A row of {table.schema}.{table.db_name}." if table else "")
        blocks.append(render_struct(model, frozen=options.frozen_structs, doc=doc))
        for field in model.fields:
            imports.update(
                imported for imported in field.type.element.imports if imported[0] != ".models"
            )
    body = "\n\n\n".join("\n".join(block) for block in blocks)
    lines = header(plan.sqlc_version)
    lines.append('"""Enums and table models of this package."""')
    import_lines = used_imports(imports, body, plan.first_party)
    if import_lines:
        lines += ["", *import_lines]
    if body:
        lines += ["", "", body]
    return "\n".join(lines) + "\n"

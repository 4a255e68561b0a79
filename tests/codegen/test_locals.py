"""No parameter of a generated method shadows a name its body uses.

A keyword argument named like a local (`value`, `row`, `cur`...) or like a module-level name
the body calls (`tuple_row`, `load_enum_array`, a SQL constant) would make the method wrong
or fail mypy. The audit reads every golden module, so a new local in the method bodies
that is missing from the plugin's reserved names fails here, on the corpus case `gaps`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.codegen.sqlc_run import GOLDEN

MODULES = sorted(p for p in GOLDEN.glob("*/**/*.py") if not p.name.startswith("_"))  # query modules


def _module_names(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ClassDef | ast.FunctionDef):
            found.add(node.name)
    return found


def _clashes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    module = _module_names(tree)
    problems: list[str] = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        params = {a.arg for a in fn.args.args + fn.args.kwonlyargs} - {"self", "params"}
        body_names = {
            n.id
            for stmt in fn.body
            for n in ast.walk(stmt)
            if isinstance(n, ast.Name) and not (isinstance(n.ctx, ast.Load) and n.id in params)
        }
        used_globals = {
            n.id for stmt in fn.body for n in ast.walk(stmt) if isinstance(n, ast.Name)
        } & module
        for name in sorted(params & (body_names | used_globals | module)):
            problems.append(f"{path.parent.name}/{path.name}: {fn.name}({name}=...)")
    return problems


def test_the_corpus_has_parameters_named_like_locals() -> None:
    """The audit is only as good as the corpus: `gaps` must try the tempting names."""
    text = (GOLDEN / "gaps" / "names.py").read_text()
    for name in ("value_", "row_", "rows_", "cur_", "conn_", "db_", "args_", "results_", "p_"):
        assert f"{name}: " in text


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_parameter_shadows_a_name_the_body_uses(path: Path) -> None:
    assert _clashes(path) == []


def test_the_audit_catches_a_clash(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from psycopg.rows import tuple_row\n\n\n"
        "def f(*, value: int, tuple_row: int) -> int:\n"
        "    value = 2\n"
        "    return value + tuple_row\n"
    )
    assert [c.split(": ", 1)[1] for c in _clashes(bad)] == ["f(tuple_row=...)", "f(value=...)"]

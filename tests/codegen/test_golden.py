"""The plugin's output for the corpus, byte for byte.

Regenerate with `python -m tests.codegen.update_goldens` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.sqlc_run import GOLDEN, ROOT, cases, files_of, generate, prepare, sqlc


@pytest.mark.parametrize("case", cases())
def test_output_matches_golden(case: str, tmp_path: Path) -> None:
    produced = files_of(generate(case, tmp_path))
    expected = files_of(GOLDEN / case)
    if "__init__.py" not in produced:  # a case of several packages: its folder's own marker
        expected.pop("__init__.py")
    assert sorted(produced) == sorted(expected)
    for name, content in produced.items():
        assert content == expected[name], (
            f"{case}/{name} differs from its golden; if the change is intended, run "
            "`python -m tests.codegen.update_goldens` and review the diff"
        )


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = files_of(generate("kitchen", tmp_path / "a"))
    second = files_of(generate("kitchen", tmp_path / "b"))
    assert first == second


def test_import_order_does_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    """A folder named like an import in the directory sqlc runs in changes nothing."""
    target = prepare("kitchen", tmp_path)
    (target / "tests").symlink_to(ROOT / "tests")
    (target / "psycopg").mkdir()
    assert sqlc(["generate"], target).returncode == 0
    assert files_of(target / "out") == files_of(GOLDEN / "kitchen")


def test_app_generated_code_is_current() -> None:
    """`sqlc diff` from the repository root: generated/ matches sql/ and migrations/."""
    result = sqlc(["diff"], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr

"""The generated code passes mypy --strict and ruff with no ignores (one mypy run per session)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.codegen.sqlc_run import GOLDEN, ROOT

BIN = Path(sys.executable).parent
CHECKED = [
    "tests/codegen/golden",
    "tests/codegen/fake_querier.py",
    "tests/codegen/corpus_types.py",
    "src/rhythm/db",
    "plugin/src/sqlc_gen_psycopg_msgspec",
]


RUFF_RULES = [
    "--select=E,F,W,I,B,UP,N,S,RUF,ASYNC,SIM,PT",
    "--line-length=100",
    "--target-version=py311",
]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.fixture(scope="session")
def mypy_result() -> subprocess.CompletedProcess[str]:
    # --strict with only this run's files: the fake proves it satisfies the Querier Protocol.
    return _run(str(BIN / "mypy"), "--strict", "--no-incremental", *CHECKED)


def test_mypy_strict_passes(mypy_result: subprocess.CompletedProcess[str]) -> None:
    assert mypy_result.returncode == 0, mypy_result.stdout + mypy_result.stderr


def test_mypy_rejects_a_fake_that_drifts(tmp_path: Path) -> None:
    """The Protocol really is checked: a fake with a wrong signature fails mypy."""
    bad = tmp_path / "bad_fake.py"
    bad.write_text(
        "from tests.codegen.golden.options import Account, SyncQuerier\n\n\n"
        "class Wrong:\n"
        "    def get_user(self, *, id: str) -> Account | None:\n"
        "        return None\n\n\n"
        "def proof(w: Wrong) -> SyncQuerier:\n"
        "    return w\n"
    )
    result = _run(str(BIN / "mypy"), "--strict", "--follow-imports=silent", str(bad))
    assert result.returncode != 0
    assert "SyncQuerier" in result.stdout


@pytest.mark.parametrize("golden", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_ruff_check_and_format(golden: str) -> None:
    path = str(GOLDEN / golden)
    # --isolated: the repository's per-file ignores for tests/ must not soften the check.
    check = _run(str(BIN / "ruff"), "check", "--no-cache", "--isolated", *RUFF_RULES, path)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(str(BIN / "ruff"), "format", "--check", "--no-cache", path)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr

"""A newcomer adopts the plugin: its wheel in an empty project, the README's sqlc.yaml, real use.

Nothing of this repository is importable in the new project: it gets the wheel built from
plugin/, the packages the generated code needs (at this repository's pins), its own schema and
queries (tests/adoption/), and the sqlc.yaml block of plugin/README.md copied verbatim. sqlc runs
with an environment that holds no virtual environment on PATH, as a user's shell might.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugin"
ADOPTION = ROOT / "tests" / "adoption"
# What the generated code imports, and the checkers it must satisfy.
PACKAGES = ["psycopg[binary]", "psycopg-pool", "msgspec", "mypy", "ruff"]
# The service's own lint rules (pyproject.toml), minus those only about tests.
RUFF_RULES = "E,F,W,I,B,UP,N,S,RUF,ASYNC,SIM"
LINE_LENGTH = 100  # the line length plugin/README.md says the output is formatted for


def readme_sqlc_yaml() -> str:
    """The first yaml block of the plugin's README: the quick start's sqlc.yaml."""
    found = re.search(r"^```yaml\n(.*?)^```", (PLUGIN / "README.md").read_text(), re.M | re.S)
    assert found, "plugin/README.md has no ```yaml block (the quick start's sqlc.yaml)"
    return found.group(1)


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{command[0]} {command[1]} failed:\n{output}"
    return output


def build_wheel(work: Path) -> Path:
    """Build from a clean copy, so no build/ or egg-info lands in the repository."""
    source = work / "plugin-source"
    shutil.copytree(
        PLUGIN, source, ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__")
    )
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", source, "-w", work], work)
    (wheel,) = work.glob("sqlc_gen_psycopg_msgspec-*.whl")
    return wheel


def fresh_venv(project: Path, wheel: Path) -> Path:
    """`.venv` in the project: the wheel with its sqlc extra, and what the output needs."""
    # No pip inside: this environment's pip installs into it (`--python`), which saves the
    # seconds of bootstrapping a second pip; what gets installed is the same.
    run([sys.executable, "-m", "venv", "--without-pip", ".venv"], project)
    python = project / ".venv" / "bin" / "python"
    install: list[str | Path] = [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
    run([*install, "-c", ROOT / "constraints.txt", f"{wheel}[sqlc]", *PACKAGES], project)
    return python


def write_project(project: Path, config: str) -> str:
    """The README's sqlc.yaml and our SQL at the paths it names; returns the output folder."""
    (project / "sqlc.yaml").write_text(config)
    (entry,) = yaml.safe_load(config)["sql"]
    out = str(entry["codegen"][0]["out"])
    assert out == "db", "tests/adoption/exercise.py imports the generated package as `db`"
    for name in ("schema", "queries"):
        target = project / str(entry[name])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ADOPTION / ("schema.sql" if name == "schema" else "query.sql"), target)
    shutil.copy(ADOPTION / "exercise.py", project)
    return out


def test_a_new_project_adopts_the_wheel(tmp_path: Path, blank_database_url: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    wheel = build_wheel(tmp_path)
    python = fresh_venv(project, wheel)
    out = write_project(project, readme_sqlc_yaml())
    bare = {"PATH": os.defpath, "HOME": str(tmp_path)}
    bin_ = project / ".venv" / "bin"

    run([bin_ / "sqlc", "generate"], project, bare)
    header = (project / out / "querier.py").read_text().splitlines()[3]
    assert header == f"#   sqlc-gen-psycopg-msgspec {wheel.name.split('-')[1]}"
    run([bin_ / "mypy", "--strict", out, "exercise.py"], project, bare)
    isolated = ["--isolated", "--line-length", str(LINE_LENGTH)]
    run([bin_ / "ruff", "check", *isolated, "--select", RUFF_RULES, out], project, bare)
    run([bin_ / "ruff", "format", *isolated, "--check", out], project, bare)

    with psycopg.connect(blank_database_url, autocommit=True) as conn:
        conn.execute((ADOPTION / "schema.sql").read_bytes())
    said = run([python, "exercise.py", blank_database_url], project, bare)
    assert "every generated method works" in said

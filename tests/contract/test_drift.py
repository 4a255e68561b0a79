"""The committed contract is what the code produces: the document, byte for byte, and the types.

On failure: ``make api``, review the diff, commit both files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from litestar.testing import TestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.contract.conftest import API, DOCUMENT, TYPES, node_tool
from tests.server_process import RHYTHM, ROOT, clean_env

HINT = "is stale: run 'make api' and commit api/openapi/"


def test_exported_document_is_committed(tmp_path: Path) -> None:
    output = tmp_path / "openapi.yaml"
    result = subprocess.run(
        [*RHYTHM, "openapi", "export", "--output", str(output)],
        env=clean_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == DOCUMENT.read_bytes(), f"{DOCUMENT} {HINT}"


def test_generated_types_are_committed() -> None:
    # package.json's own "types" script, so this check and `make api` cannot differ.
    node_tool("openapi-typescript")
    result = subprocess.run(
        ["npm", "run", "--silent", "types", "--", "--check"],
        cwd=API,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{TYPES} {HINT}\n{result.stdout}{result.stderr}"


def test_served_document_is_the_exported_one(database_url: str) -> None:
    with TestClient(create_app(settings_for(database_url))) as client:
        served_yaml = client.get("/schema/openapi.yaml")
        served_json = client.get("/schema/openapi.json")
    assert served_yaml.status_code == 200
    assert served_yaml.content == DOCUMENT.read_bytes()
    assert served_json.json() == yaml.safe_load(DOCUMENT.read_text())

"""Schema-driven fuzzing: schemathesis against the real server's own OpenAPI document.

Every operation, in every phase (examples, coverage, fuzzing, stateful with inferred links),
as a user and (staff-only routes) as an admin. Fails on any 5xx, any response that breaks the
document, any error that is not problem details, any response without the security headers.

Bounded for CI by RHYTHM_FUZZ_EXAMPLES (per operation and phase); docs/reliability.md has the
command of a longer run with a random seed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.server_process import serve

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCHEMATHESIS = [sys.executable, "-m", "schemathesis.cli"]
EXAMPLES = int(os.environ.get("RHYTHM_FUZZ_EXAMPLES", "25"))
# A fixed seed keeps CI reproducible; "random" lets schemathesis pick (it prints the seed).
SEED = os.environ.get("RHYTHM_FUZZ_SEED", "20261125")
PASSWORD = "fuzz password 1"


def _post(base_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(base_url + path, json=body, timeout=10)
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _account(base_url: str, database_url: str, name: str, role: str | None = None) -> str:
    email = f"{name}@example.com"
    session = _post(
        base_url,
        "/api/v1/auth/register",
        {"email": email, "display_name": name, "password": PASSWORD},
    )
    if role is None:
        return str(session["access_token"])
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE users SET role = %s WHERE id = %s", (role, session["user"]["id"]))
    login = _post(base_url, "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    return str(login["access_token"])


def _schemathesis(base_url: str, env: dict[str, str], report_dir: Path) -> tuple[int, str]:
    command = [
        *SCHEMATHESIS,
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "--no-color",
        "run",
        f"{base_url}/schema/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    if SEED != "random":
        command += ["--seed", SEED]
    result = subprocess.run(
        command,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_fuzz_every_operation(database_url: str, tmp_path: Path) -> None:
    # The login limit is the auth-attack tests' subject; here it would only hide login's paths.
    log = tmp_path / "server.log"
    with (
        log.open("wb") as out,
        serve(
            database_url, output=out, RHYTHM_LOG_LEVEL="WARNING", RHYTHM_LOGIN_RATE_LIMIT="100000"
        ) as server,
    ):
        url = server.url
        env = {
            **os.environ,
            "RHYTHM_FUZZ_USER_TOKEN": _account(url, database_url, "fuzzer"),
            "RHYTHM_FUZZ_STAFF_TOKEN": _account(url, database_url, "fuzz-admin", "ADMIN"),
            "RHYTHM_FUZZ_LOGOUT_TOKEN": _account(url, database_url, "fuzz-leaver"),
        }
        code, output = _schemathesis(url, env, tmp_path / "report")
    (tmp_path / "schemathesis.txt").write_text(output)
    summary = re.search(r"Test cases:\n\s*(.+)", output)
    print(summary.group(1) if summary else output[-2000:])  # shown with -rA
    assert code == 0, output[-20000:]
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", output)
    assert selected, output[-3000:]
    assert selected.group(1) == selected.group(2) == selected.group(3), "an operation went untested"
    assert "unhandled error" not in log.read_text()

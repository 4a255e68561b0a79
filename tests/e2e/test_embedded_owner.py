"""The embedded PostgreSQL has one owner: CLI commands leave it serving; `serve` revives it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import free_port
from tests.server_process import FAST_HASHING, RHYTHM, ROOT, clean_env, http_status, wait_ready


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])


@pytest.fixture
def embedded_env(pg_dir: Path) -> dict[str, str]:
    return clean_env(
        RHYTHM_PORT=str(free_port()),
        RHYTHM_STATE_DIR=str(pg_dir / "state"),
        RHYTHM_EMBEDDED_PG_PORT=str(free_port()),
        **FAST_HASHING,
    )


@pytest.fixture
def serving(embedded_env: dict[str, str]) -> Iterator[tuple[int, Path]]:
    port = int(embedded_env["RHYTHM_PORT"])
    proc = subprocess.Popen(
        [*RHYTHM, "serve"],
        env=embedded_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(port, seconds=30, proc=proc)
        yield port, Path(embedded_env["RHYTHM_STATE_DIR"]) / "postgres" / "data"
        assert proc.poll() is None, "rhythm serve must still be running"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_cli_commands_leave_the_served_database_running(
    serving: tuple[int, Path], embedded_env: dict[str, str]
) -> None:
    port, data_dir = serving
    pid = _postmaster_pid(data_dir)
    for command, stdin in (
        (["users", "create-admin", "--email", "root@example.com"], "long enough pass\n"),
        (["migrate", "status"], ""),
    ):
        result = subprocess.run(
            [*RHYTHM, *command],
            env=embedded_env,
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "left running" in result.stderr + result.stdout
        assert _postmaster_pid(data_dir) == pid, f"{command[0]} restarted the server"
        assert http_status(port) == 200, f"the service stopped serving after {command[0]}"


def test_serve_brings_a_killed_embedded_server_back(serving: tuple[int, Path]) -> None:
    port, data_dir = serving
    old = _postmaster_pid(data_dir)
    os.kill(old, signal.SIGKILL)
    statuses: list[int | None] = []
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        statuses.append(http_status(port))
        if statuses[-1] == 200 and 503 in statuses:
            break
        time.sleep(0.1)
    assert 503 in statuses, f"readiness never reported the dead database: {set(statuses)}"
    assert statuses[-1] == 200, f"the database did not come back: {statuses[-5:]}"
    assert _postmaster_pid(data_dir) != old

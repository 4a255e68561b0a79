"""The typed client example compiles, and runs with node against a live server."""

from __future__ import annotations

import subprocess

from tests.contract.conftest import API, node_tool

TSCONFIG = "client-example"


def test_client_example_typechecks() -> None:
    result = subprocess.run(
        [str(node_tool("tsc")), "--noEmit", "-p", TSCONFIG],
        cwd=API,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_client_example_runs_against_a_live_server(live_server: str) -> None:
    build = subprocess.run(
        [str(node_tool("tsc")), "-p", TSCONFIG],
        cwd=API,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    # Node 20 has the browser WebSocket API behind this flag; newer releases have it always.
    run = subprocess.run(
        ["node", "--experimental-websocket", f"{TSCONFIG}/build/main.js", live_server],
        cwd=API,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for step in ("register", "login + getMe", "refresh rotation", "createRoom", "listRooms"):
        assert f" {step}: " in run.stdout, run.stdout
    assert "room events: snapshot seq 0, member_joined seq 1" in run.stdout
    assert run.stdout.rstrip().endswith("steps passed")

"""rhythm.app.server: graceful shutdown on SIGTERM, several worker processes, the worker factory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from rhythm.app.server import run_server
from tests.deploy.files import ROOT
from tests.pg import free_port


def _serve(port: int, **options: Any) -> subprocess.Popen[bytes]:
    code = (
        "from rhythm.app.server import run_server; "
        f"run_server('tests.deploy.slow_app:create', host='127.0.0.1', port={port}, **{options!r})"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _get(port: int, path: str, timeout: float = 10) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        body: dict[str, Any] = json.loads(response.read())
        return body


def _wait_up(port: int, proc: subprocess.Popen[bytes], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            _get(port, "/pid", timeout=1)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError("the server did not come up")


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    proc = _serve(port, **getattr(request, "param", {}))
    family = psutil.Process(proc.pid)
    children: list[psutil.Process] = []
    try:
        _wait_up(port, proc)
        children.extend(family.children(recursive=True))
        yield proc, port
    finally:
        # A failed test must not leave worker processes behind: kill the parent's children too.
        if proc.poll() is None:
            children.extend(family.children(recursive=True))
        for child in children:
            if child.is_running():
                child.kill()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _in_background(port: int, path: str) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["body"] = _get(port, path)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=call)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("server", [{"shutdown_timeout_s": 10}], indirect=True)
def test_sigterm_lets_the_request_in_flight_finish(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = server
    thread, outcome = _in_background(port, "/slow?seconds=1.5")
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        _get(port, "/pid", timeout=2)  # no new connections once shutting down
    thread.join(timeout=10)
    assert outcome.get("body", {}).get("slept") == 1.5, outcome
    # uvicorn re-raises the signal once it has shut down (`rhythm serve` turns it into exit 0).
    assert proc.wait(timeout=10) in (0, -signal.SIGTERM)


@pytest.mark.parametrize("server", [{"shutdown_timeout_s": 1}], indirect=True)
def test_shutdown_is_bounded(server: tuple[subprocess.Popen[bytes], int]) -> None:
    proc, port = server
    thread, _ = _in_background(port, "/slow?seconds=30")
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    assert time.monotonic() - started < 5
    thread.join(timeout=10)


@pytest.mark.parametrize("server", [{"workers": 2}], indirect=True)
def test_several_workers_are_several_processes(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = server

    def workers() -> set[int]:
        # multiprocessing's spawn start also leaves a resource tracker among the children.
        children = psutil.Process(proc.pid).children()
        return {c.pid for c in children if "resource_tracker" not in " ".join(c.cmdline())}

    deadline = time.monotonic() + 15
    while len(workers()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers()) == 2
    seen = {_get(port, "/pid")["pid"] for _ in range(50)}
    assert seen <= workers()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) in (0, -signal.SIGTERM)


def test_several_workers_need_an_import_string() -> None:
    with pytest.raises(ValueError, match="import string"):
        run_server(object(), host="127.0.0.1", port=0, workers=2)  # type: ignore[arg-type]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RHYTHM_", "DATABASE_URL"))}
    return {**env, **extra}


def test_the_worker_factory_builds_the_app_from_the_environment(database_url: str) -> None:
    code = "from rhythm.app.server import app_from_environment as f; print(type(f()).__name__)"
    built = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(DATABASE_URL=database_url, RHYTHM_LOG_LEVEL="WARNING"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip() == "Litestar"
    refused = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(RHYTHM_STATE_DIR="/nonexistent"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode != 0
    assert "needs DATABASE_URL" in refused.stderr

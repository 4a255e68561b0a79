"""Starting the servers under test: `rhythm serve` (the real app) and the bare app."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common.pinning import taskset_prefix
from bench.common.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


def server_env(database_url: str, port: int, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RHYTHM_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database_url,
        RHYTHM_PORT=str(port),
        RHYTHM_MIGRATE_ON_START="false",  # the bench applied them
        RHYTHM_ACCESS_TOKEN_TTL_S="7200",  # outlive the run
        RHYTHM_LOGIN_RATE_LIMIT="1000",  # the setup registers users in a burst
        # Registration is set-up, not measured: a cheaper hash keeps it short.
        RHYTHM_ARGON2_MEMORY_KIB="8192",
        RHYTHM_ARGON2_TIME_COST="1",
    )
    env.update(extra)
    return env


def wait_http(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers: up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port} after {seconds}s")


@contextmanager
def server(module: str, database_url: str, core: int, **extra_env: str) -> Iterator[int]:
    """Run ``python -m module`` pinned to ``core``; yields its port. Output goes nowhere
    (the real app still formats its JSON access lines: that is part of its cost)."""
    with server_process(module, database_url, core, **extra_env) as (port, _):
        yield port


@contextmanager
def server_process(
    module: str, database_url: str, core: int, **extra_env: str
) -> Iterator[tuple[int, int]]:
    """``server``, yielding its port and its pid (for a profiler)."""
    port = free_port()
    args = ["serve"] if module == "rhythm.app.cli" else []
    proc = subprocess.Popen(
        [*taskset_prefix(core), sys.executable, "-m", module, *args],
        env=server_env(database_url, port, extra_env),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_http(port)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

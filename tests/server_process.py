"""The real `rhythm serve` process, for every test that needs one on a free port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.pg import free_port

RHYTHM = [sys.executable, "-m", "rhythm.app.cli"]
ROOT = Path(__file__).resolve().parents[1]

# A cheap argon2id (the same code path) keeps registrations fast on a shared 2-core machine.
FAST_HASHING = {
    "RHYTHM_ARGON2_TIME_COST": "1",
    "RHYTHM_ARGON2_MEMORY_KIB": "1024",
    "RHYTHM_ARGON2_PARALLELISM": "1",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without our settings (no .env leaks in), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RHYTHM_", "DATABASE_URL"))}
    env.update(extra)
    return env


def http_status(port: int, path: str = "/health/ready", timeout: float = 2) -> int | None:
    """The status ``path`` answers on this host's ``port`` now, or None if nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_ready(port: int, seconds: float, proc: subprocess.Popen[bytes] | None = None) -> float:
    """Seconds until /health/ready answered 200; fails early if ``proc`` exits."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"rhythm serve exited with {proc.returncode}")
        if http_status(port, timeout=1) == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not ready within {seconds}s")


@dataclass(frozen=True)
class Server:
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextmanager
def serve(
    database_url: str,
    environment: Mapping[str, str] | None = None,
    *,
    output: IO[bytes] | int = subprocess.DEVNULL,
    **settings: str,
) -> Iterator[Server]:
    """``rhythm serve`` on ``database_url`` (migrated already) until the block ends.

    ``environment`` and ``settings`` are environment variables for the server; they win over
    the defaults here.
    """
    port = free_port()
    base = {"RHYTHM_PORT": str(port), "DATABASE_URL": database_url}
    base |= {"RHYTHM_MIGRATE_ON_START": "false", **FAST_HASHING}
    env = clean_env(**(base | dict(environment or {}) | settings))
    proc = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=output, stderr=output)
    try:
        wait_ready(port, seconds=30, proc=proc)
        yield Server(port, proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

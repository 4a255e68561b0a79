"""The real `rhythm serve` process: embedded database, DATABASE_URL, SIGTERM, refusals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.pg import free_port

RHYTHM = [sys.executable, "-m", "web.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RHYTHM_", "DATABASE_URL"))}
    env.update(extra)
    return env


def _wait_ready(port: int, seconds: float, proc: subprocess.Popen[bytes] | None = None) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"rhythm serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1) as r:
                if r.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready within {seconds}s")


def _postgres_processes(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(data_dir) in " ".join(cmdline):
            found.append(proc)
    return found


@pytest.fixture
def serve_embedded(pg_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = free_port()
    env = _env(
        RHYTHM_PORT=str(port),
        RHYTHM_STATE_DIR=str(pg_dir / "state"),
        RHYTHM_EMBEDDED_PG_PORT=str(free_port()),
    )
    proc = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=subprocess.PIPE)
    try:
        yield proc, port, pg_dir / "state" / "postgres" / "data"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_embedded_start_ready_stop_and_restart(
    serve_embedded: tuple[subprocess.Popen[bytes], int, Path], pg_dir: Path
) -> None:
    proc, port, data_dir = serve_embedded
    first_start = _wait_ready(port, seconds=15, proc=proc)
    assert _postgres_processes(data_dir), "the embedded server should be running"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert not _postgres_processes(data_dir), "SIGTERM must stop the embedded PostgreSQL"
    output = proc.stdout.read().decode() if proc.stdout else ""
    assert f"rhythm serving on http://127.0.0.1:{port}" in output
    assert "embedded PostgreSQL stopped" in output

    # Second start reuses the data folder and is quick.
    env = _env(
        RHYTHM_PORT=str(port),
        RHYTHM_STATE_DIR=str(pg_dir / "state"),
        RHYTHM_EMBEDDED_PG_PORT=str(free_port()),
    )
    again = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        assert _wait_ready(port, seconds=5, proc=again) < 5
    finally:
        again.send_signal(signal.SIGINT)
        assert again.wait(timeout=15) == 0
    assert not _postgres_processes(data_dir)
    assert first_start < 15


def test_serve_on_database_url(database_url: str) -> None:
    port = free_port()
    env = _env(RHYTHM_PORT=str(port), DATABASE_URL=database_url, RHYTHM_MIGRATE_ON_START="false")
    proc = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        _wait_ready(port, seconds=10, proc=proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RHYTHM_ENV": "production"}, "DATABASE_URL: required in production"),
        ({"RHYTHM_PORT": "http"}, "RHYTHM_PORT: Expected `int`"),
    ],
)
def test_bad_configuration_exits_naming_the_variable(env: dict[str, str], message: str) -> None:
    result = subprocess.run(
        [*RHYTHM, "serve"], env=_env(**env), cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_status_on_database_url(database_url: str) -> None:
    result = subprocess.run(
        [*RHYTHM, "migrate", "status"],
        env=_env(DATABASE_URL=database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "Pending: 0" in result.stdout


def test_create_admin_reads_the_password_from_stdin(database_url: str) -> None:
    command = [*RHYTHM, "users", "create-admin", "--email", "root@example.com"]
    env = _env(DATABASE_URL=database_url, RHYTHM_ARGON2_MEMORY_KIB="1024")
    result = subprocess.run(
        command,
        env=env,
        cwd=ROOT,
        input="long enough pass\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "admin root@example.com created" in result.stdout
    again = subprocess.run(
        command,
        env=env,
        cwd=ROOT,
        input="long enough pass\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    short = subprocess.run(
        [*RHYTHM, "users", "create-admin", "--email", "x@example.com"],
        env=env,
        cwd=ROOT,
        input="short\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert short.returncode == 1
    assert "8 to 256 characters" in short.stderr

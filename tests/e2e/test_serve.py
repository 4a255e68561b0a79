"""The real `rhythm serve` process: embedded database, DATABASE_URL, SIGTERM, refusals."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.pg import free_port
from tests.server_process import RHYTHM, ROOT, clean_env, serve, wait_ready


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
    env = clean_env(
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
    wait_ready(port, seconds=60, proc=proc)
    assert _postgres_processes(data_dir), "the embedded server should be running"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert not _postgres_processes(data_dir), "SIGTERM must stop the embedded PostgreSQL"
    output = proc.stdout.read().decode() if proc.stdout else ""
    assert f"rhythm serving on http://127.0.0.1:{port}" in output
    assert "embedded PostgreSQL stopped" in output

    # Second start reuses the data folder and is quick.
    env = clean_env(
        RHYTHM_PORT=str(port),
        RHYTHM_STATE_DIR=str(pg_dir / "state"),
        RHYTHM_EMBEDDED_PG_PORT=str(free_port()),
    )
    again = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        wait_ready(port, seconds=60, proc=again)
    finally:
        again.send_signal(signal.SIGINT)
        assert again.wait(timeout=15) == 0
    assert not _postgres_processes(data_dir)


def test_serve_on_database_url(database_url: str) -> None:
    with serve(database_url) as server:
        wait_ready(server.port, seconds=60)
    assert server.proc.returncode == 0  # SIGTERM is a clean exit


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RHYTHM_ENV": "production"}, "DATABASE_URL: required in production"),
        ({"RHYTHM_PORT": "http"}, "RHYTHM_PORT: Expected `int`"),
    ],
)
def test_bad_configuration_exits_naming_the_variable(env: dict[str, str], message: str) -> None:
    result = subprocess.run(
        [*RHYTHM, "serve"],
        env=clean_env(**env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_status_on_database_url(database_url: str) -> None:
    result = subprocess.run(
        [*RHYTHM, "migrate", "status"],
        env=clean_env(DATABASE_URL=database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "Pending: 0" in result.stdout


def test_create_admin_reads_the_password_from_stdin(database_url: str) -> None:
    env = clean_env(DATABASE_URL=database_url, RHYTHM_ARGON2_MEMORY_KIB="1024")

    def create_admin(email: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*RHYTHM, "users", "create-admin", "--email", email],
            env=env,
            cwd=ROOT,
            input=f"{password}\n",
            capture_output=True,
            text=True,
            timeout=60,
        )

    result = create_admin("root@example.com", "long enough pass")
    assert result.returncode == 0, result.stderr
    assert "admin root@example.com created" in result.stdout
    again = create_admin("root@example.com", "long enough pass")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    short = create_admin("x@example.com", "short")
    assert short.returncode == 1
    assert "8 to 256 characters" in short.stderr

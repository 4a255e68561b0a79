"""The real `rhythm serve` process on a free port and a given database (reliability tests)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.test_serve import RHYTHM, ROOT, _env, _wait_ready
from tests.pg import free_port

# A cheap argon2id (the same code path) keeps registrations fast on a shared 2-core machine.
FAST_HASHING = {
    "RHYTHM_ARGON2_TIME_COST": "1",
    "RHYTHM_ARGON2_MEMORY_KIB": "1024",
    "RHYTHM_ARGON2_PARALLELISM": "1",
}


@contextmanager
def serve(database_url: str, log: Path, **extra: str) -> Iterator[str]:
    """Run the server until the block ends; yields its base URL. Its log lines go to ``log``."""
    port = free_port()
    env = _env(
        RHYTHM_PORT=str(port),
        DATABASE_URL=database_url,
        RHYTHM_MIGRATE_ON_START="false",
        RHYTHM_LOG_LEVEL="WARNING",
        **FAST_HASHING,
        **extra,
    )
    with log.open("wb") as out:
        proc = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=out, stderr=out)
        try:
            _wait_ready(port, seconds=30, proc=proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

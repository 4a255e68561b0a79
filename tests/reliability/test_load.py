"""A short load run with accounting, against the real server process (the long run is a
separate command, see tests/reliability/load.py)."""

from __future__ import annotations

import asyncio
import signal
import subprocess

from tests.e2e.test_serve import RHYTHM, ROOT, _env, _wait_ready
from tests.pg import free_port
from tests.reliability.load import audit, run_load


def test_short_load_run_adds_up(database_url: str) -> None:
    port = free_port()
    env = _env(
        DATABASE_URL=database_url,
        RHYTHM_PORT=str(port),
        RHYTHM_MIGRATE_ON_START="false",
        RHYTHM_LOGIN_RATE_LIMIT="1000000",
        RHYTHM_ARGON2_MEMORY_KIB="1024",
        RHYTHM_ARGON2_TIME_COST="1",
        RHYTHM_LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        _wait_ready(port, seconds=15, proc=server)
        tally = asyncio.run(run_load(f"http://127.0.0.1:{port}", seconds=6, clients=16))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert audit(database_url, tally) == []
    assert tally.users == 16
    assert tally.rotations > 0
    assert tally.rooms_created > 0
    assert sum(tally.statuses.values()) > 200

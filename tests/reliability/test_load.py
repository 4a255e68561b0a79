"""A short load run with accounting, against the real server process (the long run is a
separate command, see tests/reliability/load.py)."""

from __future__ import annotations

import asyncio

from tests.reliability.load import audit, run_load
from tests.server_process import serve


def test_short_load_run_adds_up(database_url: str) -> None:
    with serve(
        database_url, RHYTHM_LOGIN_RATE_LIMIT="1000000", RHYTHM_LOG_LEVEL="WARNING"
    ) as server:
        tally = asyncio.run(run_load(server.url, seconds=6, clients=16))
    assert audit(database_url, tally) == []
    assert tally.users == 16
    assert tally.rotations > 0
    assert tally.rooms_created > 0
    # Enough traffic for the audit to mean something; speed is bench/'s subject, not a test's.
    assert sum(tally.statuses.values()) > 50

"""The access line's time: formatted in parts (date and time once per second), same text."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime

import pytest

from rhythm.web.access_log import AccessLog


def _line_time(log: AccessLog, stream: io.StringIO) -> str:
    log.write("id", "GET", "/x", 200, 1.0)
    return str(json.loads(stream.getvalue().splitlines()[-1])["time"])


@pytest.mark.parametrize("now", [1_764_547_200.0, 1_764_547_200.999_9, 1_764_550_000.5004])
def test_time_is_what_isoformat_writes(monkeypatch: pytest.MonkeyPatch, now: float) -> None:
    stream = io.StringIO()
    log = AccessLog()
    log.configure(stream)
    monkeypatch.setattr(time, "time", lambda: now)
    expected = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
    assert _line_time(log, stream) == expected


def test_time_follows_the_clock_across_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    log = AccessLog()
    log.configure(stream)
    seen = []
    for now in (100.25, 100.75, 101.125, 3_600.0):
        monkeypatch.setattr(time, "time", lambda now=now: now)
        seen.append(_line_time(log, stream))
    assert seen == [
        datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")
        for t in (100.25, 100.75, 101.125, 3_600.0)
    ]

"""The access line: its time formatted in parts (date and time once per second), same text;
its lines written in batches, none left behind."""

from __future__ import annotations

import asyncio
import io
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.types import Receive, Scope, Send

from rhythm.web.access_log import ACCESS_LOG, AccessLog
from rhythm.web.middleware import request_context_middleware


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


async def test_lines_of_a_loop_are_written_together_shortly_after() -> None:
    stream = io.StringIO()
    log = AccessLog()
    log.configure(stream)
    log.write("a", "GET", "/x", 200, 1.0)
    log.write("b", "POST", "/y", 201, 2.5)
    assert stream.getvalue() == ""  # waiting: the request does not pay for the write
    await asyncio.sleep(AccessLog.DELAY * 3)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["request_id"], line["message"], line["status"]) for line in lines] == [
        ("a", "GET /x 200", 200),
        ("b", "POST /y 201", 201),
    ]
    assert list(lines[1]) == [
        *("time", "level", "logger", "message", "request_id"),
        *("method", "path", "status", "duration_ms"),
    ]


async def test_a_full_batch_is_written_at_once() -> None:
    stream = io.StringIO()
    log = AccessLog()
    log.configure(stream)
    for n in range(AccessLog.BATCH):
        log.write(str(n), "GET", "/x", 200, 1.0)
    assert len(stream.getvalue().splitlines()) == AccessLog.BATCH


def test_lines_left_by_a_stopped_loop_are_not_stuck(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    log = AccessLog()
    log.configure(stream)

    async def one_request() -> None:
        log.write("left", "GET", "/x", 200, 1.0)

    asyncio.run(one_request())  # the loop closes before its flush was due
    assert stream.getvalue() == ""
    monkeypatch.setattr(time, "monotonic", lambda: 10.0**9)
    asyncio.run(one_request())
    assert [json.loads(line)["request_id"] for line in stream.getvalue().splitlines()] == [
        "left",
        "left",
    ]


async def test_the_end_of_the_lifespan_writes_every_waiting_line() -> None:
    stream = io.StringIO()
    ACCESS_LOG.configure(stream)
    try:

        async def lifespan(scope: Scope, receive: Receive, send: Send) -> None:
            ACCESS_LOG.write("last", "GET", "/x", 200, 1.0)  # a request that just ended

        scope: Any = {"type": "lifespan"}
        await request_context_middleware(lifespan)(scope, _never, _never)
        assert json.loads(stream.getvalue())["request_id"] == "last"
    finally:
        ACCESS_LOG.configure(None)


async def _never(*_: Any) -> Any:
    raise AssertionError("not called")

"""The access log: one JSON line per request, the same shape as every other log line."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TextIO

import msgspec

_encoder = msgspec.json.Encoder()


class AccessLine(msgspec.Struct):
    """The access log line: the same JSON shape as every other line, plus the request."""

    time: str
    level: str
    logger: str
    message: str
    request_id: str
    method: str
    path: str
    status: int
    duration_ms: float


class AccessLog:
    """One line per request, written straight to the log stream.

    The access line is the one log line every request pays for, so it skips loguru's record
    building (docs/benchmarks.md has the measurement). Other lines keep going through loguru.
    """

    def __init__(self) -> None:
        self._stream: TextIO | None = None
        self._second = -1
        self._prefix = ""  # the ISO 8601 time of self._second, up to the seconds

    def configure(self, stream: TextIO | None) -> None:
        """Write to ``stream``; None turns access lines off (log level above INFO)."""
        self._stream = stream

    def write(self, request_id: str, method: str, path: str, status: int, ms: float) -> None:
        stream = self._stream
        if stream is None:
            return
        line = AccessLine(
            time=self._now(),
            level="INFO",
            logger="access",
            message=f"{method} {path} {status}",
            request_id=request_id,
            method=method,
            path=path,
            status=status,
            duration_ms=ms,
        )
        stream.write((_encoder.encode(line) + b"\n").decode())
        stream.flush()

    def _now(self) -> str:
        """The time as ``datetime.isoformat(timespec="milliseconds")`` writes it, UTC; the
        date and time up to the second are formatted once per second."""
        now = time.time()
        second = int(now)
        if second != self._second:
            moment = datetime.fromtimestamp(second, UTC).isoformat()
            self._second, self._prefix = second, moment.removesuffix("+00:00")
        return f"{self._prefix}.{int((now - second) * 1000):03d}+00:00"


ACCESS_LOG = AccessLog()

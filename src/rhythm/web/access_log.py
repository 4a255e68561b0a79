"""The access log: one JSON line per request, the same shape as every other log line."""

from __future__ import annotations

import asyncio
import atexit
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
    """One line per request, written straight to the log stream, in batches.

    The access line is the one log line every request pays for, so it skips loguru's record
    building, and the request only builds its line: lines are encoded and written together, one
    write and flush per batch, at most ``DELAY`` seconds after the first of them (or once
    ``BATCH`` are waiting), and at the end of the lifespan and of the process, so a clean
    shutdown loses none. Other lines keep going through loguru, straight away.
    """

    DELAY = 0.05
    BATCH = 256

    def __init__(self) -> None:
        self._stream: TextIO | None = None
        self._pending: list[AccessLine] = []
        self._due = 0.0  # when the waiting lines must be written at the latest
        self._second = -1
        self._prefix = ""  # the ISO 8601 time of self._second, up to the seconds
        atexit.register(self.flush)

    def configure(self, stream: TextIO | None) -> None:
        """Write to ``stream``; None turns access lines off (log level above INFO)."""
        self.flush()
        self._stream = stream

    def write(self, request_id: str, method: str, path: str, status: int, ms: float) -> None:
        if self._stream is None:
            return
        pending = self._pending
        pending.append(
            AccessLine(
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
        )
        if len(pending) == 1:
            self._flush_later()
        elif len(pending) >= self.BATCH or time.monotonic() > self._due:
            self.flush()  # also when the loop that was to flush them has gone away

    def _flush_later(self) -> None:
        self._due = time.monotonic() + self.DELAY
        try:
            asyncio.get_running_loop().call_later(self.DELAY, self.flush)
        except RuntimeError:  # no event loop: nothing would come back to write the line
            self.flush()

    def flush(self) -> None:
        """Write every waiting line now."""
        lines, self._pending = self._pending, []
        if lines and self._stream is not None:
            self._stream.write(_encoder.encode_lines(lines).decode())
            self._stream.flush()

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

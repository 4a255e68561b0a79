"""The listening side: a fleet of sockets in a receiver process, reporting to a tracker here."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bench.events.tracker import Tracker

ROOT = Path(__file__).resolve().parents[2]


class Fleet:
    """Receivers that report every event to the current slot's tracker."""

    def __init__(self) -> None:
        self.tracker: Tracker | None = None

    def heard(self, room: int, seq: int, at: float) -> None:
        """One receiver in this process got (room, seq) at ``at``."""
        if self.tracker is not None:
            self.tracker.received(room, seq, at, at, 1, None)

    def report(self, line: str) -> None:
        """One receiver's "<room> <seq> <first> <last> <count> <t0 or ->" line."""
        room, seq, first, last, count, t0 = line.split()
        if self.tracker is not None:
            self.tracker.received(
                int(room),
                int(seq),
                float(first),
                float(last),
                int(count),
                None if t0 == "-" else float(t0),
            )


async def _relay(stdout: asyncio.StreamReader, fleet: Fleet) -> None:
    while line := await stdout.readline():
        fleet.report(line.decode())


@asynccontextmanager
async def open_fleet(sockets: list[tuple[int, str]]) -> AsyncIterator[Fleet]:
    """A receiver process holding a socket per (room id, URL); ready when every socket has
    read its snapshot."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.events.receiver",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        proc.stdin.write(json.dumps(sockets).encode() + b"\n")
        await proc.stdin.drain()
        if (await proc.stdout.readline()).strip() != b"ready":
            raise RuntimeError("the receiver process failed to open its sockets")
        fleet = Fleet()
        relay = asyncio.create_task(_relay(proc.stdout, fleet))
        try:
            yield fleet
        finally:
            relay.cancel()
            await asyncio.gather(relay, return_exceptions=True)
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()

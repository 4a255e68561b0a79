"""A process of its own that holds a fleet's sockets and reports each event once it has it all.

The sockets cost far more CPU than the producers; in the producers' process they would delay
the moment a COMMIT is seen to return (t0) behind a queue of frames. Here they only delay
their own receive times, as a busy client would.

Protocol (lines on stdin/stdout): in, one JSON list of [room id, socket URL]; out, "ready",
then per event "<room> <seq> <first t1> <last t1> <sockets> <t0 or ->" once every socket of
that room in this process has it. Ends when stdin closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections import Counter

import msgspec
import uvloop
from websockets.asyncio.client import ClientConnection, connect

OPEN_CONCURRENCY = 16  # handshakes in flight while the fleet opens


class Head(msgspec.Struct):
    """What the bench reads of a message; ``t0`` only in the baselines' payloads."""

    type: str
    seq: int = 0
    room_id: int = 0
    t0: float | None = None


_heads = msgspec.json.Decoder(Head)


class Counts:
    """Receipts per (room, seq) until every local socket of the room has the event."""

    def __init__(self, expected: Counter[int]) -> None:
        self._expected = expected
        self._open: dict[tuple[int, int], list[float]] = {}  # [received, first, last]

    def add(self, raw: str | bytes, at: float) -> None:
        head = _heads.decode(raw)
        if head.type == "snapshot":
            return
        key = (head.room_id, head.seq)
        entry = self._open.get(key)
        if entry is None:
            entry = self._open[key] = [0, at, at]
        entry[0] += 1
        entry[2] = at
        if entry[0] == self._expected[head.room_id]:
            del self._open[key]
            t0 = "-" if head.t0 is None else repr(head.t0)
            sys.stdout.write(f"{key[0]} {key[1]} {entry[1]!r} {at!r} {int(entry[0])} {t0}\n")
            sys.stdout.flush()


async def _listen(socket: ClientConnection, counts: Counts) -> None:
    clock = time.monotonic
    with contextlib.suppress(Exception):  # the socket closes as the process ends
        async for raw in socket:
            counts.add(raw, clock())


async def _open(url: str, gate: asyncio.Semaphore) -> ClientConnection:
    async with gate:
        socket = await connect(url, open_timeout=60, max_queue=None)
        first = _heads.decode(await socket.recv())
        if first.type != "snapshot":
            raise RuntimeError(f"{url}: expected a snapshot, got {first.type}")
        return socket


async def main() -> None:
    plan: list[tuple[int, str]] = json.loads(sys.stdin.readline())
    counts = Counts(Counter(room for room, _ in plan))
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    sockets = await asyncio.gather(*(_open(url, gate) for _, url in plan))
    readers = [asyncio.create_task(_listen(s, counts)) for s in sockets]
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


if __name__ == "__main__":
    uvloop.run(main())

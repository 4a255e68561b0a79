"""The per-send cost of a room socket's send timeout, in isolation (no network, no server).

Run: .venv/bin/python -m bench.events.send_path [--rounds 15] [--sends 20000]

Contenders, interleaved in random order in every round, on uvloop, each sending the same
event to a socket whose send completes at once (what a client that reads costs the loop):
- bare send: no timeout at all (the floor);
- asyncio.timeout: ``async with asyncio.timeout(5)`` around every send (the previous code);
- SendWatch: ``web/rooms/socket.py``'s ``_send``, one lazily re-armed timer per socket;
- SendWatch (A/A): the same under a second name, the run's noise.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import msgspec
import uvloop
from litestar import WebSocket

from bench.events.report import loadavg, machine
from rhythm.service.rooms.events import ReadyChanged, ReadyChangedData
from rhythm.web.rooms.send_watch import SendWatch
from rhythm.web.rooms.socket import SEND_TIMEOUT_S, _send

RAW = msgspec.json.encode(
    ReadyChanged(room_id=1, seq=1, data=ReadyChangedData(user_id=1, is_ready=True))
)


class _ReadingClient:
    async def send_text(self, data: str) -> None:
        return None


SOCKET = cast(WebSocket[Any, Any, Any], _ReadingClient())
Loop = Callable[[int], Awaitable[None]]


async def bare(sends: int) -> None:
    for _ in range(sends):
        await SOCKET.send_text(RAW.decode())


async def per_send_timeout(sends: int) -> None:
    for _ in range(sends):
        async with asyncio.timeout(SEND_TIMEOUT_S):
            await SOCKET.send_text(RAW.decode())


async def send_watch(sends: int) -> None:
    watch = SendWatch(SEND_TIMEOUT_S)
    try:
        for _ in range(sends):
            await _send(SOCKET, RAW, watch)
    finally:
        watch.stop()


CONTENDERS: dict[str, Loop] = {
    "bare send": bare,
    "asyncio.timeout": per_send_timeout,
    "SendWatch": send_watch,
    "SendWatch (A/A)": send_watch,
}


async def measure(rounds: int, sends: int) -> dict[str, list[float]]:
    ns: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for run in CONTENDERS.values():  # warm-up
        await asyncio.create_task(run(sends // 10))
    for _ in range(rounds):
        order = list(CONTENDERS)
        random.shuffle(order)
        for name in order:
            started = time.perf_counter_ns()
            await asyncio.create_task(CONTENDERS[name](sends))
            ns[name].append((time.perf_counter_ns() - started) / sends)
    return ns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sends", type=int, default=20_000)
    args = parser.parse_args()
    print(f"{machine()}\nrounds={args.rounds} sends={args.sends}; load before {loadavg()}\n")
    ns = uvloop.run(measure(args.rounds, args.sends))
    floor = statistics.median(ns["bare send"])
    print("| contender | ns per send, median | min-max over rounds | above the bare send, ns |")
    print("|---|---|---|---|")
    for name, values in ns.items():
        mid = statistics.median(values)
        print(
            f"| {name} | {mid:,.0f} | {min(values):,.0f}-{max(values):,.0f} | {mid - floor:,.0f} |"
        )
    aa = [a / b for a, b in zip(ns["SendWatch (A/A)"], ns["SendWatch"], strict=True)]
    print(f"\nA/A (SendWatch (A/A) ÷ SendWatch) per round: {min(aa):.2f}-{max(aa):.2f}")
    print(f"load after {loadavg()}")


if __name__ == "__main__":
    main()

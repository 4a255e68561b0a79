"""One slot: every room publishes, waits until all its sockets have the event, and again.

Closed loop per room (one event in flight per room), so a slot measures delivery, not a queue
that grows without bound: events/s is what the whole path sustains at that many rooms. With a
pace, a room publishes at most once per ``pace_s``: every contender then runs at the same
rate (if it can), and latencies compare at equal load rather than each at its own saturation.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from bench.common.cpu import CpuMeter
from bench.events.contenders import Producer
from bench.events.sockets import Fleet
from bench.events.tracker import Tracker

LOST_AFTER_S = 5.0  # an event not at every socket by then counts as lost


@dataclass(frozen=True, slots=True)
class Target:
    room_id: int
    user_id: int  # whose ready_changed it is
    receivers: int  # sockets (or listeners) that must get each event


@dataclass
class SlotResult:
    seconds: float = 0.0
    events: int = 0
    deliveries: int = 0
    lost: int = 0
    last_s: list[float] = field(default_factory=list)  # commit -> last receiver
    first_s: list[float] = field(default_factory=list)  # commit -> first receiver
    cpu_s: dict[str, float] = field(default_factory=dict)  # CPU seconds per process group

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def deliveries_per_s(self) -> float:
        return self.deliveries / self.seconds if self.seconds else 0.0


async def _room_loop(
    producer: Producer,
    tracker: Tracker,
    target: Target,
    until: float,
    pace_s: float,
    out: SlotResult,
) -> None:
    # A random phase: rooms that all published at the same instant would queue behind each
    # other in every contender, which measures the burst, not the path.
    next_at = time.monotonic() + random.uniform(0, pace_s)  # noqa: S311 - not a secret
    while (now := time.monotonic()) < until:
        if now < next_at:
            await asyncio.sleep(next_at - now)
        next_at = max(now, next_at) + pace_s
        seq, t0 = await producer.publish(target.room_id, target.user_id)
        delivery = await tracker.wait(target.room_id, seq, t0, LOST_AFTER_S)
        if delivery is None:
            out.lost += 1
            continue
        out.events += 1
        out.deliveries += delivery.received
        out.last_s.append(delivery.latency_last)
        out.first_s.append(delivery.latency_first)


async def run_slot(
    producer: Producer,
    fleet: Fleet,
    targets: list[Target],
    seconds: float,
    meter: CpuMeter | None = None,
    pace_s: float = 0.0,
) -> SlotResult:
    tracker = Tracker({t.room_id: t.receivers for t in targets})
    fleet.tracker = tracker
    out = SlotResult()
    if meter is not None:
        meter.start()
    started = time.monotonic()
    try:
        await asyncio.gather(
            *(_room_loop(producer, tracker, t, started + seconds, pace_s, out) for t in targets)
        )
    finally:
        fleet.tracker = None
    out.seconds = time.monotonic() - started
    if meter is not None:
        out.cpu_s = meter.stop()
    return out

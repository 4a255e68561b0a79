"""Matching what was published with what the sockets received, by (room, seq).

A receipt may come before the producer has even returned from its commit, so either side
creates the entry; the producer waits until every expected receiver has had the event.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass(slots=True)
class Delivery:
    """One event: when it was published (t0) and when its receivers got it."""

    expected: int
    done: asyncio.Future[None]
    t0: float | None = None
    first: float = 0.0
    last: float = 0.0
    received: int = 0

    @property
    def latency_last(self) -> float:
        assert self.t0 is not None
        return self.last - self.t0

    @property
    def latency_first(self) -> float:
        assert self.t0 is not None
        return self.first - self.t0


@dataclass
class Tracker:
    """Deliveries in flight; ``receivers[room]`` is how many sockets hear that room."""

    receivers: dict[int, int]
    _open: dict[tuple[int, int], Delivery] = field(default_factory=dict)

    def entry(self, room: int, seq: int) -> Delivery:
        key = (room, seq)
        found = self._open.get(key)
        if found is None:
            future = asyncio.get_running_loop().create_future()
            found = self._open[key] = Delivery(self.receivers[room], future)
        return found

    def received(
        self, room: int, seq: int, first: float, last: float, count: int, t0: float | None
    ) -> None:
        """``count`` receivers got (room, seq), the first at ``first``, the last at ``last``;
        ``t0`` when the payload carries it."""
        if room not in self.receivers:
            return  # a room of another size's grid: not part of this slot
        delivery = self.entry(room, seq)
        if t0 is not None:
            delivery.t0 = t0
        if delivery.received == 0 or first < delivery.first:
            delivery.first = first
        delivery.last = max(delivery.last, last)
        delivery.received += count
        if delivery.received >= delivery.expected and not delivery.done.done():
            delivery.done.set_result(None)

    async def wait(self, room: int, seq: int, t0: float | None, limit_s: float) -> Delivery | None:
        """The finished delivery, or None if some receiver did not get it within ``limit_s``."""
        delivery = self.entry(room, seq)
        if t0 is not None:
            delivery.t0 = t0
        try:
            await asyncio.wait_for(asyncio.shield(delivery.done), limit_s)
        except TimeoutError:
            return None
        finally:
            del self._open[(room, seq)]
        return delivery

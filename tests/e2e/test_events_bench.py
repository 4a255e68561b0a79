"""The live-events benchmark, at a tiny size: every contender delivers every event it counts.

No timing is asserted (the figures belong in docs/benchmarks.md); this proves the bench's
plumbing: rooms made through the API on two instances, sockets on both, the baselines.
"""

from __future__ import annotations

import uvloop

from bench.events import setup
from bench.events.bench import Plan, Servers, measure_size
from bench.events.slots import SlotResult
from bench.http.servers import server
from tests.server_process import serve

ROOMS, MEMBERS = 2, 3


def _check(name: str, runs: list[SlotResult], receivers: int) -> None:
    (slot,) = runs
    assert slot.events > 0, name
    assert slot.lost == 0, name
    assert slot.deliveries == slot.events * receivers, name
    assert len(slot.last_s) == slot.events, name
    assert all(last >= first for last, first in zip(slot.last_s, slot.first_s, strict=True))
    assert set(slot.cpu_s) >= {"rhythm A+B", "channels app", "bench"}, name


def test_every_contender_delivers_each_event_to_every_receiver(database_url: str) -> None:
    with (
        serve(database_url) as a,
        serve(database_url) as b,
        server("bench.events.channels_app", database_url, 0) as channels,
    ):
        servers = Servers((a.port, b.port), channels, postgres_data=None)

        async def run() -> dict[str, list[SlotResult]]:
            rooms = await setup.populate(list(servers.app), ROOMS, MEMBERS)
            assert [len(r.members) for r in rooms] == [MEMBERS] * ROOMS
            return await measure_size(
                database_url, servers, rooms, Plan(rounds=1, seconds=0.3, warm_up_s=0.1)
            )

        results = uvloop.run(run())
    assert set(results) == {"app", "app (A/A)", "channels alone", "LISTEN/NOTIFY"}
    for name in ("app", "app (A/A)", "channels alone"):
        _check(name, results[name], MEMBERS)
    _check("LISTEN/NOTIFY", results["LISTEN/NOTIFY"], 1)

"""Live room events: rooms x members sockets across two `rhythm serve` instances on one database.

Run: .venv/bin/python -m bench.events.bench [--sizes 10x4,50x8] [--rounds 5] [--seconds 3]

Contenders, interleaved in random order in every round:
- app: the service layer's ``publish`` inside ``transaction()`` from this process (t0 when
  COMMIT returns); two instances LISTEN, fan out through Litestar channels to the sockets,
  each room's members spread over both instances;
- app (A/A): the same, under a second name: the run's own noise;
- channels alone: a bare Litestar app, channels plugin on its memory backend, one process,
  publishing in-process (t0 stamped there, compared on the machine-wide monotonic clock);
- LISTEN/NOTIFY: ``pg_notify`` committed on a pooled connection, heard by one listening
  psycopg connection in this process (t0 at COMMIT, t1 when the listener has it).
Latency is from t0 to the LAST socket of the room receiving the event. The servers under test
share core 0; PostgreSQL and this process (producers and every client socket) share core 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import uvloop
from websockets.asyncio.client import connect

from bench.common import pinning
from bench.common.cpu import CpuMeter, pid_listening_on, postmaster_pid
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.events import setup
from bench.events.contenders import (
    AppProducer,
    ChannelsProducer,
    Producer,
    RawNotifyProducer,
    raw_listener,
)
from bench.events.profile import record, summarize
from bench.events.report import aa_spread, cpu_table, loadavg, machine, table
from bench.events.slots import SlotResult, Target, run_slot
from bench.events.sockets import Fleet, open_fleet
from bench.http.servers import server
from rhythm.store.pool import create_pool

PRODUCER_CONNECTIONS = 16  # transactions in flight at most, whatever the number of rooms
PROFILE_S = 8.0
# The set-up registers every member from one address, beyond the per-address limit.
SET_UP_ENV = {"RHYTHM_REGISTER_RATE_LIMIT": "100000"}


@dataclass(frozen=True)
class Size:
    rooms: int
    members: int

    @classmethod
    def parse(cls, text: str) -> Size:
        rooms, members = text.lower().split("x")
        return cls(int(rooms), int(members))

    def __str__(self) -> str:
        return f"{self.rooms} rooms x {self.members} members"


@dataclass(frozen=True)
class Plan:
    rounds: int
    seconds: float  # per slot
    profile: Path | None = None  # where py-spy writes, when profiling
    warm_up_s: float = 0.5  # one unmeasured slot per contender first
    pace_s: float = 0.0  # a room's events at least this far apart (0: back to back)


@dataclass(frozen=True)
class Servers:
    app: tuple[int, int]  # the two `rhythm serve` instances' ports
    channels: int  # the channels-alone app's port
    postgres_data: Path | None  # its postmaster.pid names the server whose CPU is counted

    def meter(self) -> CpuMeter:
        """CPU of each party: both instances, the channels app, PostgreSQL, this process."""
        roots = {
            "rhythm A+B": [pid_listening_on(p) for p in self.app],
            "channels app": [pid_listening_on(self.channels)],
            "bench": [os.getpid()],
        }
        if self.postgres_data is not None:
            roots["PostgreSQL"] = [postmaster_pid(self.postgres_data)]
        return CpuMeter(roots)


@dataclass(frozen=True)
class Contender:
    producer: Producer
    fleet: Fleet
    receivers: int


def _targets(c: Contender, rooms: list[setup.Room]) -> list[Target]:
    return [Target(r.room_id, r.members[0].user_id, c.receivers) for r in rooms]


async def rounds(
    contenders: dict[str, Contender],
    rooms: list[setup.Room],
    plan: Plan,
    meter: CpuMeter,
) -> dict[str, list[SlotResult]]:
    for c in contenders.values():  # warm-up: pools, prepared statements, sockets
        await run_slot(c.producer, c.fleet, _targets(c, rooms), plan.warm_up_s)
    results: dict[str, list[SlotResult]] = {name: [] for name in contenders}
    for i in range(plan.rounds):
        order = list(contenders)
        random.shuffle(order)
        for name in order:
            c = contenders[name]
            slot = await run_slot(
                c.producer, c.fleet, _targets(c, rooms), plan.seconds, meter, plan.pace_s
            )
            results[name].append(slot)
        print(f"  round {i + 1}/{plan.rounds} done (load {loadavg()})", file=sys.stderr, flush=True)
    return results


async def profile(
    contenders: dict[str, Contender], rooms: list[setup.Room], servers: Servers, plan: Plan
) -> None:
    """One extra slot each for the app and channels alone, with py-spy on the servers (and on
    this process, the producers, during the app's); not part of the rounds, which it would
    disturb."""
    spied = {
        "app": {"rhythm-a": pid_listening_on(servers.app[0]), "producers": os.getpid()},
        "channels alone": {"channels-app": pid_listening_on(servers.channels)},
    }
    for name, pids in spied.items():
        c = contenders[name]
        assert plan.profile is not None
        files = {who: plan.profile / f"{who}-{len(rooms)}rooms.txt" for who in pids}
        spies = [await record(pid, PROFILE_S, files[who]) for who, pid in pids.items()]
        await run_slot(c.producer, c.fleet, _targets(c, rooms), PROFILE_S, pace_s=plan.pace_s)
        await asyncio.gather(*(spy.wait() for spy in spies))
        for who, path in files.items():
            print(f"\nprofile of {who} during a {name} slot ({path}):\n")
            print("\n".join(summarize(path)))


Sockets = list[tuple[int, str]]  # (room id, URL)


def socket_urls(servers: Servers, rooms: list[setup.Room]) -> tuple[Sockets, Sockets]:
    """Member j of room i listens on instance (i + j) % 2: every room spans both instances."""
    app: Sockets = []
    channels: Sockets = []
    for i, room in enumerate(rooms):
        for j, member in enumerate(room.members):
            port = servers.app[(i + j) % 2]
            path = f"/api/v1/rooms/{room.room_id}/events?token={member.token}"
            app.append((room.room_id, f"ws://127.0.0.1:{port}{path}"))
            channels.append(
                (room.room_id, f"ws://127.0.0.1:{servers.channels}/rooms/{room.room_id}/events")
            )
    return app, channels


async def measure_size(
    url: str, servers: Servers, rooms: list[setup.Room], plan: Plan
) -> dict[str, list[SlotResult]]:
    """Every contender on the same rooms; the sockets of this size open for its rounds."""
    app_pool, raw_pool = (
        create_pool(url, min_size=n, max_size=n, timeout_s=10, name=f"bench-{who}-producer")
        for who, n in (("app", PRODUCER_CONNECTIONS), ("raw", PRODUCER_CONNECTIONS))
    )
    async with AsyncExitStack() as inner:
        for pool in (app_pool, raw_pool):
            await pool.open(wait=True)
            inner.push_async_callback(pool.close)
        control = await inner.enter_async_context(
            connect(f"ws://127.0.0.1:{servers.channels}/publish")
        )
        app_urls, channels_urls = socket_urls(servers, rooms)
        app_fleet = await inner.enter_async_context(open_fleet(app_urls))
        channels_fleet = await inner.enter_async_context(open_fleet(channels_urls))
        raw_fleet = await inner.enter_async_context(raw_listener(url, [r.room_id for r in rooms]))
        members = len(rooms[0].members)
        app = AppProducer(app_pool)
        contenders = {
            "app": Contender(app, app_fleet, members),
            "app (A/A)": Contender(app, app_fleet, members),
            "channels alone": Contender(ChannelsProducer(control), channels_fleet, members),
            "LISTEN/NOTIFY": Contender(RawNotifyProducer(raw_pool), raw_fleet, 1),
        }
        results = await rounds(contenders, rooms, plan, servers.meter())
        if plan.profile:
            await profile(contenders, rooms, servers, plan)
        return results


async def measure(url: str, servers: Servers, sizes: list[Size], plan: Plan) -> dict[str, object]:
    most = Size(max(s.rooms for s in sizes), max(s.members for s in sizes))
    grid = await setup.populate(list(servers.app), most.rooms, most.members)
    out: dict[str, object] = {}
    for size in sizes:
        rooms = [setup.Room(r.room_id, r.members[: size.members]) for r in grid[: size.rooms]]
        before = loadavg()
        print(f"{size}: measuring (load {before})", file=sys.stderr, flush=True)
        results = await measure_size(url, servers, rooms, plan)
        print(f"\n### {size} ({size.rooms * size.members} sockets)\n")
        print(f"load average before {before}, after {loadavg()}\n")
        print("\n".join(table(results, "app")))
        print("\n" + aa_spread(results, "app", "app (A/A)"))
        print("\nCPU time per event, median over rounds:\n")
        print("\n".join(cpu_table(results)))
        out[str(size)] = {k: [asdict(r) for r in v] for k, v in results.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda s: [Size.parse(x) for x in s.split(",")],
        default=[Size(10, 4), Size(50, 8)],
        help="ROOMSxMEMBERS,...",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="per slot per round")
    parser.add_argument(
        "--pace-ms", type=float, default=0.0, help="a room's events at least this far apart"
    )
    parser.add_argument("--json", type=Path, help="write every slot's figures here")
    parser.add_argument("--profile", type=Path, help="py-spy the servers into this folder")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    layout = "servers on core 0, PostgreSQL and the bench on core 1"
    print(
        f"{machine()}\nrounds={args.rounds} slot={args.seconds:g}s "
        f"pace={args.pace_ms:g}ms; "
        f"{layout if pinning.can_pin() else 'not pinned'}"
    )
    server_core, client_core = pinning.SERVER_CORE, pinning.CLIENT_CORE
    with throwaway_postgres(client_core, client_core) as pg:
        url = pg.url(DBNAME)
        apply_migrations(url)
        with (
            server("rhythm.app.cli", url, server_core, **SET_UP_ENV) as a,
            server("rhythm.app.cli", url, server_core, **SET_UP_ENV) as b,
            server("bench.events.channels_app", url, server_core) as channels,
        ):
            servers = Servers((a, b), channels, pg.data_dir)
            plan = Plan(args.rounds, args.seconds, args.profile, pace_s=args.pace_ms / 1000)
            figures = uvloop.run(measure(url, servers, args.sizes, plan))
    if args.json:
        args.json.write_text(json.dumps(figures))


if __name__ == "__main__":
    main()

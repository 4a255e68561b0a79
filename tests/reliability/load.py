"""Load with accounting: many clients register, log in, refresh, create/join/leave rooms and
toggle ready; afterwards the database must agree with what the clients saw succeed.

Short run (part of the test suite): tests/reliability/test_load.py.
Long run (documented in docs/reliability.md), against a fresh embedded PostgreSQL:

    .venv/bin/python -m tests.reliability.load --seconds 60 --clients 64
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from rhythm.app.settings import PROJECT_ROOT
from rhythm.store.embedded import EmbeddedPostgres
from rhythm.store.migrate import Migrator
from tests.pg import free_port
from tests.server_process import FAST_HASHING, serve

PASSWORD = "load test password"
MAX_PLAYERS = 4


@dataclass
class Tally:
    """What the clients saw: successful writes, status codes, latencies."""

    users: int = 0
    tokens: int = 0  # register + login + refresh each issue one refresh token
    rotations: int = 0
    rooms_created: int = 0
    members_at_end: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        count = len(ordered)
        return {
            "requests": count,
            "throughput_rps": round(count / seconds, 1),
            "p50_ms": round(statistics.median(ordered), 2) if ordered else None,
            "p99_ms": round(ordered[min(count - 1, int(count * 0.99))], 2) if ordered else None,
            "statuses": dict(sorted(self.statuses.items())),
            "transport_errors": self.transport_errors,
        }


class Player:
    """One simulated client: its own session and its own idea of which room it is in."""

    def __init__(self, http: httpx.AsyncClient, tally: Tally, name: str, rng: random.Random):
        self.http = http
        self.tally = tally
        self.name = name
        self.rng = rng
        self.access = ""
        self.refresh = ""
        self.room: int | None = None

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError:
            # The outcome is unknown (it may have committed): the accounting can't hold then.
            self.tally.transport_errors += 1
            return None
        self.tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.tally.statuses[response.status_code] += 1
        return response

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    def take_session(self, response: httpx.Response) -> None:
        body = response.json()
        self.access, self.refresh = body["access_token"], body["refresh_token"]
        self.tally.tokens += 1

    async def register(self) -> bool:
        body = {
            "email": f"{self.name}@example.com",
            "display_name": self.name,
            "password": PASSWORD,
        }
        response = await self.call("POST", "/api/v1/auth/register", json=body)
        if response is None or response.status_code != 201:
            return False
        self.tally.users += 1
        self.take_session(response)
        return True

    async def step(self, lobby: list[int]) -> None:
        action = self.rng.choice(
            ("login", "refresh", "refresh", "room", "room", "room", "ready", "lobby")
        )
        if action == "login":
            response = await self.call(
                "POST",
                "/api/v1/auth/login",
                json={"email": f"{self.name}@example.com", "password": PASSWORD},
            )
            if response is not None and response.status_code == 200:
                self.take_session(response)
        elif action == "refresh":
            response = await self.call(
                "POST", "/api/v1/auth/refresh", json={"refresh_token": self.refresh}
            )
            if response is not None and response.status_code == 200:
                self.take_session(response)
                self.tally.rotations += 1
        elif action == "room":
            await self.move(lobby)
        elif action == "ready" and self.room is not None:
            which = self.rng.choice(("ready", "unready"))
            await self.call("POST", f"/api/v1/rooms/{self.room}/{which}", headers=self.auth())
        else:
            await self.call("GET", "/api/v1/rooms?free_seats=true", headers=self.auth())

    async def move(self, lobby: list[int]) -> None:
        if self.room is not None:
            response = await self.call(
                "POST", f"/api/v1/rooms/{self.room}/leave", headers=self.auth()
            )
            if response is not None and response.status_code == 204:
                self.room = None
            return
        if lobby and self.rng.random() < 0.8:
            target = self.rng.choice(lobby)
            response = await self.call("POST", f"/api/v1/rooms/{target}/join", headers=self.auth())
            if response is not None and response.status_code == 200:
                self.room = target
            return
        response = await self.call(
            "POST",
            "/api/v1/rooms",
            json={"name": f"room of {self.name}", "max_players": MAX_PLAYERS},
            headers=self.auth(),
        )
        if response is not None and response.status_code == 201:
            self.room = response.json()["id"]
            self.tally.rooms_created += 1
            lobby.append(self.room)


async def run_load(base_url: str, *, seconds: float, clients: int, seed: int = 7) -> Tally:
    tally = Tally()
    lobby: list[int] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        players = [
            Player(http, tally, f"p{seed}x{n}", random.Random(seed * 1000 + n))  # noqa: S311
            for n in range(clients)
        ]

        async def play(player: Player) -> None:
            if not await player.register():
                return
            while time.monotonic() < deadline:
                await player.step(lobby)

        await asyncio.gather(*(play(p) for p in players))
        tally.members_at_end = sum(1 for p in players if p.room is not None)
    return tally


def audit(database_url: str, tally: Tally) -> list[str]:
    """Where the database disagrees with the clients' own count; empty when it all adds up."""
    problems: list[str] = []
    with psycopg.connect(database_url) as conn:

        def one(sql: str) -> Any:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return row[0]

        checks = {
            "users": (one("SELECT count(*) FROM users"), tally.users),
            "refresh tokens": (one("SELECT count(*) FROM refresh_tokens"), tally.tokens),
            "rotations": (
                one("SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NOT NULL"),
                tally.rotations,
            ),
            "rooms": (one("SELECT count(*) FROM rooms"), tally.rooms_created),
            "room members": (one("SELECT count(*) FROM room_members"), tally.members_at_end),
        }
        for name, (stored, seen) in checks.items():
            if stored != seen:
                problems.append(f"{name}: database has {stored}, clients saw {seen}")
        over = one(
            "SELECT count(*) FROM rooms r WHERE r.member_count <> "
            "(SELECT count(*) FROM room_members m WHERE m.room_id = r.id) "
            "OR r.member_count > r.max_players"
        )
        if over:
            problems.append(f"{over} rooms over capacity or with a wrong member count")
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    if tally.transport_errors:
        problems.append(f"{tally.transport_errors} requests failed without an answer")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--cheap-hashing",
        action="store_true",
        help="argon2id at test cost, to see the API's own throughput rather than the hashing's",
    )
    args = parser.parse_args()
    # serve() hashes cheaply by default; the long run measures production hashing unless asked.
    production = {
        "RHYTHM_ARGON2_TIME_COST": "3",
        "RHYTHM_ARGON2_MEMORY_KIB": "65536",
        "RHYTHM_ARGON2_PARALLELISM": "4",
    }
    hashing = FAST_HASHING if args.cheap_hashing else production

    with tempfile.TemporaryDirectory() as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg" / "data", free_port())
        pg.start()
        try:
            pg.ensure_database("rhythm")
            url = pg.url("rhythm")
            Migrator(url, PROJECT_ROOT / "migrations").up()
            settings = {"RHYTHM_LOGIN_RATE_LIMIT": "1000000", "RHYTHM_DB_POOL_MAX": "16"}
            settings |= {"RHYTHM_REGISTER_RATE_LIMIT": "1000000"}
            settings |= {"RHYTHM_LOG_LEVEL": "WARNING", **hashing}
            with serve(url, settings) as server:
                started = time.monotonic()
                tally = asyncio.run(
                    run_load(server.url, seconds=args.seconds, clients=args.clients)
                )
                elapsed = time.monotonic() - started
            problems = audit(url, tally)
        finally:
            pg.stop()
    print(tally.summary(elapsed))
    print("accounting:", problems or "OK")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()

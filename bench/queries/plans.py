"""LIMIT $n and optional filters: custom plans at every execution, and the generic-plan answer.

Run: .venv/bin/python -m bench.queries.plans [--users 100000] [--rounds 8] [--seconds 0.3]

The service's own keyset listings, through its generated code: users ListUsers (`LIMIT $3`,
optional role) and rooms ListLobby (`LIMIT $4`, optional song and free-seat filters). Each
runs on connections opened with the server's default plan_cache_mode (auto, twice: the second
is the A/A control) and on one opened with `options=-c plan_cache_mode=force_generic_plan`,
the way a pool's conninfo would set it. Prints pg_prepared_statements' generic and custom plan
counts per connection, then throughput ratios to auto (median of per-round ratios).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from typing import Any

from psycopg import AsyncConnection

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.common.rounds import Series, quantile, ratio, round_ratios
from bench.queries import data
from bench.queries.bench import HERE, _slot
from bench.queries.contender import Op
from rhythm.db.rooms import Queries as Rooms
from rhythm.db.users import Queries as Users
from rhythm.db.users import UserRole

MODES = {"auto": "", "auto A/A": "", "generic": "-c plan_cache_mode=force_generic_plan"}
STATS = (
    b"SELECT substring(statement from 'FROM (\\w+)'), generic_plans, custom_plans "
    b"FROM pg_prepared_statements ORDER BY 1"
)


async def scale(conn: AsyncConnection[Any], users: int) -> None:
    """Grow the bench data to ``users`` users and a fifth as many open public rooms."""
    await conn.execute(
        "INSERT INTO users (email, display_name, password_hash, role) "
        "SELECT 'more' || i || '@bench.example', 'p', 'h', "
        "(ARRAY['USER','MODERATOR','ADMIN'])[1 + i % 3]::user_role "
        f"FROM generate_series(1, {max(0, users - data.USERS)}) i".encode()
    )
    await conn.execute(
        "INSERT INTO rooms (name, host_id, max_players, song_id, difficulty) "
        "SELECT 'more ' || i, 1 + i % 1000, 8, 'song-' || i % 50, 'EASY' "
        f"FROM generate_series(1, {max(0, users // 5 - data.ROOMS)}) i".encode()
    )
    await conn.execute(b"VACUUM ANALYZE")


def cases(conn: AsyncConnection[Any]) -> dict[str, Op]:
    return {
        "ListUsers, any role": lambda: Users(conn).list_users(after_id=0, role=None, page_size=100),
        "ListUsers, role USER": lambda: Users(conn).list_users(
            after_id=0, role=UserRole.USER, page_size=100
        ),
        "ListLobby, no filter": lambda: Rooms(conn).list_lobby(
            after_id=0, song_id=None, free_seats_only=False, page_size=50
        ),
        "ListLobby, song + free seats": lambda: Rooms(conn).list_lobby(
            after_id=0, song_id="song-7", free_seats_only=True, page_size=50
        ),
    }


async def run(url: str, users: int, rounds: int, seconds: float) -> None:
    async with await AsyncConnection.connect(url, autocommit=True) as admin:
        await data.seed(admin)
        await scale(admin, users)
    conns = {
        m: await AsyncConnection.connect(url, autocommit=True, options=o) for m, o in MODES.items()
    }
    ops = {(m, name): op for m, c in conns.items() for name, op in cases(c).items()}
    for op in ops.values():
        for _ in range(20):
            await op()
    for mode, conn in conns.items():
        print(f"{mode}, after warm-up (20 calls each):")
        for table, generic, custom in await (await conn.execute(STATS)).fetchall():
            print(f"  listing of {table}: generic plans {generic}, custom plans {custom}")
    series = {key: Series() for key in ops}
    for _ in range(rounds):
        keys = list(ops)
        random.shuffle(keys)
        for key in keys:
            series[key].add(*await _slot(ops[key], seconds))
    print("\n| query | auto ops/s | generic / auto | A/A (p10-p90) |\n|---|---|---|---|")
    for name in cases(conns["auto"]):
        auto, control = series[("auto", name)], series[("auto A/A", name)]
        aa = round_ratios(control, auto)
        print(
            f"| {name} | {auto.median:,.0f} | {ratio(series[('generic', name)], auto):.2f} "
            f"| {ratio(control, auto):.2f} ({quantile(aa, 0.1):.2f}-{quantile(aa, 0.9):.2f}) |"
        )
    for mode, conn in conns.items():
        print(f"\n{mode}, at the end:")
        for table, generic, custom in await (await conn.execute(STATS)).fetchall():
            print(f"  listing of {table}: generic plans {generic}, custom plans {custom}")
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=0.3)
    args = parser.parse_args()
    print(f"users={args.users} rounds={args.rounds} slot={args.seconds}s, {pinning.describe()}\n")
    with throwaway_postgres(pinning.SERVER_CORE, pinning.CLIENT_CORE) as server:
        url = server.url(DBNAME)
        apply_migrations(url, HERE / "sql" / "schema.sql")
        asyncio.run(run(url, args.users, args.rounds, args.seconds))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Where a contender's client time goes, by layer (cProfile, own time per function).

Run: .venv/bin/python -m bench.queries.profile [--case get-by-key] [--contender generated]
     [--loop uvloop] [--schema orders --case list-wide-100]

``--contender`` may name one of c_prototype's variants too ("proto: fast path").

One contender's operation in a loop against a throwaway embedded PostgreSQL, under cProfile;
own ("tottime") time of every function summed by the layer its file belongs to: the event
loop (asyncio, selectors), psycopg's Python layer, asyncpg, the generated package, the
benchmark, the rest. cProfile slows Python code several times over, so read shares, not
durations, and compare contenders under the same profiler.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
from typing import Any

import uvloop
from psycopg import AsyncConnection

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.queries.bench import SCHEMAS, Schema
from bench.queries.c_prototype import OPENERS as PROTOTYPES

LAYERS = (
    ("asyncio/", "event loop"),
    ("selectors", "event loop"),
    ("/psycopg/", "psycopg (Python layer)"),
    ("/psycopg_pool/", "psycopg pool"),
    ("asyncpg", "asyncpg"),
    ("/rhythm/db/", "generated code"),
    ("/bench/queries/gen/", "generated code"),
    ("/bench/queries/gen_orders/", "generated code"),
    ("/bench/queries/fastpath", "prototype fast path"),
    ("/bench/", "benchmark loop"),
)


def layer(filename: str, function: str) -> str:
    if "epoll" in function:
        return "waiting in epoll (server, network, other processes)"
    for marker, name in LAYERS:
        if marker in filename:
            return name
    return "C built-ins and the rest" if filename == "~" else "other Python"


async def _profile(schema: Schema, url: str, contender: str, case: str, ops: int) -> pstats.Stats:
    extra = PROTOTYPES if schema is SCHEMAS["rhythm"] else []
    opened = [await o(url) for o in [*schema.openers, *extra]]
    chosen = next(c for c in opened if c.name == contender)
    op = chosen.ops[case]
    for _ in range(200):
        await op()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(ops):
        await op()
    profiler.disable()
    for c in opened:
        await c.close()
    return pstats.Stats(profiler)


def report(stats: pstats.Stats, top: int) -> None:
    # pstats' own table: (file, line, function) -> (calls, primitive calls, tottime, ...)
    table: dict[tuple[str, int, str], tuple[Any, ...]] = vars(stats)["stats"]
    by_layer: dict[str, float] = {}
    for (filename, _, function), entry in table.items():
        name = layer(filename, function)
        by_layer[name] = by_layer.get(name, 0.0) + entry[2]
    total = sum(by_layer.values())
    busy = total - sum(t for name, t in by_layer.items() if name.startswith("waiting"))
    print("| layer | share of wall time | share of client CPU |\n|---|---|---|")
    for name, t in sorted(by_layer.items(), key=lambda kv: -kv[1]):
        cpu = "" if name.startswith("waiting") else f"{t / busy:.0%}"
        print(f"| {name} | {t / total:.0%} | {cpu} |")
    print()
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", default="get-by-key")
    parser.add_argument("--contender", default="generated")
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--schema", choices=sorted(SCHEMAS), default="rhythm")
    args = parser.parse_args()
    schema = SCHEMAS[args.schema]
    runner = uvloop.run if args.loop == "uvloop" else asyncio.run
    with throwaway_postgres(pinning.SERVER_CORE, pinning.CLIENT_CORE) as server:
        url = server.url(DBNAME)
        apply_migrations(url, schema.sql)
        asyncio.run(_seed(schema, url))
        report(runner(_profile(schema, url, args.contender, args.case, args.ops)), args.top)


async def _seed(schema: Schema, url: str) -> None:
    async with await AsyncConnection.connect(url, autocommit=True) as admin:
        await schema.seed(admin)


if __name__ == "__main__":
    main()

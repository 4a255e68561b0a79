"""The same queries through our generated code and what users would pick instead.

Run: .venv/bin/python -m bench.queries.bench [--rounds 8] [--seconds 0.5] [--url URL]

Without --url it starts a throwaway embedded PostgreSQL pinned to core 0 and runs the client on
core 1 (taskset). One connection per contender, autocommit, asyncio. Each round runs every
contender once per case for a fixed time slice, in random order; tables show medians over the
rounds and the median of per-round ratios to hand-written psycopg ("psycopg").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.common.rounds import Series, ms, ratio
from bench.queries import data
from bench.queries.c_asyncpg import open_asyncpg
from bench.queries.c_generated import open_generated
from bench.queries.c_psycopg import open_naive, open_tuned
from bench.queries.c_sqlalchemy import open_core, open_orm
from bench.queries.contender import CASES, Contender, Op

HERE = Path(__file__).resolve().parent
BASE = "psycopg"
OPENERS: list[Callable[[str], Awaitable[Contender]]] = [
    open_generated,
    open_naive,
    open_tuned,
    open_asyncpg,
    open_core,
    open_orm,
]
WRITES = {"batch-100", "copy-10k"}  # cases that start each slot from an empty bench table
SLOW = {"copy-10k": 3.0, "batch-100": 2.0}  # longer slots where one op takes milliseconds


async def _slot(op: Op, seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    clock = time.perf_counter
    start = clock()
    while (now := clock()) - start < seconds:
        await op()
        latencies.append(clock() - now)
    return len(latencies) / (clock() - start), latencies


async def run_case(
    case: str, contenders: list[Contender], admin: AsyncConnection[Any], rounds: int, seconds: float
) -> dict[str, Series]:
    runners = [c for c in contenders if case in c.ops]
    for c in runners:  # warm-up: prepared statements, type caches, SQLAlchemy's compiled cache
        for _ in range(3 if case in WRITES else 50):
            await c.ops[case]()
    series = {c.name: Series() for c in runners}
    span = seconds * SLOW.get(case, 1.0)
    for _ in range(rounds):
        random.shuffle(runners)
        for c in runners:
            if case in WRITES:
                await admin.execute(b"TRUNCATE bench_scores")
            series[c.name].add(*await _slot(c.ops[case], span))
    return series


def table(case: str, series: dict[str, Series]) -> list[str]:
    base = series[BASE]
    lines = [
        f"#### {case}",
        "",
        "| contender | ops/s trimmed | spread ± | ops/s raw | p50 ms | p99 ms | ratio to psycopg |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in series.items():
        lines.append(
            f"| {name} | {s.median:,.0f} | {s.spread:.0%} | {s.raw_median:,.0f} "
            f"| {ms(s.percentile(0.5))} "
            f"| {ms(s.percentile(0.99))} | {ratio(s, base):.2f} |"
        )
    return [*lines, ""]


def targets(results: dict[str, dict[str, Series]]) -> list[str]:
    lines = ["#### targets", ""]
    for case, series in results.items():
        got = ratio(series["generated"], series[BASE])
        lines.append(f"- {case}: generated / psycopg = {got:.3f} (target ≥ 0.97)")
    checks = [
        ("get-by-key", "SQLAlchemy Core text()", 2.0),
        ("list-100", "SQLAlchemy ORM", 3.0),
    ]
    for case, other, goal in checks:
        if case in results:
            got = ratio(results[case]["generated"], results[case][other])
            lines.append(f"- {case}: generated / {other} = {got:.2f} (target ≥ {goal:g})")
    return [*lines, ""]


async def run(
    url: str, rounds: int, seconds: float, cases: list[str]
) -> dict[str, dict[str, Series]]:
    async with await AsyncConnection.connect(url, autocommit=True) as admin:
        await data.seed(admin)
        contenders = [await open_(url) for open_ in OPENERS]
        try:
            results: dict[str, dict[str, Series]] = {}
            for case in cases:
                results[case] = await run_case(case, contenders, admin, rounds, seconds)
                print("\n".join(table(case, results[case])), flush=True)
        finally:
            for c in contenders:
                await c.close()
    print("\n".join(targets(results)))
    return results


def _dump(results: dict[str, dict[str, Series]], out: Path | None) -> None:
    if out is not None:
        dump = {case: {n: vars(s) for n, s in ser.items()} for case, ser in results.items()}
        out.write_text(json.dumps(dump))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="an empty database (default: a throwaway embedded server)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=0.5, help="per contender per round")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated subset")
    parser.add_argument("--json", type=Path, help="also write the raw rounds here")
    args = parser.parse_args()
    cases = [c for c in args.cases.split(",") if c]
    if unknown := set(cases) - set(CASES):
        sys.exit(f"unknown cases: {sorted(unknown)}")
    print(
        f"rounds={args.rounds} slot={args.seconds}s, {pinning.describe()}, "
        f"python {sys.version.split()[0]}\n"
    )
    schema = HERE / "sql" / "schema.sql"
    if args.url:
        apply_migrations(args.url, schema)
        _dump(asyncio.run(run(args.url, args.rounds, args.seconds, cases)), args.json)
        return
    with throwaway_postgres(pinning.SERVER_CORE, pinning.CLIENT_CORE) as server:
        url = server.url(DBNAME)
        apply_migrations(url, schema)
        _dump(asyncio.run(run(url, args.rounds, args.seconds, cases)), args.json)


if __name__ == "__main__":
    main()

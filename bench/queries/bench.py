"""The same queries through our generated code and what users would pick instead.

Run: .venv/bin/python -m bench.queries.bench [--runs 3] [--rounds 10] [--seconds 0.3]
     [--loop uvloop] [--prototypes] [--schema orders]

Without --url each run starts a throwaway embedded PostgreSQL pinned to core 0 and runs the
client on core 1 (taskset). One connection per contender, autocommit, asyncio. Each round runs
every contender once per case for a fixed time slice, in random order. Raw asyncpg is the
reference of every ratio, and runs a second time under another name ("asyncpg A/A", same code,
its own connection): how far that control strays from 1.00 is the noise of the run. Rounds of
all runs are pooled; tables show medians of per-round ratios. ``--loop uvloop`` runs every
contender on uvloop (as the server does) instead of asyncio's own loop; ``--prototypes`` adds
the hand-written variants of the generated code in c_prototype.py. ``--schema orders`` runs
the second schema instead (a shop with wide rows of many column types, bench/queries/sql_orders/,
its own cases and contenders: generated, asyncpg and its A/A control, hand-written psycopg).
``--timezone UTC`` sets the database's TimeZone for every contender's connection (default: the
server's, often 'Etc/UTC'): psycopg then loads timestamptz into datetimes in
``datetime.timezone.utc``, as asyncpg always does, instead of converting each to a ZoneInfo.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvloop
from psycopg import AsyncConnection

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.common.rounds import Series, ms, quantile, ratio, round_ratios
from bench.queries import c_orders, data, orders_data
from bench.queries.c_asyncpg import open_asyncpg
from bench.queries.c_generated import open_generated
from bench.queries.c_prototype import OPENERS as PROTOTYPES
from bench.queries.c_psycopg import open_naive, open_tuned
from bench.queries.c_sqlalchemy import open_core, open_orm
from bench.queries.contender import CASES, Contender, Op

HERE = Path(__file__).resolve().parent
BASE = "asyncpg"
CONTROL = "asyncpg A/A"
OPENERS: list[Callable[[str], Awaitable[Contender]]] = [
    open_generated,
    open_asyncpg,
    functools.partial(open_asyncpg, name=CONTROL),
    open_naive,
    open_tuned,
    open_core,
    open_orm,
]
# generated / asyncpg, per case.
TARGETS = {
    "get-by-key": 1.0,
    "list-100": 0.95,
    "join-20": 0.95,
    "insert-one": 1.0,
    "batch-100": 0.95,
}
ONLY: set[str] = set()  # --only: these contenders (and asyncpg with its A/A control) alone
TIMEZONE: list[str] = []  # --timezone: the database's TimeZone setting
Results = dict[str, dict[str, Series]]
Opener = Callable[[str], Awaitable[Contender]]


@dataclass
class Schema:
    """One benchmark schema: its tables, data, cases and contenders."""

    sql: Path  # applied after the app's migrations
    seed: Callable[[AsyncConnection[Any]], Awaitable[None]]
    openers: list[Opener]
    cases: tuple[str, ...]
    targets: dict[str, float]
    writes: dict[str, bytes]  # case -> the statement that empties its table before each slot
    slow: dict[str, float] = field(default_factory=dict)  # longer slots: ms-long operations
    check: Callable[[list[Contender]], Awaitable[None]] | None = None  # same rows everywhere


_EMPTY_SCORES = b"TRUNCATE bench_scores"
SCHEMAS = {
    "rhythm": Schema(
        HERE / "sql" / "schema.sql",
        data.seed,
        OPENERS,
        CASES,
        TARGETS,
        {"batch-100": _EMPTY_SCORES, "copy-10k": _EMPTY_SCORES},
        {"copy-10k": 3.0, "batch-100": 2.0},
    ),
    "orders": Schema(
        HERE / "sql_orders" / "schema.sql",
        orders_data.seed,
        [
            c_orders.open_generated,
            c_orders.open_asyncpg,
            functools.partial(c_orders.open_asyncpg, name=CONTROL),
            c_orders.open_psycopg,
        ],
        orders_data.CASES,
        orders_data.TARGETS,
        orders_data.WRITES,
        {"batch-lines-100": 2.0, "batch-lines-100-unnest": 2.0},
        c_orders.check,
    ),
}


async def _slot(op: Op, seconds: float) -> tuple[float, list[float], float]:
    latencies: list[float] = []
    clock = time.perf_counter
    cpu = time.process_time()
    start = clock()
    while (now := clock()) - start < seconds:
        await op()
        latencies.append(clock() - now)
    return len(latencies) / (clock() - start), latencies, time.process_time() - cpu


async def run_case(
    schema: Schema,
    case: str,
    contenders: list[Contender],
    admin: AsyncConnection[Any],
    rounds: int,
    seconds: float,
) -> dict[str, Series]:
    runners = [c for c in contenders if case in c.ops]
    empty = schema.writes.get(case)
    for c in runners:  # warm-up: prepared statements, type caches, SQLAlchemy's compiled cache
        for _ in range(3 if empty else 50):
            await c.ops[case]()
    series = {c.name: Series() for c in runners}
    span = seconds * schema.slow.get(case, 1.0)
    for _ in range(rounds):
        random.shuffle(runners)
        for c in runners:
            if empty:
                await admin.execute(empty)
            series[c.name].add(*await _slot(c.ops[case], span))
    return series


def case_table(case: str, series: dict[str, Series]) -> list[str]:
    base = series[BASE]
    lines = [
        f"#### {case} ({len(base.trimmed)} rounds)",
        "",
        "| contender | ops/s trimmed | spread ± | ops/s raw | client CPU µs/op | p50 ms | p99 ms "
        "| ratio to asyncpg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in series.items():
        lines.append(
            f"| {name} | {s.median:,.0f} | {s.spread:.0%} | {s.raw_median:,.0f} "
            f"| {s.cpu_median_us:,.1f} | {ms(s.percentile(0.5))} | {ms(s.percentile(0.99))} "
            f"| {ratio(s, base):.2f} |"
        )
    return [*lines, ""]


def control_spread(series: dict[str, Series]) -> str:
    """The A/A control: median of its per-round ratios, their 10-90% range and min-max."""
    r = round_ratios(series[CONTROL], series[BASE])
    return (
        f"A/A {ratio(series[CONTROL], series[BASE]):.2f} "
        f"(p10-p90 {quantile(r, 0.1):.2f}-{quantile(r, 0.9):.2f}, "
        f"min-max {min(r):.2f}-{max(r):.2f})"
    )


def summary(results: Results, goals: dict[str, float]) -> list[str]:
    names = [n for n in next(iter(results.values())) if n not in (BASE, CONTROL)]
    lines = [
        "#### summary: ratio to asyncpg (median of per-round ratios, trimmed ops/s)",
        "",
        f"| case | asyncpg ops/s | {' | '.join(names)} | A/A control | target |",
        f"|---|---|{'---|' * len(names)}---|---|",
    ]
    for case, series in results.items():
        cells = [f"{ratio(series[n], series[BASE]):.2f}" if n in series else "—" for n in names]
        goal = f"≥ {goals[case]:.2f}" if case in goals else ""
        lines.append(
            f"| {case} | {series[BASE].median:,.0f} | {' | '.join(cells)} "
            f"| {control_spread(series)} | {goal} |"
        )
    return [*lines, ""]


def targets(results: Results, goals: dict[str, float]) -> list[str]:
    lines = ["#### targets (generated / asyncpg, wall clock)", ""]
    for case, goal in goals.items():
        if case in results:
            got = ratio(results[case]["generated"], results[case][BASE])
            verdict = "met" if got >= goal else "NOT met"
            lines.append(f"- {case}: {got:.3f} (target ≥ {goal:.2f}) {verdict}")
    return [*lines, ""]


async def run(schema: Schema, url: str, rounds: int, seconds: float, cases: list[str]) -> Results:
    async with await AsyncConnection.connect(url, autocommit=True) as admin:
        await schema.seed(admin)
        for zone in TIMEZONE:  # new connections pick it up
            await admin.execute(
                b"SELECT set_config('rhythm.zone', %s, false)", (zone,), prepare=False
            )
            await admin.execute(
                b"DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET TimeZone = %L', "
                b"current_database(), current_setting('rhythm.zone')); END $$"
            )
        contenders = [await open_(url) for open_ in schema.openers]
        if ONLY:
            for c in [c for c in contenders if c.name not in ONLY | {BASE, CONTROL}]:
                await c.close()
                contenders.remove(c)
        try:
            if schema.check is not None:
                await schema.check(contenders)
            results: Results = {}
            for case in cases:
                results[case] = await run_case(schema, case, contenders, admin, rounds, seconds)
                print(f"{case}: {control_spread(results[case])}", flush=True)
        finally:
            for c in contenders:
                await c.close()
    return results


def pool(runs: list[Results]) -> Results:
    pooled: Results = {}
    for results in runs:
        for case, series in results.items():
            for name, s in series.items():
                pooled.setdefault(case, {}).setdefault(name, Series()).extend(s)
    return pooled


def one_run(
    schema: Schema, url: str | None, rounds: int, seconds: float, cases: list[str], loop: str
) -> Results:
    runner = uvloop.run if loop == "uvloop" else asyncio.run
    if url:
        apply_migrations(url, schema.sql)
        return runner(run(schema, url, rounds, seconds, cases))
    with throwaway_postgres(pinning.SERVER_CORE, pinning.CLIENT_CORE) as server:
        url = server.url(DBNAME)
        apply_migrations(url, schema.sql)
        return runner(run(schema, url, rounds, seconds, cases))


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="an empty database (default: a throwaway embedded server)")
    parser.add_argument("--runs", type=int, default=1, help="pooled; each on a fresh server")
    parser.add_argument("--rounds", type=int, default=8, help="per run")
    parser.add_argument("--seconds", type=float, default=0.5, help="per contender per round")
    parser.add_argument("--schema", choices=sorted(SCHEMAS), default="rhythm")
    parser.add_argument("--timezone", help="the database's TimeZone (default: the server's)")
    parser.add_argument("--cases", default="", help="comma-separated subset (default: all)")
    parser.add_argument("--json", type=Path, help="also write the raw rounds here")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--prototypes", action="store_true", help="add c_prototype's variants")
    parser.add_argument("--only", default="", help="comma-separated contender names to keep")
    args = parser.parse_args()
    schema = SCHEMAS[args.schema]
    if args.prototypes:
        if args.schema != "rhythm":
            sys.exit("--prototypes are variants of the rhythm schema's queries")
        schema.openers.extend(PROTOTYPES)
    ONLY.update(n for n in args.only.split(",") if n)
    TIMEZONE.extend([args.timezone] if args.timezone else [])
    cases = [c for c in args.cases.split(",") if c] or list(schema.cases)
    if unknown := set(cases) - set(schema.cases):
        sys.exit(f"unknown cases: {sorted(unknown)}")
    if args.url and args.runs > 1:
        sys.exit("--runs needs the throwaway server (the data is seeded once per database)")
    print(
        f"schema={args.schema} timezone={args.timezone or 'server default'} runs={args.runs} "
        f"rounds={args.rounds} slot={args.seconds}s, "
        f"loop={args.loop}, "
        f"{pinning.describe()}, "
        f"python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    runs: list[Results] = []
    for i in range(args.runs):
        print(f"\nrun {i + 1}/{args.runs}, load average before: {_loadavg()}", flush=True)
        runs.append(one_run(schema, args.url, args.rounds, args.seconds, cases, args.loop))
    print(f"load average after: {_loadavg()}\n")
    results = pool(runs)
    for case, series in results.items():
        print("\n".join(case_table(case, series)))
    print("\n".join([*summary(results, schema.targets), *targets(results, schema.targets)]))
    if args.json is not None:
        dump = {case: {n: vars(s) for n, s in ser.items()} for case, ser in results.items()}
        args.json.write_text(json.dumps(dump))


if __name__ == "__main__":
    main()

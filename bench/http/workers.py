"""Scaling with workers: `rhythm serve` with RHYTHM_WORKERS=1 and 2, side by side.

Run: .venv/bin/python -m bench.http.workers [--rounds 5] [--seconds 5]

Nothing is pinned here: the workers, PostgreSQL and wrk share the machine's cores as they
would on a small host, and the CPU each of them used in a slot is reported, which says where
scaling stops. Both servers run for the whole run on the same throwaway database; every round
runs each (case, workers) slot once, in random order; the table shows medians over rounds and
the median of per-round ratios (2 workers ÷ 1).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common.cpu import MACHINE, CpuMeter, allow_all_cores, postmaster_pid
from bench.common.postgres import DBNAME, apply_migrations, free_port, throwaway_postgres
from bench.events.report import loadavg, machine
from bench.http import load, setup
from bench.http.servers import ROOT, server_env, wait_http

CASES = {
    "GET /api/v1/users/me": "get:/api/v1/users/me",
    "POST join + POST leave": "joinleave",
}
WORKERS = (1, 2)


@dataclass(frozen=True)
class Slot:
    result: load.Result
    cpu_share: dict[str, float]  # CPU seconds per wall second (1.0 = one core busy)


@contextmanager
def unpinned_server(url: str, workers: int) -> Iterator[tuple[int, int]]:
    """``rhythm serve`` with ``workers`` processes on any core; yields (port, pid)."""
    port = free_port()
    env = server_env(url, port, {"RHYTHM_WORKERS": str(workers)})
    proc = subprocess.Popen(
        [sys.executable, "-m", "rhythm.app.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_http(port)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(port: int, mode: str, users: Path, seconds: float) -> tuple[load.Result, float]:
    """wrk on any core, as bench.http runs it otherwise; also the CPU seconds wrk used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [
            "wrk",
            f"-t{load.CONNECTIONS}",
            f"-c{load.CONNECTIONS}",
            f"-d{seconds:g}s",
            "--latency",
            "-s",
            str(load.HERE / "wrk.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            mode,
            str(users),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return load.parse_wrk(done.stdout), cpu


def run_slot(url: str, port: int, meter: CpuMeter, mode: str, users: Path, seconds: float) -> Slot:
    if mode == "joinleave":
        setup.leave_all(url)
    meter.start()
    started = time.monotonic()
    result, wrk_cpu = wrk(port, mode, users, seconds)
    wall = time.monotonic() - started
    used = meter.stop()
    used["wrk"] = wrk_cpu
    return Slot(result, {who: cpu / wall for who, cpu in used.items()})


def report(results: dict[tuple[str, int], list[Slot]]) -> None:
    print(
        "| case | workers | req/s | spread ± | p50 ms | p99 ms | errors "
        "| CPU: server | PostgreSQL | wrk | whole machine (of 2.0) | 2 workers ÷ 1 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in CASES:
        for workers in WORKERS:
            runs = results[case, workers]
            rps = [s.result.rps for s in runs]
            med = statistics.median(rps)
            cpu = {k: statistics.median(s.cpu_share[k] for s in runs) for k in runs[0].cpu_share}
            ratio = ""
            if workers == 2:
                one = results[case, 1]
                pairs = zip(runs, one, strict=True)
                ratio = (
                    f"**{statistics.median(a.result.rps / b.result.rps for a, b in pairs):.2f}**"
                )
            print(
                f"| {case} | {workers} | {med:,.0f} | {(max(rps) - min(rps)) / 2 / med:.0%} "
                f"| {statistics.median(s.result.p50_ms for s in runs):.2f} "
                f"| {statistics.median(s.result.p99_ms for s in runs):.2f} "
                f"| {sum(s.result.errors for s in runs)} "
                f"| {cpu['server']:.2f} | {cpu['PostgreSQL']:.2f} | {cpu['wrk']:.2f} "
                f"| {cpu[MACHINE]:.2f} | {ratio} |"
            )


def run(url: str, data_dir: Path, args: argparse.Namespace, folder: Path) -> None:
    setup.seed(url)
    with unpinned_server(url, 1) as (one, one_pid), unpinned_server(url, 2) as (two, two_pid):
        users = setup.register_users(one, folder)
        servers = {1: (one, one_pid), 2: (two, two_pid)}
        meters = {
            w: CpuMeter({"server": [pid], "PostgreSQL": [postmaster_pid(data_dir)]})
            for w, (_, pid) in servers.items()
        }
        slots = [(case, w) for case in CASES for w in WORKERS]
        for case, w in slots:  # warm-up: pools, prepared statements, token caches
            run_slot(url, servers[w][0], meters[w], CASES[case], users, 1.0)
        results: dict[tuple[str, int], list[Slot]] = {slot: [] for slot in slots}
        for i in range(args.rounds):
            random.shuffle(slots)
            for case, w in slots:
                slot = run_slot(url, servers[w][0], meters[w], CASES[case], users, args.seconds)
                results[case, w].append(slot)
            print(
                f"round {i + 1}/{args.rounds} done (load {loadavg()})", file=sys.stderr, flush=True
            )
    report(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per slot per round")
    args = parser.parse_args()
    print(
        f"{machine()}\nrounds={args.rounds} slot={args.seconds:g}s, "
        f"{load.CONNECTIONS} wrk connections, nothing pinned\n"
    )
    with (
        throwaway_postgres(0, 0) as pg,
        tempfile.TemporaryDirectory(prefix="rhythm-bench-workers-") as tmp,
    ):
        # throwaway_postgres pins the server and this process; here every core is allowed.
        allow_all_cores(postmaster_pid(pg.data_dir))
        allow_all_cores(os.getpid())
        url = pg.url(DBNAME)
        apply_migrations(url)
        run(url, pg.data_dir, args, Path(tmp))
    print(f"\nload average at the end: {loadavg()}")


if __name__ == "__main__":
    main()

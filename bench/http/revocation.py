"""What checking the session and the current role on every request costs on GET /users/me.

Run: git worktree add --detach ../rhythm-before <commit before the change>
     .venv/bin/python -m bench.http.revocation --before ../rhythm-before [--rounds 5]

Both servers run on one throwaway database (migrated to the newest schema; the older code
ignores what it does not know), pinned to the same core, one at a time: each round measures
both, in random order; the table shows medians over rounds and the median of
per-round ratios.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.http import load, setup
from bench.http.servers import server

SERVER, CLIENT = pinning.SERVER_CORE, pinning.CLIENT_CORE
MODE = "get:/api/v1/users/me"


def run(url: str, before: Path, rounds: int, seconds: float, folder: Path) -> None:
    with (
        server("rhythm.app.cli", url, SERVER, PYTHONPATH=str(before / "src")) as old,
        server("rhythm.app.cli", url, SERVER) as new,
    ):
        users = setup.register_users(new, folder)
        ports = {"before": old, "after": new}
        for port in ports.values():  # warm-up: pools, prepared statements, memories
            load.wrk(port, MODE, users, 1.0, CLIENT)
        results: dict[str, list[load.Result]] = {who: [] for who in ports}
        for i in range(rounds):
            order = list(ports)
            random.shuffle(order)
            for who in order:
                results[who].append(load.wrk(ports[who], MODE, users, seconds, CLIENT))
            print(f"round {i + 1}/{rounds} done", file=sys.stderr, flush=True)
    ratios = [a.rps / b.rps for a, b in zip(results["after"], results["before"], strict=True)]
    print("| GET /api/v1/users/me | req/s (median) | p50 ms | p99 ms | errors | after / before |")
    print("|---|---|---|---|---|---|")
    for who, runs in results.items():
        print(
            f"| {who} | {statistics.median(r.rps for r in runs):,.0f} "
            f"| {statistics.median(r.p50_ms for r in runs):.2f} "
            f"| {statistics.median(r.p99_ms for r in runs):.2f} "
            f"| {sum(r.errors for r in runs)} "
            f"| {f'{statistics.median(ratios):.2f}' if who == 'after' else ''} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="checkout of the old code")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per server per round")
    args = parser.parse_args()
    with (
        throwaway_postgres(CLIENT, CLIENT) as pg,
        tempfile.TemporaryDirectory(prefix="rhythm-bench-revocation-") as tmp,
    ):
        url = pg.url(DBNAME)
        apply_migrations(url)
        run(url, args.before.resolve(), args.rounds, args.seconds, Path(tmp))


if __name__ == "__main__":
    main()

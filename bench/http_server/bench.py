"""ASGI server for production: uvicorn (uvloop + httptools) vs granian (uvloop), the real app.

Run: bench/http_server/run.sh  (or .venv/bin/python -m bench.http_server.bench --rounds 5)

One server worker pinned to core 0; wrk (Debian package `wrk`) and a throwaway embedded
PostgreSQL pinned to core 1. Both servers run the production app factory
(``rhythm.app.server:app_from_environment``, RHYTHM_ENV=production, JSON access log to /dev/null).
Endpoints: /health/live (no database) and /health/ready (one pooled query). In every round
each server is started afresh, in random order, warmed up, then measured on both endpoints.
Result: median requests/s and median p99 over the rounds, and the ratio granian / uvicorn.
"""

# Fixed command lines of our own tools (taskset, wrk, the servers); RUF100: the bench/ folder
# may or may not ignore S603/S607 project-wide.
# ruff: noqa: S603, S607, RUF100

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from rhythm.store.embedded import EmbeddedPostgres
from rhythm.store.migrate import Migrator
from tests.pg import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FACTORY = "rhythm.app.server:app_from_environment"
SERVER_CORE, CLIENT_CORE = "0", "1"
ENDPOINTS = ("/health/live", "/health/ready")


def server_command(name: str, port: int) -> list[str]:
    if name == "uvicorn":
        code = (
            "import os; from rhythm.app.server import APP_FACTORY, run_server; "
            f"run_server(APP_FACTORY, host='127.0.0.1', port={port}, "
            "log_level=os.environ['RHYTHM_LOG_LEVEL'])"
        )
        return [sys.executable, "-c", code]
    return [
        str(BIN / "granian"),
        *("--interface", "asgi", "--loop", "uvloop", "--workers", "1", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--no-access-log", FACTORY),
    ]


def wait_ready(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} not ready within {seconds}s")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
    """(requests/s, p99 ms) of one wrk run on the client core."""
    out = subprocess.run(
        [
            *("taskset", "-c", CLIENT_CORE, "wrk", "-t1", f"-c{connections}"),
            *(f"-d{seconds}s", "--latency", url),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    if rps is None or p99 is None:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return float(rps.group(1)), float(p99.group(1)) * _UNITS[p99.group(2)]


def pin_postgres(pg: EmbeddedPostgres) -> None:
    """Put the postmaster (and so every backend it forks later) on the client core."""
    pid = (pg.data_dir / "postmaster.pid").read_text().split()[0]
    subprocess.run(["taskset", "-a", "-p", "-c", CLIENT_CORE, pid], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--log-level", default="INFO", help="RHYTHM_LOG_LEVEL of the servers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")

    with tempfile.TemporaryDirectory() as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "data", free_port())
        pg.start()
        try:
            pg.ensure_database("rhythm")
            pin_postgres(pg)
            Migrator(pg.url("rhythm"), ROOT / "migrations").up()
            results = run_rounds(pg.url("rhythm"), args)
        finally:
            pg.stop()
    report(results, args)


Results = dict[tuple[str, str], list[tuple[float, float]]]


def run_rounds(database_url: str, args: argparse.Namespace) -> Results:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RHYTHM_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database_url,
        RHYTHM_ENV="production",
        RHYTHM_JWT_SECRET=secrets.token_urlsafe(48),
        RHYTHM_MIGRATE_ON_START="false",
        RHYTHM_LOG_LEVEL=args.log_level,
    )
    results: Results = {}
    servers = ["uvicorn", "granian"]
    for number in range(1, args.rounds + 1):
        random.shuffle(servers)
        for name in servers:
            port = free_port()
            proc = subprocess.Popen(
                ["taskset", "-c", SERVER_CORE, *server_command(name, port)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_ready(port)
                for path in ENDPOINTS:
                    url = f"http://127.0.0.1:{port}{path}"
                    wrk(url, 2, args.connections)  # warm-up
                    rps, p99 = wrk(url, args.seconds, args.connections)
                    results.setdefault((name, path), []).append((rps, p99))
                    print(f"round {number} {name:8} {path:14} {rps:10,.0f} req/s  p99 {p99:.2f} ms")
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    return results


def report(results: Results, args: argparse.Namespace) -> None:
    print(
        f"\n{args.rounds} rounds, wrk -t1 -c{args.connections} -d{args.seconds}s, "
        f"log level {args.log_level}, medians\n"
        "| endpoint | uvicorn req/s | granian req/s | granian / uvicorn | uvicorn p99 ms "
        "| granian p99 ms |\n|---|---|---|---|---|---|"
    )
    for path in ENDPOINTS:
        u_rps = statistics.median(r for r, _ in results[("uvicorn", path)])
        g_rps = statistics.median(r for r, _ in results[("granian", path)])
        u_p99 = statistics.median(p for _, p in results[("uvicorn", path)])
        g_p99 = statistics.median(p for _, p in results[("granian", path)])
        print(
            f"| {path} | {u_rps:,.0f} | {g_rps:,.0f} | {g_rps / u_rps:.2f} "
            f"| {u_p99:.2f} | {g_p99:.2f} |"
        )


if __name__ == "__main__":
    main()

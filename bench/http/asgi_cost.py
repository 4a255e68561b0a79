"""CPU per request of the ASGI path alone: the app vs the bare app, in one process, no server.

Run: .venv/bin/python -m bench.http.asgi_cost [--rounds 10] [--requests 2000] [--profile]

Both applications run in this process on one throwaway PostgreSQL (core 0; this process on
core 1), each with its lifespan (pool, listener) up, and are called as uvicorn calls them:
``app(scope, receive, send)``, one `GET /api/v1/users/me` at a time. What is measured is this
process's CPU time per request (`time.process_time`): everything between the server and the
database — middleware, authentication, the session check, DI, the service, the query through
psycopg, serialisation — and not uvicorn/httptools, which are the same for both. Being CPU
time, it moves far less with other processes' load than req/s does. Within a round the
contenders alternate in blocks of 50 requests, in random order; "bare again" is the bare app
under a second name (the A/A control: its ratio to "bare" is the noise). ``--profile`` prints
cProfile's view of the app's and the bare app's requests.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import uvloop
from litestar import Litestar
from litestar.testing import AsyncTestClient

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.http import setup
from bench.http.servers import server_env

PATH = "/api/v1/users/me"
BLOCK = 50
CONTROL = "bare again"
Contender = Callable[[], Any]


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


def caller(app: Litestar, headers: list[tuple[bytes, bytes]]) -> Contender:
    """One request through ``app``; raises unless it answers 200."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def call() -> None:
        status: list[int] = []

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(_scope(headers), receive, send)  # type: ignore[arg-type]
        if status != [200]:
            raise RuntimeError(f"{PATH} answered {status}")

    return call


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app) as client:  # runs the lifespan
        yield client


async def cpu_per_request(call: Contender, requests: int) -> float:
    cpu = time.process_time()
    for _ in range(requests):
        await call()
    return (time.process_time() - cpu) / requests * 1e6


async def interleaved(contenders: dict[str, Contender], requests: int) -> dict[str, float]:
    """CPU µs per request of each contender over ``requests`` requests, run in blocks of
    ``BLOCK`` that alternate in random order: a drift of the machine's speed (other processes,
    frequency) then hits every contender alike instead of whichever ran during it."""
    spent = dict.fromkeys(contenders, 0.0)
    for _ in range(max(1, requests // BLOCK)):
        order = list(contenders)
        random.shuffle(order)
        for name in order:
            spent[name] += await cpu_per_request(contenders[name], BLOCK)
    return {name: total / max(1, requests // BLOCK) for name, total in spent.items()}


def _apps(url: str) -> tuple[Litestar, Litestar]:
    """The app as `rhythm serve` builds it (access lines to /dev/null), and the bare app."""
    os.environ.update(server_env(url, 8000, {"RHYTHM_LOG_LEVEL": "INFO"}))
    # Imported once the environment names the database: the bare app reads it at import.
    from bench.http import bare_app
    from rhythm.app.factory import create_app
    from rhythm.app.logs import configure_logging
    from rhythm.app.settings import load_settings

    configure_logging("INFO", open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the run
    return create_app(load_settings()), bare_app.create_app("none")


async def _register(client: AsyncTestClient[Litestar]) -> str:
    body = {"email": "cost@bench.example", "display_name": "cost", "password": "p" * 16}
    response = await client.post("/api/v1/auth/register", json=body)
    response.raise_for_status()
    return str(response.json()["access_token"])


async def measure(url: str, rounds: int, requests: int, profile: bool) -> None:
    async with AsyncExitStack() as stack:
        app, bare = _apps(url)
        token = await _register(await stack.enter_async_context(running(app)))
        await stack.enter_async_context(running(bare))
        contenders = {
            "app": caller(app, [(b"authorization", f"Bearer {token}".encode())]),
            "bare": caller(bare, [(b"x-user-id", setup.subject(token).encode())]),
        }
        contenders[CONTROL] = contenders["bare"]  # A/A: the same calls under a second name
        for call in contenders.values():
            await cpu_per_request(call, 200)  # warm-up
        results: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, cpu in (await interleaved(contenders, requests)).items():
                results[name].append(cpu)
        _report(results)
        if profile:
            for name in ("app", "bare"):
                call = contenders[name]
                print(f"\ncProfile of {name}, {requests} requests")
                await _profile(call, requests)


def _report(results: dict[str, list[float]]) -> None:
    print("| contender | CPU µs per request (median) | min-max |")
    print("|---|---|---|")
    for name, values in results.items():
        print(
            f"| {name} | {statistics.median(values):,.1f} | {min(values):,.1f}-{max(values):,.1f} |"
        )
    for label, name in (("app", "app"), ("A/A control", CONTROL)):
        ratios = [b / a for a, b in zip(results[name], results["bare"], strict=True)]
        print(
            f"\nbare ÷ {label} (requests per CPU second, {label} ÷ bare): "
            f"{statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})"
        )


async def _profile(call: Contender, requests: int) -> None:
    profiler = cProfile.Profile()

    async def calls() -> None:
        for _ in range(requests):
            await call()

    profiler.enable()
    await calls()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=2000, help="per contender per round")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with throwaway_postgres(pinning.SERVER_CORE, pinning.CLIENT_CORE) as pg:
        url = pg.url(DBNAME)
        apply_migrations(url)
        setup.seed(url)
        # The loop the server runs (uvicorn with uvloop).
        uvloop.run(measure(url, args.rounds, args.requests, args.profile))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Where one `GET /api/v1/users/me` spends the server's time: py-spy on the app under wrk load.

Run: .venv/bin/python -m bench.http.profile [--seconds 10] [--path /api/v1/users/me]

The set-up of bench/http (throwaway PostgreSQL and wrk on core 1, the app alone on core 0,
16 connections, each its own user); py-spy (the bench extra) samples the app without pausing
it for the middle of a wrk run and prints the self time by package and the functions with the
most time under them. ``--raw FILE`` keeps the collapsed stacks.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
from pathlib import Path

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.events.profile import record, summarize
from bench.http import load, setup
from bench.http.servers import server_process

SERVER, CLIENT = pinning.SERVER_CORE, pinning.CLIENT_CORE


def profile(url: str, path: str, seconds: float, folder: Path, raw: Path) -> list[str]:
    setup.seed(url)
    with server_process("rhythm.app.cli", url, SERVER) as (port, pid):
        users = setup.register_users(port, folder)
        load.wrk(port, f"get:{path}", users, 2.0, CLIENT)  # warm-up
        result: list[load.Result] = []
        wrk = threading.Thread(
            target=lambda: result.append(
                load.wrk(port, f"get:{path}", users, seconds + 2.0, CLIENT)
            )
        )
        wrk.start()

        async def sample() -> None:
            await asyncio.sleep(1.0)
            await (await record(pid, seconds, raw)).wait()

        asyncio.run(sample())
        wrk.join()
    return [f"{path}: {result[0].rps:,.0f} req/s under the profiler", *summarize(raw, top=20)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--path", default="/api/v1/users/me")
    parser.add_argument("--raw", type=Path, help="keep py-spy's collapsed stacks here")
    args = parser.parse_args()
    with (
        throwaway_postgres(CLIENT, CLIENT) as pg,
        tempfile.TemporaryDirectory(prefix="rhythm-bench-profile-") as tmp,
    ):
        url = pg.url(DBNAME)
        apply_migrations(url)
        raw = args.raw or Path(tmp) / "stacks.txt"
        print("\n".join(profile(url, args.path, args.seconds, Path(tmp), raw)))


if __name__ == "__main__":
    main()

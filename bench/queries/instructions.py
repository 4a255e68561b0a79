"""Client-side cost per operation in CPU instructions (callgrind), immune to the machine's load.

Run: .venv/bin/python -m bench.queries.instructions [--cases get-by-key,list-100] [--ops 300]

Starts a throwaway embedded PostgreSQL (outside valgrind), seeds it, then for each contender
and case runs the client under `valgrind --tool=callgrind` twice, with a few and with
``--ops`` more operations after the same warm-up; the difference of the instruction totals,
divided by the extra operations, is what one operation costs the client: driver, event loop,
row building. The server's work is not counted. Needs valgrind (Debian package `valgrind`).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from psycopg import AsyncConnection

from bench.common import pinning
from bench.common.postgres import DBNAME, apply_migrations, throwaway_postgres
from bench.queries import data
from bench.queries.c_asyncpg import open_asyncpg
from bench.queries.c_generated import open_generated
from bench.queries.c_psycopg import open_naive, open_tuned
from bench.queries.contender import Contender

HERE = Path(__file__).resolve().parent
OPENERS: dict[str, Callable[[str], Awaitable[Contender]]] = {
    "generated": open_generated,
    "asyncpg": open_asyncpg,
    "psycopg": open_naive,
    "psycopg tuned": open_tuned,
}
FEW = 50
COLLECTED = re.compile(rb"Collected : (\d+)")


async def _client(url: str, contender: str, case: str, ops: int) -> None:
    async with await AsyncConnection.connect(url, autocommit=True) as admin:
        # insert-one's emails restart in every process: drop the previous client's rows.
        await admin.execute(b"DELETE FROM users WHERE email LIKE 'new%@bench.example'")
    chosen = await OPENERS[contender](url)
    op = chosen.ops[case]
    for _ in range(FEW + ops):
        await op()
    await chosen.close()


def _instructions(url: str, contender: str, case: str, ops: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={Path(tmp) / 'out'}",
                sys.executable,
                "-m",
                "bench.queries.instructions",
                "--client",
                url,
                contender,
                case,
                str(ops),
            ],
            capture_output=True,
            check=True,
        )
    found = COLLECTED.search(out.stderr)
    if found is None:
        raise RuntimeError(out.stderr.decode()[-2000:])
    return int(found.group(1))


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--client":
        _, _, url, contender, case, ops = sys.argv
        asyncio.run(_client(url, contender, case, int(ops)))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", default="get-by-key,list-100,join-20,insert-one")
    parser.add_argument("--contenders", default=",".join(OPENERS))
    parser.add_argument("--ops", type=int, default=300)
    args = parser.parse_args()
    with throwaway_postgres(pinning.SERVER_CORE, pinning.CLIENT_CORE) as server:
        url = server.url(DBNAME)
        apply_migrations(url, HERE / "sql" / "schema.sql")
        asyncio.run(_seed(url))
        print("| case | contender | client instructions per op | ÷ asyncpg |")
        print("|---|---|---|---|")
        for case in args.cases.split(","):
            per_op = {}
            for contender in args.contenders.split(","):
                extra = _instructions(url, contender, case, args.ops)
                base = _instructions(url, contender, case, 0)
                per_op[contender] = (extra - base) / args.ops
            for contender, n in per_op.items():
                print(f"| {case} | {contender} | {n:,.0f} | {n / per_op['asyncpg']:.2f} |")


async def _seed(url: str) -> None:
    async with await AsyncConnection.connect(url, autocommit=True) as admin:
        await data.seed(admin)


if __name__ == "__main__":
    main()

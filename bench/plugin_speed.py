"""The plugin's own cost on a 200-query project.

    .venv/bin/python -m bench.plugin_speed [--queries 200] [--rounds 5]

Two views, medians of interleaved rounds: ``sqlc generate`` with our plugin against the same
``sqlc generate`` with a plugin that only saves its request (sqlc's own time); and our plugin
alone, fed that saved request (decode the ~1 MB request, plan, emit), Python start-up included.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FILES = 10

SCHEMA = """
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    price numeric(10, 2),
    tags text[] NOT NULL DEFAULT '{}',
    mood mood,
    data jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""

QUERIES = (
    "-- name: Get{n} :one\nSELECT * FROM items WHERE id = $1;\n",
    "-- name: List{n} :many\nSELECT id, name, price FROM items WHERE mood = $1 LIMIT $2;\n",
    "-- name: Add{n} :one\nINSERT INTO items (name, price, tags, mood, data)\n"
    "VALUES ($1, $2, $3, $4, $5) RETURNING *;\n",
    "-- name: Rename{n} :execrows\nUPDATE items SET name = @name WHERE id = @id;\n",
)


def make_project(where: Path, queries: int, plugin: str) -> None:
    (where / "schema.sql").write_text(SCHEMA)
    (where / "sql").mkdir()
    for f in range(FILES):
        body = "\n".join(QUERIES[n % len(QUERIES)].format(n=n) for n in range(f, queries, FILES))
        (where / "sql" / f"q{f}.sql").write_text(body)
    (where / "sqlc.yaml").write_text(
        "version: '2'\n"
        f"plugins:\n  - name: python\n    process:\n      cmd: {plugin}\n"
        "      format: json\n"
        "sql:\n  - engine: postgresql\n    schema: schema.sql\n    queries: sql\n"
        "    codegen:\n      - plugin: python\n        out: gen\n"
        "        options: {emit_sync: true}\n"
    )


def timed(command: list[str], cwd: Path, stdin: bytes | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, input=stdin)
    return time.perf_counter() - started


def capture_plugin(where: Path) -> Path:
    """A stand-in plugin: saves the request, answers "no files"."""
    script = where / "capture.sh"
    script.write_text(f"#!/bin/sh\ncat > {where / 'request.json'}\nprintf '{{}}'\n")
    script.chmod(0o755)
    return script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sqlc = str(shutil.which("sqlc", path=str(BIN)) or "sqlc")
    plugin = str(BIN / "sqlc-gen-python")
    with tempfile.TemporaryDirectory() as tmp:
        ours, bare = Path(tmp) / "ours", Path(tmp) / "bare"
        ours.mkdir()
        bare.mkdir()
        make_project(ours, args.queries, plugin)
        make_project(bare, args.queries, str(capture_plugin(bare)))
        with_plugin, sqlc_only, plugin_only = [], [], []
        for _ in range(args.rounds):
            with_plugin.append(timed([sqlc, "generate"], ours))
            sqlc_only.append(timed([sqlc, "generate"], bare))
            request = (bare / "request.json").read_bytes()
            plugin_only.append(timed([plugin], bare, stdin=request))
        files = len(list((ours / "gen").glob("*.py")))
    g, s_, p = (statistics.median(x) for x in (with_plugin, sqlc_only, plugin_only))
    print(f"{args.queries} queries in {FILES} files -> {files} modules; request {len(request):,} B")
    print(f"sqlc generate, our plugin:        median {g:.3f} s")
    print(f"sqlc generate, capturing plugin:  median {s_:.3f} s")
    print(f"difference (our plugin's cost):   {g - s_:.3f} s")
    print(f"our plugin alone on the request:  median {p:.3f} s (Python start-up included)")


if __name__ == "__main__":
    main()

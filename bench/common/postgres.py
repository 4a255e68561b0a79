"""A throwaway embedded PostgreSQL with the app's migrations, pinned to one core."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.common.pinning import pin_self
from rhythm.store.embedded import EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[2]
DBNAME = "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def apply_migrations(url: str, *extra: Path) -> None:
    """The `migrate:up` part of every migration, then ``extra`` schema files (no dbmate needed)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for path in sorted((ROOT / "migrations").glob("*.sql")):
            conn.execute(path.read_text().split("-- migrate:down")[0].encode())
        for path in extra:
            conn.execute(path.read_bytes())


@contextmanager
def throwaway_postgres(core: int, then_core: int) -> Iterator[EmbeddedPostgres]:
    """Start a server whose processes all run on ``core``; this process moves to ``then_core``.

    The server inherits our CPU mask when pg_ctl forks it, and each backend inherits the
    postmaster's, so pinning ourselves before the start pins the whole server.
    """
    affinity = os.sched_getaffinity(0)
    with tempfile.TemporaryDirectory(prefix="rhythm-bench-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "data", free_port())
        pin_self(core)
        try:
            server.start()
        finally:
            os.sched_setaffinity(0, affinity)
        pin_self(then_core)
        try:
            server.ensure_database(DBNAME)
            yield server
        finally:
            server.stop()

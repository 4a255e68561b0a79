"""Where the database comes from: DATABASE_URL, or the embedded server in the state folder.

The embedded server belongs to the process that started it: a CLI command run while
``rhythm serve`` is serving finds the server running, uses it, and leaves it running. The
server process supervises the embedded server and brings it back if it dies.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import msgspec
from loguru import logger

from rhythm.app.settings import Settings
from rhythm.store.embedded import EmbeddedPostgres, EmbeddedPostgresError

EMBEDDED_DBNAME = "rhythm"
_WATCH_INTERVAL_S = 0.5


def embedded_server(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.state_dir / "postgres" / "data", settings.embedded_pg_port)


class EmbeddedSupervisor:
    """A thread that restarts the embedded server when it dies (readiness is 503 meanwhile)."""

    def __init__(self, server: EmbeddedPostgres, interval_s: float = _WATCH_INTERVAL_S) -> None:
        self.server = server
        self.interval_s = interval_s
        self.restarted = False
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="embedded-pg-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stopping.wait(self.interval_s):
            if not self.server.is_alive():
                self._restart()

    def _restart(self) -> None:
        logger.warning("embedded PostgreSQL in {} is gone: restarting it", self.server.data_dir)
        try:
            self.restarted = self.server.start() or self.restarted
        except EmbeddedPostgresError as exc:  # e.g. the old backends still hold shared memory
            logger.error("embedded PostgreSQL did not restart yet: {}", exc)
            return
        logger.info("embedded PostgreSQL restarted")


@contextmanager
def database(settings: Settings, *, supervise: bool = False) -> Iterator[Settings]:
    """Yield settings with a usable ``database_url``.

    On the way out, stop the embedded server only if this process started it (or restarted it
    while supervising). ``supervise`` is for the long-running server process.
    """
    if settings.database_url:
        yield settings
        return
    if settings.is_production:  # load_settings refuses this too; keep the guard next to the start
        raise RuntimeError("the embedded PostgreSQL is refused in production: set DATABASE_URL")
    server = embedded_server(settings)
    started = server.start()
    logger.info(
        "embedded PostgreSQL {} in {} (port {})",
        "started" if started else "already running, used as it is",
        server.data_dir,
        server.port,
    )
    supervisor = EmbeddedSupervisor(server) if supervise else None
    try:
        server.ensure_database(EMBEDDED_DBNAME)
        if supervisor is not None:
            supervisor.start()
        yield msgspec.structs.replace(settings, database_url=server.url(EMBEDDED_DBNAME))
    finally:
        if supervisor is not None:
            supervisor.stop()
        if started or (supervisor is not None and supervisor.restarted):
            server.stop()
            logger.info("embedded PostgreSQL stopped")
        else:
            logger.info("embedded PostgreSQL left running: another process started it")

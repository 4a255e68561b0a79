"""Where the database comes from: DATABASE_URL, or the embedded server in the state folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import msgspec
from loguru import logger

from rhythm.app.settings import Settings
from rhythm.store.embedded import EmbeddedPostgres

EMBEDDED_DBNAME = "rhythm"


def embedded_server(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.state_dir / "postgres" / "data", settings.embedded_pg_port)


@contextmanager
def database(settings: Settings) -> Iterator[Settings]:
    """Yield settings with a usable ``database_url``; stop what we started on the way out."""
    if settings.database_url:
        yield settings
        return
    if settings.is_production:  # load_settings refuses this too; keep the guard next to the start
        raise RuntimeError("the embedded PostgreSQL is refused in production: set DATABASE_URL")
    server = embedded_server(settings)
    already_running = server.is_running()
    server.start()
    logger.info(
        "embedded PostgreSQL {} in {} (port {})",
        "adopted" if already_running else "started",
        server.data_dir,
        server.port,
    )
    try:
        server.ensure_database(EMBEDDED_DBNAME)
        yield msgspec.structs.replace(settings, database_url=server.url(EMBEDDED_DBNAME))
    finally:
        server.stop()
        logger.info("embedded PostgreSQL stopped")

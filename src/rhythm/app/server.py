"""The production ASGI server: uvicorn with uvloop and httptools.

Kept over granian by the measurement in docs/benchmarks.md ("ASGI server", where the figures
are): granian's throughput lead was below the bar to switch, its tail latency on database
requests was worse, and uvicorn runs an app object in-process with a bounded graceful shutdown.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from litestar import Litestar
from litestar.types import ASGIApp
from loguru import logger

from rhythm.app.factory import create_app
from rhythm.app.logs import configure_logging
from rhythm.app.settings import load_settings

# What each worker process imports when there is more than one: a factory, not an app object,
# because an app holds a pool that must not cross a fork.
APP_FACTORY = "rhythm.app.server:app_from_environment"
ShutdownHook = Callable[[], Awaitable[None]]


def app_from_environment() -> Litestar:
    """The application built from the settings in the environment (and ``.env``).

    The parent process must have resolved the database: workers never start an embedded
    PostgreSQL, so ``DATABASE_URL`` has to be set (``rhythm serve`` sets it for them).
    """
    settings = load_settings()
    configure_logging(settings.log_level)
    if not settings.database_url:
        raise RuntimeError("a server worker needs DATABASE_URL (set by `rhythm serve`)")
    return create_app(settings)


class _DrainingServer(uvicorn.Server):
    """uvicorn, plus a hook that runs the moment shutdown begins.

    uvicorn closes open WebSockets with 1012 and waits for requests in flight before the
    application's lifespan hears anything; the hook lets the app say goodbye first (report
    not ready, close its sockets with 1001).
    """

    def __init__(self, config: uvicorn.Config, on_shutdown: ShutdownHook | None) -> None:
        super().__init__(config)
        self._on_shutdown = on_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._on_shutdown is not None:
            try:
                await asyncio.wait_for(
                    self._on_shutdown(), timeout=self.config.timeout_graceful_shutdown
                )
            except Exception:  # a failing hook must not block the shutdown
                logger.opt(exception=True).warning("shutdown hook failed")
        await super().shutdown(sockets)


def run_server(
    app: ASGIApp | str,
    *,
    host: str,
    port: int,
    workers: int = 1,
    shutdown_timeout_s: float = 10.0,
    forwarded_allow_ips: str | None = None,
    log_level: str = "INFO",
    on_shutdown: ShutdownHook | None = None,
) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, then shut down gracefully within a bound.

    ``app`` is an application, or the import string of a factory (``module:function``), which is
    required for ``workers > 1``: each worker process builds its own application. On SIGTERM the
    listening socket is closed at once, requests in flight get up to ``shutdown_timeout_s``
    seconds to finish, then the lifespan shutdown runs (pool closed).
    ``forwarded_allow_ips``: the proxies whose X-Forwarded-For is trusted (comma-separated, or
    ``*``); the client address matters for the per-address login rate limit.
    ``log_level`` must be given: uvicorn's protocol checks its logger's own level per
    connection, and an unset level (0) makes it build trace records on every request.
    """
    if workers > 1 and not isinstance(app, str):
        raise ValueError(f"workers={workers} needs an import string such as {APP_FACTORY!r}")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "lifespan": "on",
        "log_config": None,  # loguru JSON logging is configured by the caller / the factory
        "log_level": log_level.lower(),
        "access_log": False,  # our middleware writes the access line (with the request id)
        "server_header": False,
        "forwarded_allow_ips": forwarded_allow_ips,
        "timeout_graceful_shutdown": max(1, round(shutdown_timeout_s)),
    }
    if workers > 1:
        # Each worker process runs its own server; the lifespan drains each app at its end.
        uvicorn.run(app, factory=True, workers=workers, **options)
        return
    config = uvicorn.Config(app, factory=isinstance(app, str), **options)
    _DrainingServer(config, on_shutdown).run()

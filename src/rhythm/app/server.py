"""The production ASGI server: uvicorn with uvloop and httptools.

Kept over granian by the measurement in docs/benchmarks.md ("ASGI server", where the figures
are): granian's throughput lead was below the bar to switch, its tail latency on database
requests was worse, and uvicorn runs an app object in-process with a bounded graceful shutdown.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import uvicorn
from litestar import Litestar
from litestar.types import ASGIApp
from loguru import logger
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from rhythm.app.factory import create_app
from rhythm.app.logs import configure_logging
from rhythm.app.settings import load_settings
from rhythm.web.edge import MAX_HEAD_BYTES, problem_body
from rhythm.web.rooms.socket import MAX_CLIENT_FRAME_BYTES

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
    bound_request_reads(settings.request_read_timeout_s)
    if not settings.database_url:
        raise RuntimeError("a server worker needs DATABASE_URL (set by `rhythm serve`)")
    return create_app(settings)


def _refusal(status: HTTPStatus, detail: str) -> bytes:
    """A whole response, problem details, for a request refused before the app could see it."""
    body = problem_body(status, detail, None, None)
    head = (
        b"HTTP/1.1 %d %s\r\n"
        b"content-type: application/problem+json\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n"
        % (status.value, status.phrase.encode(), len(body))
    )
    return head + body


class BoundedRequestProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request head that grows past a bound and a
    request that takes too long to arrive.

    httptools has no cap of its own: it gathers a header's pieces until the header ends, so a
    head of megabytes would be held (and copied as it grows) before the application could see
    it. Here a head still incomplete after ``HEAD_BOUND`` bytes on the wire is answered 431 and
    the connection closed; a complete head below it meets the application's own check
    (``rhythm.web.edge``). At most the bound plus two socket reads are held per connection.

    uvicorn has no read timeout either: a connection that sends nothing, or a head or body a
    byte at a time, is held forever, and enough of them exhaust the process's sockets. Here a
    connection's first request, and each request after it, must arrive whole within
    ``READ_TIMEOUT_S`` of its connection or its first byte; otherwise it is answered 408 (when
    no response has begun) and the connection closed. Idle keep-alive connections keep
    uvicorn's own shorter timeout.
    """

    HEAD_BOUND = 2 * MAX_HEAD_BYTES
    READ_TIMEOUT_S = 30.0  # set per process from the settings: ``bound_request_reads``
    _REFUSAL = _refusal(
        HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, f"the request head exceeds {HEAD_BOUND} bytes"
    )
    _TOO_SLOW = _refusal(HTTPStatus.REQUEST_TIMEOUT, "the request did not arrive in time")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._head_open = False
        self._head_began = False  # a head began during the current read: not counted, lenient
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_deadline()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse (a bad Content-Length, an unknown
        method), as problem details like every other refusal instead of plain text."""
        self.transport.write(_refusal(HTTPStatus.BAD_REQUEST, msg))
        self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._head_open = self._head_began = True
        if self._read_deadline is None:
            self._arm_read_deadline()

    def on_headers_complete(self) -> None:
        self._head_open = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm_read_deadline()
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._disarm_read_deadline()  # the WebSocket protocol takes the connection over
        super().handle_websocket_upgrade()

    def data_received(self, data: bytes) -> None:
        self._head_began = False
        super().data_received(data)
        if not self._head_open or self._head_began:
            return
        self._head_bytes += len(data)
        if self._head_bytes > self.HEAD_BOUND:
            self._head_open = False
            self.transport.write(self._REFUSAL)
            self.transport.close()

    def _arm_read_deadline(self) -> None:
        self._read_deadline = self.loop.call_later(self.READ_TIMEOUT_S, self._read_too_slow)

    def _disarm_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_too_slow(self) -> None:
        self._read_deadline = None
        if self.transport.is_closing():
            return
        cycle: Any = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            cycle.keep_alive = False  # the answer under way may finish; nothing after it
            return
        if cycle is None or not cycle.response_started:
            self.transport.write(self._TOO_SLOW)
        self.transport.close()


def bound_request_reads(seconds: float) -> None:
    """This process's request read timeout (``RHYTHM_REQUEST_READ_TIMEOUT_S``)."""
    BoundedRequestProtocol.READ_TIMEOUT_S = seconds


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
    request_read_timeout_s: float = BoundedRequestProtocol.READ_TIMEOUT_S,
    on_shutdown: ShutdownHook | None = None,
) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, then shut down gracefully within a bound.

    ``app`` is an application, or the import string of a factory (``module:function``), which is
    required for ``workers > 1``: each worker process builds its own application. On SIGTERM the
    listening socket is closed at once, requests in flight get up to ``shutdown_timeout_s``
    seconds to finish, then the lifespan shutdown runs (pool closed).
    ``forwarded_allow_ips``: the proxies whose X-Forwarded-For is trusted (comma-separated, or
    ``*``); the client address matters for the per-address login rate limit.
    ``request_read_timeout_s``: how long a request may take to arrive (a worker process reads
    it from its own settings).
    ``log_level`` must be given: uvicorn's protocol checks its logger's own level per
    connection, and an unset level (0) makes it build trace records on every request.
    """
    if workers > 1 and not isinstance(app, str):
        raise ValueError(f"workers={workers} needs an import string such as {APP_FACTORY!r}")
    bound_request_reads(request_read_timeout_s)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": BoundedRequestProtocol,
        "lifespan": "on",
        "log_config": None,  # loguru JSON logging is configured by the caller / the factory
        "log_level": log_level.lower(),
        "access_log": False,  # our middleware writes the access line (with the request id)
        "server_header": False,
        "forwarded_allow_ips": forwarded_allow_ips,
        "timeout_graceful_shutdown": max(1, round(shutdown_timeout_s)),
        "ws_max_size": MAX_CLIENT_FRAME_BYTES,
    }
    if workers > 1:
        # Each worker process runs its own server; the lifespan drains each app at its end.
        uvicorn.run(app, factory=True, workers=workers, **options)
        return
    config = uvicorn.Config(app, factory=isinstance(app, str), **options)
    _DrainingServer(config, on_shutdown).run()

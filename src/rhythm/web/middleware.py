"""ASGI middleware around the whole app: request id, access log, security headers, and the
request context of the audit trail (pure ASGI, no per-request objects)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from rhythm.service.audit import RequestContext, enter_request, leave_request
from rhythm.web.access_log import ACCESS_LOG
from rhythm.web.edge import allow_head

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class RequestIds:
    """Fresh request ids: 128 bits from the OS's random source each, as 32 hex digits.

    The bits are read for ``BATCH`` ids at once, since a read per request was a system call per
    request. Each id is handed out once: ``next`` on a list iterator is atomic, so even two
    threads cannot take the same one. A forked child starts on a read of its own, never on ids
    its parent may hand out too.
    """

    BATCH = 256
    _BYTES = 16

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids: Iterator[str] = iter(())
        os.register_at_fork(after_in_child=self.reset)

    def fresh(self) -> str:
        try:
            return next(self._ids)
        except StopIteration:
            digits = os.urandom(self._BYTES * self.BATCH).hex()
            width = self._BYTES * 2
            self._ids = iter([digits[at : at + width] for at in range(0, len(digits), width)])
            return next(self._ids)

    def reset(self) -> None:
        """Forget the ids read so far (the next one comes from a new read)."""
        self._ids = iter(())


REQUEST_IDS = RequestIds()


def request_id_of(scope: Scope) -> str:
    """The client's X-Request-ID when it is sane, else a fresh one (never trust arbitrary text)."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return REQUEST_IDS.fresh()


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Give each request an id (echoed, on every log line of it and on its audit rows, with the
    client address) and one access log line."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            ACCESS_LOG.flush()  # the lifespan has ended: no line waits past shutdown
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        echoed = (REQUEST_ID_HEADER, request_id.encode())
        status = 500
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: list[Any] = list(message.get("headers", ()))
                if scope.get("method") == "OPTIONS":
                    headers = _with_route_allow(scope, headers)
                message["headers"] = [*headers, echoed, *SECURITY_HEADERS]
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status != 101:
                status = 403  # refused during the handshake
            await send(message)

        client = scope.get("client")
        # Also the request id of every log line (app/logs.py); bound without a context
        # manager object, as every request pays for it.
        bound = enter_request(RequestContext(request_id, client[0] if client else None))
        try:
            await app(scope, receive, send_with_headers)
        finally:
            ACCESS_LOG.write(
                request_id,
                str(scope.get("method", "WS")),
                scope["path"],
                status,
                round((time.perf_counter() - started) * 1000, 3),
            )
            leave_request(bound)

    return middleware


def _with_route_allow(scope: Scope, headers: list[Any]) -> list[Any]:
    """Litestar's automatic OPTIONS answer lists only the methods of the first controller method
    registered on a path (its handler keeps the route of that moment); the route knows them all.
    """
    template = scope.get("path_template")
    route = next(
        (r for r in getattr(scope.get("app"), "routes", ()) if r.path_format == template),
        None,
    )
    if route is None or not any(name.lower() == b"allow" for name, _ in headers):
        return headers
    allow = allow_head(", ".join(sorted(route.methods)).encode())
    return [(name, allow if name.lower() == b"allow" else value) for name, value in headers]

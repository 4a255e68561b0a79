"""ASGI middleware around the whole app: request id, access log, security headers, the request
context of the audit trail, and the edge of ``web/edge.py`` (pure ASGI, no per-request
objects)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from rhythm.service.audit import RequestContext, enter_request, leave_request
from rhythm.web.access_log import ACCESS_LOG
from rhythm.web.edge import HEAD_TOO_LONG, MAX_HEAD_BYTES, allow_head, send_problem

HTTP_431 = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
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


def request_id_and_head(scope: Scope) -> tuple[str, int]:
    """The request's id and the size of its target and header fields, in one pass over them.

    The id is the client's X-Request-ID when it is sane, else a fresh one (never trust arbitrary
    text); the size is what ``edge.MAX_HEAD_BYTES`` bounds.
    """
    size = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
    request_id = None
    for name, value in scope.get("headers", ()):
        size += len(name) + len(value)
        if request_id is None and name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.fullmatch(value):
            request_id = str(value.decode("ascii"))
    return (REQUEST_IDS.fresh() if request_id is None else request_id), size


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """The app's one layer outside Litestar: each request's id (echoed, on every log line of it
    and on its audit rows, with the client address), security headers and access line, and the
    edge rules of ``web/edge.py`` (431, HEAD as GET, HEAD in a 405's ``Allow``). One layer and
    one send wrapper, not one per concern: a GET pays a comparison for the HEAD rules."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            ACCESS_LOG.flush()  # the lifespan has ended: no line waits past shutdown
            return
        request_id, head_size = request_id_and_head(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        echoed = (REQUEST_ID_HEADER, request_id.encode())
        method = scope.get("method")
        status = 500
        bodiless = False  # set once the request is known to be a HEAD answered by the app
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = _answer_headers(scope, method, status, message.get("headers", ()))
                message["headers"] = [*headers, echoed, *SECURITY_HEADERS]
            elif message["type"] == "http.response.body" and bodiless:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status != 101:
                status = 403  # refused during the handshake
            await send(message)

        client = scope.get("client")
        # Also the request id of every log line (app/logs.py); no context manager object.
        bound = enter_request(RequestContext(request_id, client[0] if client else None))
        try:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send_with_headers)
            elif head_size > MAX_HEAD_BYTES:
                await send_problem(scope, send_with_headers, HTTP_431, HEAD_TOO_LONG)
            elif method == "HEAD":  # the GET route answers (web/edge.py)
                bodiless = True
                await app({**scope, "method": "GET"}, receive, send_with_headers)
            else:
                await app(scope, receive, send_with_headers)
        finally:
            ms = round((time.perf_counter() - started) * 1000, 3)
            ACCESS_LOG.write(request_id, str(scope.get("method", "WS")), scope["path"], status, ms)
            leave_request(bound)

    return middleware


def _answer_headers(scope: Scope, method: object, status: int, headers: Any) -> list[Any]:
    """The answer's own headers, with HEAD in the ``Allow`` of a 405 to a method other than GET
    and HEAD, and the route's methods in the ``Allow`` of an OPTIONS answer."""
    answer: list[Any] = list(headers)
    if status == 405 and method != "GET" and method != "HEAD":
        answer = [
            (name, allow_head(value) if name.lower() == b"allow" else value)
            for name, value in answer
        ]
    if method == "OPTIONS":
        answer = _with_route_allow(scope, answer)
    return answer


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

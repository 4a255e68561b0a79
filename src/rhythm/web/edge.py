"""Refusals at the HTTP edge, before routing: an oversized request head, a refused CORS
preflight. Both answer RFC 9457 problem details like every other error (pure ASGI)."""

from __future__ import annotations

from http import HTTPStatus

import msgspec
from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)
from msgspec import UNSET

from rhythm.web.problems import PROBLEM_MEDIA_TYPE, Problem

# The request target plus every header name and value, as the application sees them
# (docs/reliability.md, "Limits at the HTTP edge"). The server refuses a head still incomplete
# at twice this many bytes on the wire, before the application sees it (rhythm.app.server).
MAX_HEAD_BYTES = 32 * 1024
_HEAD_LONG = f"the request target and headers exceed {MAX_HEAD_BYTES} bytes"


def head_bytes(scope: Scope) -> int:
    """The size of the request target and header fields (names and values) of ``scope``."""
    target = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
    return target + sum(len(name) + len(value) for name, value in scope.get("headers", ()))


def problem_body(status: int, detail: str, instance: str | None, request_id: object) -> bytes:
    """A problem details body for an answer sent outside Litestar's exception handlers."""
    problem = Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=UNSET if instance is None else instance,
        request_id=request_id if isinstance(request_id, str) else UNSET,
    )
    return msgspec.json.encode(problem)


async def send_problem(scope: Scope, send: Send, status: int, detail: str) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body = problem_body(status, detail, scope.get("path"), request_id)
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
    }
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(start)
    await send(end)


def head_limit_middleware(app: ASGIApp) -> ASGIApp:
    """431 for an HTTP request whose target and headers exceed ``MAX_HEAD_BYTES``.

    WebSocket handshakes are left to the server's bound: the socket library caps their headers.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and head_bytes(scope) > MAX_HEAD_BYTES:
            await send_problem(scope, send, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, _HEAD_LONG)
            return
        await app(scope, receive, send)

    return middleware


def cors_problem_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar's CORS middleware refuses a preflight with a text/plain 400; this sends the same
    status and reason (``Disallowed CORS Origin``, ``... method``, ``... headers``) as a problem.

    Litestar answers every OPTIONS request carrying an Origin itself, so a 400 to one is always
    that refusal; allowed preflights and every other request pass through untouched.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != ScopeType.HTTP
            or scope["method"] != "OPTIONS"
            or not _has_origin(scope)
        ):
            await app(scope, receive, send)
            return
        refusal: list[bytes] | None = None

        async def send_as_problem(message: Message) -> None:
            nonlocal refusal
            if message["type"] == "http.response.start" and message["status"] == 400:
                refusal = []
            elif refusal is None:
                await send(message)
            elif message["type"] == "http.response.body":
                refusal.append(message.get("body", b""))
                if not message.get("more_body", False):
                    detail = b"".join(refusal).decode("utf-8", "replace")
                    await send_problem(scope, send, 400, detail)

        await app(scope, receive, send_as_problem)

    return middleware


def _has_origin(scope: Scope) -> bool:
    return any(name == b"origin" for name, _ in scope.get("headers", ()))

"""The HTTP edge, before routing: refusals of an oversized request head and of a CORS
preflight, both answered as RFC 9457 problem details like every other error, and HEAD answered
as GET without the body (pure ASGI)."""

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


def edge_middleware(app: ASGIApp) -> ASGIApp:
    """What the app does at its edge, in order: the head limit, then HEAD as GET."""
    return head_limit_middleware(head_as_get_middleware(app))


def head_as_get_middleware(app: ASGIApp) -> ASGIApp:
    """HEAD wherever GET is (RFC 9110, section 9.3.2): the GET route answers, with the same
    status and headers (Content-Length included) and no body, so authentication and every
    refusal are those of GET. A 405 lists HEAD in ``Allow`` next to GET.

    The routes declare GET only: Litestar would otherwise want a handler of its own, without a
    body, for each HEAD.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] == "GET":
            await app(scope, receive, send)
        elif scope["method"] == "HEAD":
            await app({**scope, "method": "GET"}, receive, _without_body(send))
        else:
            await app(scope, receive, _with_head_allowed(send))

    return middleware


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_head


def _with_head_allowed(send: Send) -> Send:
    async def send_allow(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 405:
            message["headers"] = [
                (name, allow_head(value) if name.lower() == b"allow" else value)
                for name, value in message.get("headers", ())
            ]
        await send(message)

    return send_allow


def allow_head(allow: bytes) -> bytes:
    """An ``Allow`` value with HEAD wherever GET is (what ``head_as_get_middleware`` answers)."""
    methods = [method.strip() for method in allow.split(b",")]
    if b"GET" in methods and b"HEAD" not in methods:
        methods.append(b"HEAD")
    return b", ".join(sorted(methods))


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

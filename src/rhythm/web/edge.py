"""The HTTP edge, before routing: refusals of an oversized request head and of a CORS
preflight, both answered as RFC 9457 problem details like every other error, and HEAD answered
as GET without the body (pure ASGI).

HEAD is answered wherever GET is (RFC 9110, section 9.3.2): the GET route answers, with the
same status and headers (Content-Length included) and no body, so authentication and every
refusal are those of GET, and a 405 lists HEAD in ``Allow`` next to GET. The routes declare GET
only: Litestar would otherwise want a handler of its own, without a body, for each HEAD. The
head limit and HEAD are applied by the app's outer layer (``web/middleware.py``), which does
them in the same pass as the request id; WebSocket handshakes are left to the server's bound
there, since the socket library caps their headers.
"""

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
# (docs/reliability.md, "Limits at the HTTP edge"), counted by
# ``rhythm.web.middleware.request_id_and_head``. The server refuses a head still incomplete
# at twice this many bytes on the wire, before the application sees it (rhythm.app.server).
MAX_HEAD_BYTES = 32 * 1024
HEAD_TOO_LONG = f"the request target and headers exceed {MAX_HEAD_BYTES} bytes"


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


def allow_head(allow: bytes) -> bytes:
    """An ``Allow`` value with HEAD wherever GET is (HEAD is answered as GET)."""
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

"""Binds the request id and client address for the audit trail, for the length of a request."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from rhythm.service.audit import RequestContext, request_context


def audit_context_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: the audit rows of a request carry its id and the client address."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state") or {}
        client = scope.get("client")
        context = RequestContext(
            request_id=state.get("request_id"),
            address=client[0] if client else None,
        )
        with request_context(context):
            await app(scope, receive, send)

    return middleware

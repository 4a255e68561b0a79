"""Authentication of every request and WebSocket, as one pure-ASGI middleware.

It runs on each route after routing (so unknown paths stay 404 and wrong methods 405) and
before the handler: the access token (``Authorization: Bearer``; on a WebSocket also
``?token=``, since browsers cannot set headers there) is verified by ``AccessTokens``, then
``SessionAccess`` says whether its session, account and role still hold, now. The caller lands
in ``scope["user"]`` (``security.current_actor``). A refusal is a 401 problem-details answer;
a refused WebSocket is accepted and closed with 4401, since a refusal during the handshake
reaches a browser as a bare 1006 with no code or reason.

A token in an HTTP query string is ignored: it would end up in caches and logs. Public paths
and routes marked ``exclude_from_auth`` skip the check; so do OPTIONS requests (CORS
preflights and Allow answers carry no credentials).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from rhythm.service.auth.revocation import SessionAccess
from rhythm.service.identity import Actor
from rhythm.web.security import (
    EXCLUDE_FROM_AUTH,
    PUBLIC_PATHS,
    WS_UNAUTHORIZED,
    bearer_credential,
    header_value,
    refuse_socket,
)
from rhythm.web.token_cache import AccessTokens, InvalidAccessTokenError

_PUBLIC = re.compile("|".join(PUBLIC_PATHS))
_AUTHORIZATION = b"authorization"
_NO_BEARER = "send the access token as 'Authorization: Bearer <token>'"
_NO_SOCKET_TOKEN = "no access token in ?token= or Authorization"  # noqa: S105 - a message
_INVALID = "invalid or expired access token"
_REFUSED = "the session has ended, or the account is disabled or deleted; log in again"


class AuthenticationMiddleware:
    """The ASGI middleware; ``authentication`` hands it to Litestar."""

    __slots__ = ("_access", "_app", "_tokens")

    def __init__(self, app: ASGIApp, tokens: AccessTokens, access: SessionAccess) -> None:
        self._app = app
        self._tokens = tokens
        self._access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            if scope["method"] != "OPTIONS" and not _is_public(scope):
                token = bearer_credential(header_value(scope, _AUTHORIZATION))
                scope["user"] = await self._caller(token, _NO_BEARER)
        elif scope["type"] == ScopeType.WEBSOCKET and not _is_public(scope):
            try:
                scope["user"] = await self._caller(*_socket_token(scope))
            except NotAuthorizedException as exc:
                await refuse_socket(receive, send, WS_UNAUTHORIZED, exc.detail)
                return
        await self._app(scope, receive, send)

    async def _caller(self, token: str | None, missing: str) -> Actor:
        if token is None:
            raise NotAuthorizedException(missing)
        try:
            claimed = self._tokens.actor(token)
        except InvalidAccessTokenError as exc:
            raise NotAuthorizedException(_INVALID) from exc
        actor = await self._access.current(claimed)
        if actor is None:
            raise NotAuthorizedException(_REFUSED)
        return actor


def authentication(tokens: AccessTokens, access: SessionAccess) -> DefineMiddleware:
    """The middleware for ``Litestar(middleware=[...])``."""
    return DefineMiddleware(AuthenticationMiddleware, tokens=tokens, access=access)


def _is_public(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    if handler is not None and handler.opt.get(EXCLUDE_FROM_AUTH):
        return True
    return _PUBLIC.match(scope["path"]) is not None


def _socket_token(scope: Scope) -> tuple[str | None, str]:
    """A WebSocket's token: the Authorization header when one is sent (then only as Bearer),
    else ``?token=``; and what to say when there is none."""
    header = header_value(scope, _AUTHORIZATION)
    if header:
        return bearer_credential(header), _NO_BEARER
    return _query_token(scope.get("query_string", b"").decode("latin-1")) or None, _NO_SOCKET_TOKEN


def _query_token(query: str) -> str:
    """The first ``token`` parameter's value, its name matched as sent: a percent-encoded name
    (``tok%65n``) would escape the redaction of tokens in logged URLs (``app/logs.redact``)."""
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "token":
            return unquote_plus(value)
    return ""

"""Access-token verification through Litestar's JWT backend, and the caller it names.

Who may do what is decided by the services (``rhythm.service.identity``), not by route guards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import (
    NotAuthorizedException,
    WebSocketException,
)
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from litestar.types import Receive, Scope, Send

from rhythm.service.auth.revocation import SessionAccess
from rhythm.service.identity import Actor, UserRole
from rhythm.web.token_cache import CachedToken

WS_UNAUTHORIZED = 4401
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")
PUBLIC_PATHS = [
    "^/health/",
    "^/schema",
    "^/api/v1/auth/(register|login|refresh)$",
    "^/api/v1/account/password-reset(/confirm)?$",
]


@dataclass(frozen=True, slots=True)
class JwtConfig:
    """How access tokens are verified; the composition root builds it from the settings."""

    algorithm: str
    verification_key: str
    issuer: str
    audience: str


async def actor_from_token(token: Token, access: SessionAccess) -> Actor | None:
    """The caller as the token names them, with their current role, if still allowed in.

    A token with odd claims authenticates no one; nor does one whose session has ended or
    whose account was disabled or deleted since it was issued (see ``SessionAccess``).
    """
    try:
        actor = Actor(
            user_id=int(token.sub),
            role=UserRole(token.extras["role"]),
            session_id=uuid.UUID(token.extras["sid"]),
        )
    except (KeyError, ValueError, TypeError):
        return None
    return await access.current(actor)


class _SocketRefused(WebSocketException):
    """Authentication of a WebSocket failed (raised before the handler runs)."""


class JWTMiddleware(JWTAuthenticationMiddleware):
    """Litestar's JWT middleware, plus ``?token=`` on WebSockets (browsers cannot set headers
    on them). Only WebSockets get this: a token in an HTTP URL would end up in caches and logs.

    A refused WebSocket is accepted and then closed with 4401: a refusal during the handshake
    reaches a browser as a bare failure (1006) with no code or reason.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except _SocketRefused as exc:
            await refuse_socket(receive, send, exc.code, exc.detail)

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        if connection.scope["type"] != ScopeType.WEBSOCKET:
            return await self._from_header(connection)
        try:
            if connection.headers.get(self.auth_header):
                return await self._from_header(connection)
            token = connection.query_params.get("token")
            if not token:
                raise NotAuthorizedException("no access token in ?token= or Authorization")
            return await self.authenticate_token(encoded_token=token, connection=connection)
        except NotAuthorizedException as exc:
            raise _SocketRefused(detail=exc.detail, code=WS_UNAUTHORIZED) from exc

    async def _from_header(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_credential(_header(connection.scope, self.auth_header))
        if token is None:
            raise NotAuthorizedException("send the access token as 'Authorization: Bearer <token>'")
        return await self.authenticate_token(encoded_token=token, connection=connection)


def _header(scope: Scope, name: str) -> str:
    """The first value of header ``name`` in the ASGI scope, or "".

    Read from the scope's list: ``connection.headers`` would build a header mapping of the
    whole request for this one lookup, on every request. ASGI servers send names lowercased.
    """
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers", ()):
        if key == wanted:
            return str(value.decode("latin-1"))
    return ""


def bearer_credential(header: str) -> str | None:
    """The credential of an ``Authorization: Bearer <credential>`` header, else None.

    Only the Bearer scheme (RFC 6750; the name is case-insensitive) carries an access token:
    ``Basic``, ``Token`` or ``Bearer:`` must not open the API.
    """
    scheme, space, credential = header.partition(" ")
    credential = credential.strip()
    if not space or scheme.lower() != "bearer" or not credential:
        return None
    return credential


async def refuse_socket(receive: Receive, send: Send, code: int, reason: str) -> None:
    """Complete the handshake, then close with ``code``: browsers only show codes after it."""
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.accept", "subprotocol": None, "headers": []})
    await send({"type": "websocket.close", "code": code, "reason": reason})


def jwt_auth(config: JwtConfig, access: SessionAccess) -> JWTAuth[Actor, Token]:
    async def retrieve_actor(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
        return await actor_from_token(token, access)

    return JWTAuth[Actor, Token](
        retrieve_user_handler=retrieve_actor,
        token_secret=config.verification_key,
        # One algorithm, pinned: "none" and HS/RS confusion are refused by PyJWT's allow-list.
        algorithm=config.algorithm,
        accepted_audiences=[config.audience],
        accepted_issuers=[config.issuer],
        require_claims=list(REQUIRED_CLAIMS),
        strict_audience=True,
        verify_expiry=True,
        verify_not_before=True,
        exclude=PUBLIC_PATHS,
        authentication_middleware_class=JWTMiddleware,
        token_cls=CachedToken,
        description="Access token from /api/v1/auth/login, sent as 'Authorization: Bearer ...'",
    )


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise NotAuthorizedException("authentication required")
    return user

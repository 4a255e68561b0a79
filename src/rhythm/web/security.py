"""Access-token verification through Litestar's JWT backend, and the role guards."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    WebSocketException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from litestar.types import Guard, Receive, Scope, Send

from rhythm.app.settings import JwtAlgorithm, Settings
from rhythm.service.access import AccessTokenIssuer
from rhythm.service.users import Actor, Role, UsersService
from rhythm.web.token_cache import CachedToken

WS_UNAUTHORIZED = 4401
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")
PUBLIC_PATHS = [
    "^/health/",
    "^/schema",
    "^/api/v1/auth/(register|login|refresh)$",
]


def signing_key(settings: Settings) -> str:
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        return settings.jwt_secret
    assert settings.jwt_private_key_file is not None  # load_settings checked it
    return Path(settings.jwt_private_key_file).read_text()


def verification_key(settings: Settings) -> str:
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        return settings.jwt_secret
    assert settings.jwt_public_key_file is not None  # load_settings checked it
    return Path(settings.jwt_public_key_file).read_text()


async def actor_from_token(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> Actor | None:
    """The caller as the token names them, if their account is still active.

    A token with odd claims authenticates no one; nor does the token of an account disabled or
    deleted since it was issued (checked within seconds, see ``UsersService.is_active``).
    """
    try:
        actor = Actor(
            user_id=int(token.sub),
            role=Role(token.extras["role"]),
            session_id=uuid.UUID(token.extras["sid"]),
        )
    except (KeyError, ValueError, TypeError):
        return None
    users: UsersService = connection.app.state.users
    return actor if await users.is_active(actor.user_id) else None


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
        token = bearer_credential(connection.headers.get(self.auth_header, ""))
        if token is None:
            raise NotAuthorizedException("send the access token as 'Authorization: Bearer <token>'")
        return await self.authenticate_token(encoded_token=token, connection=connection)


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


def jwt_auth(settings: Settings) -> JWTAuth[Actor, Token]:
    return JWTAuth[Actor, Token](
        retrieve_user_handler=actor_from_token,
        token_secret=verification_key(settings),
        # One algorithm, pinned: "none" and HS/RS confusion are refused by PyJWT's allow-list.
        algorithm=settings.jwt_algorithm.value,
        accepted_audiences=[settings.jwt_audience],
        accepted_issuers=[settings.jwt_issuer],
        require_claims=list(REQUIRED_CLAIMS),
        strict_audience=True,
        verify_expiry=True,
        verify_not_before=True,
        exclude=PUBLIC_PATHS,
        authentication_middleware_class=JWTMiddleware,
        token_cls=CachedToken,
        description="Access token from /api/v1/auth/login, sent as 'Authorization: Bearer ...'",
    )


def access_token_issuer(settings: Settings) -> AccessTokenIssuer:
    return AccessTokenIssuer(
        signing_key=signing_key(settings),
        algorithm=settings.jwt_algorithm.value,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=timedelta(seconds=settings.access_token_ttl_s),
    )


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise NotAuthorizedException("authentication required")
    return user


def requires_role(*roles: Role) -> Guard:
    """A guard answering 403 unless the caller has one of ``roles`` (401 without a token)."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if current_actor(connection).role not in allowed:
            names = " or ".join(sorted(role.value for role in allowed))
            raise PermissionDeniedException(f"this needs the {names} role")

    return guard


STAFF_ONLY = requires_role(Role.MODERATOR, Role.ADMIN)
ADMIN_ONLY = requires_role(Role.ADMIN)

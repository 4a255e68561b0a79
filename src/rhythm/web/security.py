"""What authentication rests on: the verification rules, the public paths, the bearer scheme,
and the caller a request carries once ``web.authentication`` has let it in.

Who may do what is decided by the services (``rhythm.service.identity``), not by route guards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.types import Receive, Scope, Send

from rhythm.service.identity import Actor

WS_UNAUTHORIZED = 4401
PUBLIC_PATHS = [
    "^/health/",
    "^/schema",
    "^/api/v1/auth/(register|login|refresh)$",
    "^/api/v1/account/password-reset(/confirm)?$",
]
# A route whose handler sets this in its ``opt`` brings its own check (e.g. ``/metrics``).
EXCLUDE_FROM_AUTH = "exclude_from_auth"


@dataclass(frozen=True, slots=True)
class JwtConfig:
    """How access tokens are verified; the composition root builds it from the settings."""

    algorithm: str
    verification_key: str
    issuer: str
    audience: str


def header_value(scope: Scope, name: bytes) -> str:
    """The first value of header ``name`` (lowercase) in the ASGI scope, or "".

    Read from the scope's list: a header mapping of the whole request for one lookup would be
    built on every request. ASGI servers send names lowercased.
    """
    for key, value in scope.get("headers", ()):
        if key == name:
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


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise NotAuthorizedException("authentication required")
    return user

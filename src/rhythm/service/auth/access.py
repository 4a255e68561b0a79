"""Session tokens: short-lived access JWTs (every registered claim set, algorithm pinned) and
opaque refresh tokens (random, handed to the client once, stored only as a SHA-256 hash)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

_REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccessTokenIssuer:
    """Signs access tokens; verification happens in the web layer with the matching key."""

    signing_key: str
    algorithm: str
    issuer: str
    audience: str
    ttl: timedelta
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def issue(self, *, user_id: int, role: str, session_id: uuid.UUID) -> AccessToken:
        """A token for ``user_id``; ``sid`` names the refresh-token family (the session)."""
        now = self.clock()
        expires_at = now + self.ttl
        claims = {
            "sub": str(user_id),
            "role": role,
            "sid": str(session_id),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self.signing_key, algorithm=self.algorithm)
        return AccessToken(token=token, expires_at=expires_at)


def new_refresh_token() -> tuple[str, bytes]:
    """A new token (for the client) and its hash (for the database)."""
    token = secrets.token_urlsafe(_REFRESH_TOKEN_BYTES)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> bytes:
    # A fast hash is right here: the token has 256 bits of entropy, nothing to brute-force.
    return hashlib.sha256(token.encode()).digest()

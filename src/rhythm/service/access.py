"""Access tokens: short-lived JWTs with every registered claim set and a pinned algorithm."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt


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

"""Access tokens verified with PyJWT once, then remembered until they expire.

A client sends the same access token on every request for its 15-minute life; checking the
signature and claims again each time was the largest single cost of a one-query endpoint.
One ``AccessTokens`` verifies under one fixed set of rules (its ``JwtConfig``), so a
remembered answer needs the very token string that passed those rules; expiry and not-before
are checked again on every use. Refused tokens are never remembered.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from rhythm.service.identity import Actor, UserRole
from rhythm.web.security import JwtConfig

MAX_REMEMBERED = 4096
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")


class InvalidAccessTokenError(Exception):
    """The token is malformed, forged, expired, not yet valid, or not meant for this API."""


@dataclass(frozen=True, slots=True)
class _Verified:
    actor: Actor
    expires: float
    not_before: float


class AccessTokens:
    """Verifies access tokens under ``config`` and remembers the ones that pass."""

    def __init__(self, config: JwtConfig, max_remembered: int = MAX_REMEMBERED) -> None:
        self._algorithms = [config.algorithm]  # one algorithm, pinned: never the token's own
        # Parsed once: a PEM public key is otherwise parsed again at every verification.
        self._key = jwt.get_algorithm_by_name(config.algorithm).prepare_key(config.verification_key)
        self._issuer = config.issuer
        self._audience = config.audience
        self._options: Any = {
            "require": list(REQUIRED_CLAIMS),
            "verify_signature": True,
            "verify_exp": True,
            "verify_nbf": True,
            "verify_iat": True,
            "verify_iss": True,
            "verify_aud": True,
            "strict_aud": True,  # exactly our audience: not a list that merely contains it
        }
        self._max = max_remembered
        self._verified: dict[str, _Verified] = {}

    def actor(self, token: str) -> Actor:
        """The caller ``token`` names, with the role it claims; else ``InvalidAccessTokenError``."""
        now = time.time()
        known = self._verified.get(token)
        if known is not None:
            if known.not_before <= now < known.expires:
                return known.actor
            del self._verified[token]
        verified = self._verify(token)
        if len(self._verified) >= self._max:
            del self._verified[next(iter(self._verified))]  # the oldest verified
        self._verified[token] = verified
        return verified.actor

    def _verify(self, token: str) -> _Verified:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options=self._options,
            )
        except jwt.PyJWTError as exc:
            raise InvalidAccessTokenError(str(exc)) from exc
        try:
            expires = float(claims["exp"])
            actor = Actor(
                user_id=int(claims["sub"]),
                role=UserRole(claims["role"]),
                session_id=uuid.UUID(claims["sid"]),
                token_expires=expires,
            )
            return _Verified(actor, expires, float(claims.get("nbf", 0)))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise InvalidAccessTokenError("the token's claims do not name a session") from exc

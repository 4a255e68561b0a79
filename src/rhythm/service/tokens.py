"""Opaque refresh tokens: random, handed to the client once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

_TOKEN_BYTES = 32


def new_refresh_token() -> tuple[str, bytes]:
    """A new token (for the client) and its hash (for the database)."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> bytes:
    # A fast hash is right here: the token has 256 bits of entropy, nothing to brute-force.
    return hashlib.sha256(token.encode()).digest()

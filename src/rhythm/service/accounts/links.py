"""Single-use links mailed to an address (password reset, email verification).

The link carries a random 256-bit token; the database keeps only its SHA-256 and an expiry, so
a copy of the table opens nothing. Each kind of link has its own table, whose consuming query
accepts a token once, unexpired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from rhythm.service.auth.access import hash_refresh_token, new_refresh_token


@dataclass(frozen=True, slots=True)
class NewLink:
    url: str  # goes in the mail, never in a log or the database
    token_hash: bytes
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LinkMaker:
    base: str  # the page that takes ?token=..., e.g. https://app.example/reset-password
    ttl: timedelta

    def new(self, now: datetime) -> NewLink:
        token, token_hash = new_refresh_token()
        return NewLink(f"{self.base}?token={quote(token)}", token_hash, now + self.ttl)

    @property
    def lifetime(self) -> str:
        """How long a link works, in words for the mail."""
        minutes = int(self.ttl.total_seconds() // 60)
        return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours"


def link_token_hash(token: str) -> bytes:
    """What the database keeps of a link's token."""
    return hash_refresh_token(token)

"""In-memory Queriers for service unit tests; mypy checks they satisfy the generated Protocols.

They keep rows in dictionaries and behave like the SQL they stand for, including the unique
index on lower(email). ``FakeConnection`` stands for the database handle a service receives: it
counts the transactions the service opens.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgspec

from generated import auth as auth_db
from generated import users as users_db
from store.errors import UniqueViolationError


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeConnection:
    """Stands in for a pool or connection; ``transaction(db)`` calls ``db.transaction()``."""

    begun: int = 0
    committed: int = 0
    rolled_back: int = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeConnection]:
        self.begun += 1
        try:
            yield self
        except BaseException:
            self.rolled_back += 1
            raise
        self.committed += 1


@dataclass
class FakeUsers:
    rows: dict[int, users_db.User] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def get_user_by_id(self, *, id: int) -> users_db.User | None:
        return self.rows.get(id)

    async def get_user_by_email(self, *, email: str) -> users_db.User | None:
        return next((u for u in self.rows.values() if u.email.lower() == email.lower()), None)

    async def create_user(
        self, *, email: str, display_name: str, password_hash: str, role: users_db.UserRole
    ) -> users_db.User | None:
        if await self.get_user_by_email(email=email) is not None:
            raise UniqueViolationError("duplicate email", constraint="users_email_lower_key")
        now = _now()
        user = users_db.User(
            next(self._ids), email, display_name, password_hash, role, True, now, now
        )
        self.rows[user.id] = user
        return user

    async def list_users(
        self, *, after_id: int, role: users_db.UserRole | None, page_size: int
    ) -> list[users_db.User]:
        rows = sorted(self.rows.values(), key=lambda u: u.id)
        return [u for u in rows if u.id > after_id and role in (None, u.role)][:page_size]

    async def update_display_name(self, *, display_name: str, id: int) -> users_db.User | None:
        return self._update(id, display_name=display_name)

    async def update_password_hash(self, *, password_hash: str, id: int) -> int:
        return 0 if self._update(id, password_hash=password_hash) is None else 1

    async def update_role(self, *, role: users_db.UserRole, id: int) -> users_db.User | None:
        return self._update(id, role=role)

    async def set_active(self, *, is_active: bool, id: int) -> users_db.User | None:
        return self._update(id, is_active=is_active)

    def _update(self, user_id: int, **changes: object) -> users_db.User | None:
        user = self.rows.get(user_id)
        if user is None:
            return None
        updated = msgspec.structs.replace(user, updated_at=_now(), **changes)
        self.rows[user_id] = updated
        return updated


@dataclass
class FakeTokens:
    rows: dict[int, auth_db.RefreshToken] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def insert_refresh_token(
        self, params: auth_db.InsertRefreshTokenParams
    ) -> auth_db.RefreshToken | None:
        if any(t.token_hash == params.token_hash for t in self.rows.values()):
            raise UniqueViolationError(
                "duplicate token", constraint="refresh_tokens_token_hash_key"
            )
        row = auth_db.RefreshToken(
            id=next(self._ids),
            user_id=params.user_id,
            token_hash=params.token_hash,
            family_id=params.family_id,
            issued_at=_now(),
            expires_at=params.expires_at,
            rotated_at=None,
            revoked_at=None,
            replaced_by_id=None,
            user_agent=params.user_agent,
            ip_address=params.ip_address,
        )
        self.rows[row.id] = row
        return row

    async def get_refresh_token_by_hash_for_update(
        self, *, token_hash: bytes
    ) -> auth_db.RefreshToken | None:
        return next((t for t in self.rows.values() if t.token_hash == token_hash), None)

    async def rotate_refresh_token(self, *, replaced_by_id: int | None, id: int) -> int:
        row = self.rows.get(id)
        if row is None or row.rotated_at is not None or row.revoked_at is not None:
            return 0
        self.rows[id] = msgspec.structs.replace(
            row, rotated_at=_now(), replaced_by_id=replaced_by_id
        )
        return 1

    async def revoke_refresh_token_family(self, *, family_id: uuid.UUID) -> int:
        return self._revoke(lambda t: t.family_id == family_id)

    async def revoke_user_refresh_tokens(self, *, user_id: int) -> int:
        return self._revoke(lambda t: t.user_id == user_id)

    async def revoke_other_refresh_tokens(self, *, user_id: int, keep_family_id: uuid.UUID) -> int:
        return self._revoke(lambda t: t.user_id == user_id and t.family_id != keep_family_id)

    def live(self, user_id: int) -> list[auth_db.RefreshToken]:
        return [t for t in self.rows.values() if t.user_id == user_id and t.revoked_at is None]

    def _revoke(self, match: Callable[[auth_db.RefreshToken], bool]) -> int:
        hits = [t for t in self.rows.values() if t.revoked_at is None and match(t)]
        for token in hits:
            self.rows[token.id] = msgspec.structs.replace(token, revoked_at=_now())
        return len(hits)


def _prove_protocols(users: FakeUsers, tokens: FakeTokens) -> None:
    # Type-checked, never run: mypy fails here if a fake drifts from its Querier Protocol.
    _u: users_db.Querier = users
    _t: auth_db.Querier = tokens

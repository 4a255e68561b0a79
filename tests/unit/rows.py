"""Rows the generated fake Queriers answer with, and a ``begin`` that counts transactions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from rhythm.db import auth as auth_db
from rhythm.db import users as users_db

H = TypeVar("H")
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass
class Transactions:
    """The ``begin`` a service is built with in a unit test: it yields the handle it is given
    (the fake) and counts how the service's transactions end."""

    begun: int = 0
    committed: int = 0
    rolled_back: int = 0

    def begin(self, handle: H) -> AbstractAsyncContextManager[H]:
        return self._transaction(handle)

    @asynccontextmanager
    async def _transaction(self, handle: H) -> AsyncIterator[H]:
        self.begun += 1
        try:
            yield handle
        except BaseException:
            self.rolled_back += 1
            raise
        self.committed += 1


def user(
    id: int,
    role: users_db.UserRole = users_db.UserRole.USER,
    *,
    active: bool = True,
    password_hash: str | None = None,
    verified: bool = False,
) -> users_db.User:
    return users_db.User(
        id=id,
        email=f"user{id}@example.com",
        display_name=f"user{id}",
        password_hash=password_hash or "$argon2id$not-a-real-hash",
        role=role,
        is_active=active,
        created_at=T0,
        updated_at=T0,
        deleted_at=None,
        email_verified_at=T0 if verified else None,
    )


def token(
    id: int,
    user_id: int,
    family: uuid.UUID,
    *,
    expires_at: datetime = T0 + timedelta(days=30),
    rotated: bool = False,
    revoked: bool = False,
) -> auth_db.RefreshToken:
    return auth_db.RefreshToken(
        id=id,
        user_id=user_id,
        token_hash=b"h" * 32,
        family_id=family,
        issued_at=T0,
        expires_at=expires_at,
        rotated_at=T0 if rotated else None,
        revoked_at=T0 if revoked else None,
        replaced_by_id=None,
        user_agent=None,
        ip_address=None,
    )

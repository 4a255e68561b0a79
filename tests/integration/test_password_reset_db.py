"""Password-reset links on PostgreSQL: they work only for an enabled account, and erasing the
account erases them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from rhythm.db import accounts as accounts_db
from rhythm.service.accounts.account import AccountService
from rhythm.service.accounts.password_reset import PasswordResetService, ResetPolicy
from rhythm.service.errors import RuleViolationError
from rhythm.service.identity import Actor, UserRole
from rhythm.store.pool import StorePool
from tests.integration.test_auth_db import HASHER, register, scalar
from tests.unit.mailbox import Mailbox
from tests.unit.rows import Transactions

TOKEN = "a-reset-token"


async def with_link(pool: StorePool, name: str) -> int:
    session = await register(pool, name)
    await accounts_db.Queries(pool).insert_password_reset(
        user_id=session.user.id,
        token_hash=hashlib.sha256(f"{TOKEN}-{name}".encode()).digest(),
        expires_at=datetime.now(UTC) + timedelta(minutes=30),
    )
    return session.user.id


def resets(pool: StorePool) -> PasswordResetService[StorePool]:
    policy = ResetPolicy(link_base="https://app.example/reset-password")
    return PasswordResetService(pool, hasher=HASHER, mailer=Mailbox(Transactions()), policy=policy)


async def test_a_disabled_accounts_link_resets_nothing(pool: StorePool) -> None:
    user_id = await with_link(pool, "ada")
    before = await scalar(pool, "SELECT password_hash FROM users WHERE id = %s", user_id)
    await scalar(pool, "UPDATE users SET is_active = false WHERE id = %s RETURNING id", user_id)
    with pytest.raises(RuleViolationError):
        await resets(pool).reset(token=f"{TOKEN}-ada", new_password="a brand new password")
    after = await scalar(pool, "SELECT password_hash FROM users WHERE id = %s", user_id)
    assert after == before
    consumed = await accounts_db.Queries(pool).consume_password_reset(
        token_hash=hashlib.sha256(f"{TOKEN}-ada".encode()).digest()
    )
    assert consumed is None  # the use itself checks the account, not only the look-up


async def test_erasing_an_account_erases_its_links(pool: StorePool) -> None:
    await register(pool, "admin")
    await scalar(pool, "UPDATE users SET role = 'ADMIN' RETURNING id")
    user_id = await with_link(pool, "bob")
    admin = Actor(user_id=user_id - 1, role=UserRole.ADMIN)
    await AccountService(pool, hasher=HASHER).delete_user(admin, user_id)
    assert await scalar(pool, "SELECT count(*) FROM password_resets") == 0

"""The auth and users services on a real PostgreSQL: SQL, transactions, the refresh race."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from rhythm.db import users as users_db
from rhythm.service.accounts.users import UsersService
from rhythm.service.auth.access import AccessTokenIssuer
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.auth.service import AuthPolicy, AuthService, ClientInfo, Session
from rhythm.service.errors import ConflictError, InvalidTokenError
from rhythm.service.identity import Actor, UserRole
from rhythm.store.pool import StorePool
from rhythm.store.transaction import transaction

HASHER = PasswordHasher(TEST_PARAMS)
CLIENT = ClientInfo(address="192.0.2.10", user_agent="integration")


def auth_service(db: Any) -> AuthService:
    return AuthService(
        db,
        hasher=HASHER,
        issuer=AccessTokenIssuer(
            signing_key="integration-secret-integration-secret",
            algorithm="HS256",
            issuer="it",
            audience="it",
            ttl=timedelta(minutes=15),
        ),
        policy=AuthPolicy(refresh_ttl=timedelta(days=30)),
    )


async def register(pool: StorePool, name: str) -> Session:
    return await auth_service(pool).register(
        email=f"{name}@example.com", display_name=name, password="password 123", client=CLIENT
    )


async def scalar(pool: StorePool, sql: str, *args: Any) -> Any:
    async with pool.connection() as conn:
        row = await (await conn.execute(sql, args)).fetchone()
        return None if row is None else row[0]


async def test_register_stores_hashes_not_secrets(pool: StorePool) -> None:
    session = await register(pool, "ada")
    stored_hash = await scalar(
        pool, "SELECT password_hash FROM users WHERE id = %s", session.user.id
    )
    assert stored_hash.startswith("$argon2id$")
    token_hash = await scalar(pool, "SELECT token_hash FROM refresh_tokens")
    assert session.refresh_token.encode() not in bytes(token_hash)
    assert await scalar(pool, "SELECT host(ip_address) FROM refresh_tokens") == "192.0.2.10"


async def test_email_unique_case_insensitively(pool: StorePool) -> None:
    await register(pool, "ada")
    with pytest.raises(ConflictError):
        await auth_service(pool).register(
            email="ADA@EXAMPLE.COM", display_name="x", password="password 123", client=CLIENT
        )
    assert await scalar(pool, "SELECT count(*) FROM users") == 1


async def test_concurrent_refreshes_exactly_one_wins(pool: StorePool) -> None:
    """Two requests with one token, on two connections at once: the row lock serialises them."""
    session = await register(pool, "ada")
    service = auth_service(pool)
    for _ in range(5):
        results = await asyncio.gather(
            *(
                service.refresh(refresh_token=session.refresh_token, client=CLIENT)
                for _ in range(2)
            ),
            return_exceptions=True,
        )
        winners = [r for r in results if isinstance(r, Session)]
        losers = [r for r in results if isinstance(r, InvalidTokenError)]
        assert (len(winners), len(losers)) == (1, 1), results
        # The loser presented a rotated token: the family is revoked, the winner's token too.
        with pytest.raises(InvalidTokenError):
            await service.refresh(refresh_token=winners[0].refresh_token, client=CLIENT)
        session = await service.login(
            email="ada@example.com", password="password 123", client=CLIENT
        )
    rotated = await scalar(pool, "SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NOT NULL")
    assert rotated == 5


async def test_service_joins_the_callers_transaction(pool: StorePool) -> None:
    """A service given a connection inside a transaction commits nothing on its own."""
    async with pool.connection() as conn:
        with pytest.raises(RuntimeError):
            async with transaction(conn):
                await auth_service(conn).register(
                    email="ghost@example.com",
                    display_name="ghost",
                    password="password 123",
                    client=CLIENT,
                )
                raise RuntimeError("the caller changes its mind")
    assert await scalar(pool, "SELECT count(*) FROM users") == 0
    assert await scalar(pool, "SELECT count(*) FROM refresh_tokens") == 0


async def test_disable_revokes_in_the_same_commit(pool: StorePool) -> None:
    ada = await register(pool, "ada")
    await auth_service(pool).login(email="ada@example.com", password="password 123", client=CLIENT)
    mod = await register(pool, "mod")
    await scalar(
        pool, "UPDATE users SET role = 'MODERATOR' WHERE id = %s RETURNING id", mod.user.id
    )
    users = UsersService(pool, hasher=HASHER)
    await users.set_active(Actor(mod.user.id, UserRole.MODERATOR), ada.user.id, active=False)
    live = await scalar(
        pool,
        "SELECT count(*) FROM refresh_tokens WHERE user_id = %s AND revoked_at IS NULL",
        ada.user.id,
    )
    assert live == 0


async def two_admins(pool: StorePool) -> tuple[Actor, Actor]:
    a, b = await register(pool, "a"), await register(pool, "b")
    await scalar(pool, "UPDATE users SET role = 'ADMIN' RETURNING id")
    return Actor(a.user.id, UserRole.ADMIN), Actor(b.user.id, UserRole.ADMIN)


async def active_admins(pool: StorePool) -> int:
    sql = "SELECT count(*) FROM users WHERE role = 'ADMIN' AND is_active AND deleted_at IS NULL"
    return int(await scalar(pool, sql))


@pytest.mark.parametrize("change", ["demote", "disable"])
async def test_two_admins_cannot_leave_no_active_admin(pool: StorePool, change: str) -> None:
    a, b = await two_admins(pool)
    users = UsersService(pool, hasher=HASHER)

    async def remove(actor: Actor, target: Actor) -> object:
        if change == "demote":
            return await users.set_role(actor, target.user_id, UserRole.USER)
        return await users.set_active(actor, target.user_id, active=False)

    # At once, each with a token that still says admin: one of them wins.
    results = await asyncio.gather(remove(a, b), remove(b, a), return_exceptions=True)
    assert sum(isinstance(result, ConflictError) for result in results) == 1
    assert await active_admins(pool) == 1


async def test_list_users_filters_by_role_with_null_meaning_all(pool: StorePool) -> None:
    for name in ("a", "b", "c"):
        await register(pool, name)
    await scalar(pool, "UPDATE users SET role = 'ADMIN' WHERE email = 'b@example.com' RETURNING 1")
    queries = users_db.Queries(pool)
    everyone = await queries.list_users(after_id=0, role=None, page_size=10)
    admins = await queries.list_users(after_id=0, role=users_db.UserRole.ADMIN, page_size=10)
    assert [u.email for u in everyone] == ["a@example.com", "b@example.com", "c@example.com"]
    assert [u.email for u in admins] == ["b@example.com"]
    assert admins[0].role is users_db.UserRole.ADMIN

"""AuthService rules with fake Queriers: sessions, rotation, reuse, disabled users, rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from rhythm.service.access import AccessTokenIssuer, hash_refresh_token
from rhythm.service.audit import AuditTrail
from rhythm.service.auth import AuthPolicy, AuthService, ClientInfo, Session
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    InvalidCredentialsError,
    InvalidTokenError,
    RateLimitedError,
    RuleViolationError,
)
from rhythm.service.passwords import TEST_PARAMS, Argon2Params, PasswordHasher
from tests.unit.fakes import FakeAudit, FakeConnection, FakeTokens, FakeUsers

SECRET = "unit-test-secret-unit-test-secret-0123"
CLIENT = ClientInfo(address="203.0.113.7", user_agent="pytest")
HASHER = PasswordHasher(TEST_PARAMS)


@dataclass
class World:
    service: AuthService
    db: FakeConnection
    users: FakeUsers
    tokens: FakeTokens
    now: list[datetime]
    audit: FakeAudit


def make_world(
    login_limit: int = 5, hasher: PasswordHasher = HASHER, users: FakeUsers | None = None
) -> World:
    db, tokens, audit = FakeConnection(), FakeTokens(), FakeAudit()
    users = users or FakeUsers()
    now = [datetime(2026, 11, 25, 12, 0, tzinfo=UTC)]
    service = AuthService(
        db,  # type: ignore[arg-type]
        hasher=hasher,
        issuer=AccessTokenIssuer(
            signing_key=SECRET,
            algorithm="HS256",
            issuer="rhythm-test",
            audience="rhythm-test-api",
            ttl=timedelta(minutes=15),
        ),
        policy=AuthPolicy(refresh_ttl=timedelta(days=30), login_limit=login_limit),
        users=lambda _: users,
        tokens=lambda _: tokens,
        clock=lambda: now[0],
        audit=AuditTrail(lambda _: audit),
    )
    return World(service, db, users, tokens, now, audit)


@pytest.fixture
def world() -> World:
    return make_world()


async def register(world: World, email: str = "ada@example.com") -> Session:
    return await world.service.register(
        email=email, display_name="Ada", password="correct horse", client=CLIENT
    )


def claims(session: Session) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(
        session.access.token, SECRET, algorithms=["HS256"], audience="rhythm-test-api"
    )
    return decoded


async def test_register_opens_a_session_in_one_transaction(world: World) -> None:
    session = await register(world)
    assert world.db.begun == world.db.committed == 1
    assert session.user.email == "ada@example.com"
    assert session.user.password_hash.startswith("$argon2id$")
    [stored] = world.tokens.rows.values()
    assert stored.token_hash == hash_refresh_token(session.refresh_token)
    assert session.refresh_token.encode() not in stored.token_hash
    assert str(stored.ip_address) == "203.0.113.7"
    assert stored.expires_at == world.now[0] + timedelta(days=30)
    token = claims(session)
    assert token["sub"] == str(session.user.id)
    assert token["role"] == "USER"
    assert token["sid"] == str(session.session_id)
    assert token["iss"] == "rhythm-test"
    assert {"exp", "iat", "jti", "nbf"} <= token.keys()


async def test_register_twice_is_a_conflict_case_insensitively(world: World) -> None:
    await register(world)
    with pytest.raises(ConflictError):
        await register(world, email="ADA@Example.com")


async def test_register_refuses_short_passwords(world: World) -> None:
    with pytest.raises(RuleViolationError):
        await world.service.register(
            email="b@example.com", display_name="B", password="short", client=CLIENT
        )
    assert world.users.rows == {}


async def test_login_with_the_right_password(world: World) -> None:
    await register(world)
    session = await world.service.login(
        email="ADA@example.com", password="correct horse", client=CLIENT
    )
    assert session.user.email == "ada@example.com"
    assert len(world.tokens.rows) == 2


async def test_unknown_email_and_wrong_password_look_the_same(world: World) -> None:
    await register(world)
    with pytest.raises(InvalidCredentialsError) as wrong:
        await world.service.login(email="ada@example.com", password="wrong pass", client=CLIENT)
    with pytest.raises(InvalidCredentialsError) as unknown:
        await world.service.login(email="bob@example.com", password="wrong pass", client=CLIENT)
    assert wrong.value.message == unknown.value.message


async def test_disabled_user_cannot_log_in(world: World) -> None:
    session = await register(world)
    await world.users.set_active(id=session.user.id, is_active=False)
    with pytest.raises(ForbiddenError):
        await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)


async def test_login_is_rate_limited_per_email() -> None:
    world = make_world(login_limit=3)
    await register(world)
    for _ in range(3):
        with pytest.raises(InvalidCredentialsError):
            await world.service.login(email="ada@example.com", password="nope nope", client=CLIENT)
    with pytest.raises(RateLimitedError) as limited:
        # Even the right password waits: the limiter answers before checking it.
        await world.service.login(
            email="ada@example.com",
            password="correct horse",
            client=ClientInfo(address="198.51.100.1"),
        )
    assert 1 <= limited.value.retry_after_s <= 60


async def test_login_is_rate_limited_per_client() -> None:
    world = make_world(login_limit=3)
    for n in range(3):
        with pytest.raises(InvalidCredentialsError):
            await world.service.login(email=f"u{n}@example.com", password="x" * 8, client=CLIENT)
    with pytest.raises(RateLimitedError):
        await world.service.login(email="other@example.com", password="x" * 8, client=CLIENT)


async def test_refresh_rotates_within_the_family(world: World) -> None:
    first = await register(world)
    second = await world.service.refresh(refresh_token=first.refresh_token, client=CLIENT)
    assert second.refresh_token != first.refresh_token
    assert second.session_id == first.session_id
    old = world.tokens.rows[1]
    assert old.rotated_at is not None
    assert old.replaced_by_id == 2
    third = await world.service.refresh(refresh_token=second.refresh_token, client=CLIENT)
    assert third.session_id == first.session_id


async def test_reusing_a_rotated_token_revokes_the_family(world: World) -> None:
    first = await register(world)
    other_session = await world.service.login(
        email="ada@example.com", password="correct horse", client=CLIENT
    )
    second = await world.service.refresh(refresh_token=first.refresh_token, client=CLIENT)
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token=first.refresh_token, client=CLIENT)
    # The revocation committed although the call failed...
    assert world.db.committed == world.db.begun
    # ...and the thief's fresh token is dead too, while the other session lives.
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token=second.refresh_token, client=CLIENT)
    await world.service.refresh(refresh_token=other_session.refresh_token, client=CLIENT)


async def test_expired_refresh_token(world: World) -> None:
    session = await register(world)
    world.now[0] += timedelta(days=31)
    with pytest.raises(InvalidTokenError, match="expired"):
        await world.service.refresh(refresh_token=session.refresh_token, client=CLIENT)


async def test_unknown_refresh_token(world: World) -> None:
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token="made-up-token-value", client=CLIENT)


async def test_disabled_user_refresh_fails_at_once(world: World) -> None:
    session = await register(world)
    await world.users.set_active(id=session.user.id, is_active=False)
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token=session.refresh_token, client=CLIENT)
    assert world.tokens.live(session.user.id) == []


async def test_logout_ends_only_this_session(world: World) -> None:
    first = await register(world)
    second = await world.service.login(
        email="ada@example.com", password="correct horse", client=CLIENT
    )
    await world.service.logout(session_id=first.session_id)
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token=first.refresh_token, client=CLIENT)
    await world.service.refresh(refresh_token=second.refresh_token, client=CLIENT)


async def test_logout_all(world: World) -> None:
    first = await register(world)
    await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)
    assert await world.service.logout_all(user_id=first.user.id) == 2
    assert world.tokens.live(first.user.id) == []


async def test_login_rehashes_a_password_hashed_at_another_cost(world: World) -> None:
    await register(world)
    (row,) = world.users.rows.values()
    old_hash = row.password_hash
    stronger = PasswordHasher(Argon2Params(time_cost=2, memory_cost_kib=2048, parallelism=1))
    later = make_world(hasher=stronger, users=world.users)

    await later.service.login(email="ada@example.com", password="correct horse", client=CLIENT)
    (row,) = world.users.rows.values()
    assert row.password_hash != old_hash
    assert not stronger.needs_rehash(row.password_hash)
    assert await stronger.verify(row.password_hash, "correct horse")

    # At an unchanged cost a login rewrites nothing.
    rehashed = row.password_hash
    await later.service.login(email="ada@example.com", password="correct horse", client=CLIENT)
    (row,) = world.users.rows.values()
    assert row.password_hash == rehashed

"""AuthService rules on generated fake Queriers: sessions, rotation, reuse, disabled users, rate
limits. What a rule writes (tokens, revocations, hashes) is checked on the recorded calls."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import msgspec
import pytest

from rhythm.db import auth as auth_db
from rhythm.db import users as users_db
from rhythm.db.audit.fakes import FakeQuerier as FakeAudit
from rhythm.db.auth.fakes import FakeQuerier as FakeTokens
from rhythm.db.users.fakes import FakeQuerier as FakeUsers
from rhythm.service.audit import AuditTrail
from rhythm.service.auth.access import AccessTokenIssuer, hash_refresh_token
from rhythm.service.auth.passwords import (
    TEST_PARAMS,
    Argon2Params,
    PasswordHasher,
    check_password,
)
from rhythm.service.auth.service import AuthPolicy, AuthService, ClientInfo, Session
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    InvalidCredentialsError,
    InvalidTokenError,
    RateLimitedError,
    RuleViolationError,
)
from rhythm.store.errors import UniqueViolationError
from tests.unit.rows import T0, Transactions, token, user

SECRET = "unit-test-secret-unit-test-secret-0123"
CLIENT = ClientInfo(address="203.0.113.7", user_agent="pytest")
HASHER = PasswordHasher(TEST_PARAMS)


@dataclass
class World:
    service: AuthService[FakeUsers]
    users: FakeUsers
    tokens: FakeTokens
    tx: Transactions
    audit: FakeAudit
    now: list[datetime]


def make_world(login_limit: int = 5, hasher: PasswordHasher = HASHER) -> World:
    users, tokens, tx = FakeUsers(), FakeTokens(), Transactions()
    audit = FakeAudit()
    audit.insert_audit_event.returns(None)
    now = [T0]
    service = AuthService(
        users,
        hasher=hasher,
        issuer=AccessTokenIssuer(
            signing_key=SECRET,
            algorithm="HS256",
            issuer="rhythm-test",
            audience="rhythm-test-api",
            ttl=timedelta(minutes=15),
        ),
        policy=AuthPolicy(refresh_ttl=timedelta(days=30), login_limit=login_limit),
        users=lambda fake: fake,
        tokens=lambda _: tokens,
        begin=tx.begin,
        audit=AuditTrail[FakeUsers](lambda _: audit),
        clock=lambda: now[0],
    )
    ids = itertools.count(1)
    tokens.insert_refresh_token.computes(lambda params: stored(next(ids), params))
    return World(service, users, tokens, tx, audit, now)


def stored(id: int, params: auth_db.InsertRefreshTokenParams) -> auth_db.RefreshToken:
    """The row INSERT ... RETURNING gives back for ``params``."""
    row = token(id, params.user_id, params.family_id, expires_at=params.expires_at)
    return msgspec.structs.replace(
        row,
        token_hash=params.token_hash,
        user_agent=params.user_agent,
        ip_address=params.ip_address,
    )


@pytest.fixture
def world() -> World:
    return make_world()


async def ada() -> users_db.User:
    """User 1, whose password is "correct horse"."""
    return msgspec.structs.replace(user(1), password_hash=await HASHER.hash("correct horse"))


def inserted(world: World) -> list[auth_db.InsertRefreshTokenParams]:
    return [call["params"] for call in world.tokens.insert_refresh_token.calls]


def claims(session: Session) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(
        session.access.token, SECRET, algorithms=["HS256"], audience="rhythm-test-api"
    )
    return decoded


async def test_register_opens_a_session_in_one_transaction(world: World) -> None:
    world.users.create_user.computes(
        lambda email, display_name, password_hash, role: msgspec.structs.replace(
            user(1, role), email=email, password_hash=password_hash
        )
    )
    session = await world.service.register(
        email=" ada@example.com ", display_name=" Ada ", password="correct horse", client=CLIENT
    )
    assert (world.tx.begun, world.tx.committed) == (1, 1)
    [created] = world.users.create_user.calls
    assert (created["email"], created["display_name"]) == ("ada@example.com", "Ada")
    assert created["role"] is users_db.UserRole.USER
    assert await HASHER.verify(created["password_hash"], "correct horse")
    [params] = inserted(world)
    assert params.user_id == session.user.id
    assert params.family_id == session.session_id
    assert params.token_hash == hash_refresh_token(session.refresh_token)
    assert session.refresh_token.encode() not in params.token_hash
    assert str(params.ip_address) == "203.0.113.7"
    assert params.user_agent == "pytest"
    assert params.expires_at == session.refresh_expires_at == T0 + timedelta(days=30)
    token_claims = claims(session)
    assert token_claims["sub"] == str(session.user.id)
    assert token_claims["role"] == "USER"
    assert token_claims["sid"] == str(session.session_id)
    assert token_claims["iss"] == "rhythm-test"
    assert {"exp", "iat", "jti", "nbf"} <= token_claims.keys()


async def test_register_twice_is_a_conflict(world: World) -> None:
    world.users.create_user.raises(UniqueViolationError("taken", constraint="users_email"))
    with pytest.raises(ConflictError):
        await world.service.register(
            email="ada@example.com", display_name="Ada", password="correct horse", client=CLIENT
        )
    assert inserted(world) == []
    assert world.tx.rolled_back == 1


async def test_register_refuses_short_passwords(world: World) -> None:
    with pytest.raises(RuleViolationError):
        await world.service.register(
            email="b@example.com", display_name="B", password="short", client=CLIENT
        )
    assert world.users.create_user.calls == []


async def test_login_with_the_right_password(world: World) -> None:
    world.users.get_user_by_email.returns(await ada())
    session = await world.service.login(
        email=" ADA@example.com ", password="correct horse", client=CLIENT
    )
    assert session.user.id == 1
    assert world.users.get_user_by_email.calls == [{"email": "ADA@example.com"}]
    [params] = inserted(world)
    assert params.family_id == session.session_id
    assert world.users.update_password_hash.calls == []  # same argon2 cost: nothing rewritten


async def test_unknown_email_and_wrong_password_look_the_same(world: World) -> None:
    world.users.get_user_by_email.returns_in_order(await ada(), None)
    with pytest.raises(InvalidCredentialsError) as wrong:
        await world.service.login(email="ada@example.com", password="wrong pass", client=CLIENT)
    with pytest.raises(InvalidCredentialsError) as unknown:
        await world.service.login(email="bob@example.com", password="wrong pass", client=CLIENT)
    assert wrong.value.message == unknown.value.message
    assert inserted(world) == []


async def test_disabled_user_cannot_log_in(world: World) -> None:
    world.users.get_user_by_email.returns(msgspec.structs.replace(await ada(), is_active=False))
    with pytest.raises(ForbiddenError):
        await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)
    assert inserted(world) == []


async def test_login_is_rate_limited_per_email_from_one_address() -> None:
    world = make_world(login_limit=3)
    world.users.get_user_by_email.returns(await ada())
    for _ in range(3):
        with pytest.raises(InvalidCredentialsError):
            await world.service.login(email="ada@example.com", password="nope nope", client=CLIENT)
    with pytest.raises(RateLimitedError) as limited:
        # Even the right password waits: the limiter answers before checking it.
        await world.service.login(email="ADA@example.com", password="correct horse", client=CLIENT)
    assert 1 <= limited.value.retry_after_s <= 60
    assert len(world.users.get_user_by_email.calls) == 4  # the account the counts are kept for


async def test_every_spelling_the_database_matches_counts_for_the_account() -> None:
    # PostgreSQL's lower() under a Unicode locale finds ada's account for "adİ" whose Python
    # lower() differs; the limit on the email from everywhere must count both as one.
    world = make_world(login_limit=1)  # so 10 for the email from everywhere
    world.users.get_user_by_email.returns(await ada())
    for n in range(10):
        spelling = ("ada@example.com", "ad\u0130@example.com")[n % 2]
        with pytest.raises(InvalidCredentialsError):
            address = ClientInfo(address=f"198.51.100.{n}")
            await world.service.login(email=spelling, password="nope nope", client=address)
    with pytest.raises(RateLimitedError):
        await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)


async def test_failures_from_other_addresses_do_not_lock_the_owner_out() -> None:
    world = make_world(login_limit=3)
    world.users.get_user_by_email.returns(await ada())
    for n in range(9):  # three times the limit, one failure from each of nine addresses
        with pytest.raises(InvalidCredentialsError):
            address = ClientInfo(address=f"198.51.100.{n}")
            await world.service.login(email="ada@example.com", password="nope nope", client=address)
    session = await world.service.login(
        email="ada@example.com", password="correct horse", client=CLIENT
    )
    assert session.user.id == 1


async def test_failures_from_every_address_together_are_bounded() -> None:
    world = make_world(login_limit=2)  # so 2 x 10 = 20 for the email from everywhere
    world.users.get_user_by_email.returns(await ada())
    for n in range(20):
        with pytest.raises(InvalidCredentialsError):
            address = ClientInfo(address=f"198.51.100.{n}")
            await world.service.login(email="ada@example.com", password="nope nope", client=address)
    with pytest.raises(RateLimitedError):
        await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)


async def test_login_is_rate_limited_per_client() -> None:
    world = make_world(login_limit=3)
    world.users.get_user_by_email.returns(None)
    for n in range(3):
        with pytest.raises(InvalidCredentialsError):
            await world.service.login(email=f"u{n}@example.com", password="x" * 8, client=CLIENT)
    with pytest.raises(RateLimitedError):
        await world.service.login(email="other@example.com", password="x" * 8, client=CLIENT)


async def test_refresh_rotates_within_the_family(world: World) -> None:
    family = uuid.uuid4()
    world.tokens.get_refresh_token_by_hash_for_update.returns(token(7, 1, family))
    world.users.get_user_by_id.returns(await ada())
    world.tokens.rotate_refresh_token.returns(1)
    session = await world.service.refresh(refresh_token="the-old-token", client=CLIENT)
    assert world.tokens.get_refresh_token_by_hash_for_update.calls == [
        {"token_hash": hash_refresh_token("the-old-token")}
    ]
    assert session.session_id == family
    [params] = inserted(world)
    assert params.family_id == family
    assert params.token_hash == hash_refresh_token(session.refresh_token)
    # The old token points at its successor (id 1: the first row the fake inserted).
    assert world.tokens.rotate_refresh_token.calls == [{"id": 7, "replaced_by_id": 1}]
    assert world.tokens.revoke_refresh_token_family.calls == []


async def test_reusing_a_rotated_token_revokes_the_family(world: World) -> None:
    family = uuid.uuid4()
    world.tokens.get_refresh_token_by_hash_for_update.returns(token(7, 1, family, rotated=True))
    world.users.get_user_by_id.returns(await ada())
    world.tokens.revoke_refresh_token_family.returns(2)
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token="stolen", client=CLIENT)
    assert world.tokens.revoke_refresh_token_family.calls == [{"family_id": family}]
    # The revocation committed although the call failed.
    assert (world.tx.committed, world.tx.rolled_back) == (1, 0)
    assert inserted(world) == []
    assert world.tokens.rotate_refresh_token.calls == []


async def test_expired_refresh_token(world: World) -> None:
    world.tokens.get_refresh_token_by_hash_for_update.returns(token(7, 1, uuid.uuid4()))
    world.users.get_user_by_id.returns(await ada())
    world.now[0] += timedelta(days=31)
    with pytest.raises(InvalidTokenError, match="expired"):
        await world.service.refresh(refresh_token="old", client=CLIENT)
    assert inserted(world) == []


@pytest.mark.parametrize("revoked", [True, False])
async def test_unknown_or_revoked_refresh_token(world: World, revoked: bool) -> None:
    row = token(7, 1, uuid.uuid4(), revoked=True) if revoked else None
    world.tokens.get_refresh_token_by_hash_for_update.returns(row)
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token="made-up-token-value", client=CLIENT)
    assert world.users.get_user_by_id.calls == []
    assert world.tokens.revoke_refresh_token_family.calls == []


@pytest.mark.parametrize("active", [False, None])
async def test_refresh_of_a_disabled_or_deleted_user_ends_the_family(
    world: World, active: bool | None
) -> None:
    family = uuid.uuid4()
    world.tokens.get_refresh_token_by_hash_for_update.returns(token(7, 1, family))
    row = None if active is None else msgspec.structs.replace(await ada(), is_active=active)
    world.users.get_user_by_id.returns(row)
    world.tokens.revoke_refresh_token_family.returns(1)
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token="old", client=CLIENT)
    assert world.tokens.revoke_refresh_token_family.calls == [{"family_id": family}]
    assert inserted(world) == []


async def test_logout_ends_only_this_session(world: World) -> None:
    family = uuid.uuid4()
    world.tokens.revoke_refresh_token_family.returns(1)
    await world.service.logout(session_id=family)
    assert world.tokens.revoke_refresh_token_family.calls == [{"family_id": family}]
    assert world.tokens.revoke_user_refresh_tokens.calls == []
    assert world.tx.committed == 1


async def test_logout_all(world: World) -> None:
    world.tokens.revoke_user_refresh_tokens.returns(2)
    assert await world.service.logout_all(user_id=1) == 2
    assert world.tokens.revoke_user_refresh_tokens.calls == [{"user_id": 1}]


async def test_login_rehashes_a_password_hashed_at_another_cost() -> None:
    stronger = PasswordHasher(Argon2Params(time_cost=2, memory_cost_kib=2048, parallelism=1))
    world = make_world(hasher=stronger)
    world.users.get_user_by_email.returns(await ada())  # hashed at HASHER's cost
    world.users.update_password_hash.returns(1)
    await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)
    [rewritten] = world.users.update_password_hash.calls
    assert rewritten["id"] == 1
    assert not stronger.needs_rehash(rewritten["password_hash"])
    assert await stronger.verify(rewritten["password_hash"], "correct horse")
    # At an unchanged cost a login rewrites nothing.
    again = msgspec.structs.replace(await ada(), password_hash=rewritten["password_hash"])
    world.users.get_user_by_email.returns(again)
    await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)
    assert len(world.users.update_password_hash.calls) == 1


@pytest.mark.parametrize("password", [" " * 8, "\x00" * 8, "\t\n\r \x0b\x0c\x1c\x85", "\ufeff" * 8])
def test_a_password_of_spaces_or_nul_only_is_refused(password: str) -> None:
    with pytest.raises(RuleViolationError, match="other than spaces"):
        check_password(password)
    check_password(password + "x")  # one visible character is enough


async def test_concurrent_wrong_logins_pass_only_up_to_the_limit() -> None:
    world = make_world(login_limit=3)
    world.users.get_user_by_email.returns(await ada())
    results = await asyncio.gather(
        *(
            world.service.login(email="ada@example.com", password="nope nope", client=CLIENT)
            for _ in range(10)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(result, InvalidCredentialsError) for result in results) == 3
    assert sum(isinstance(result, RateLimitedError) for result in results) == 7


async def test_a_right_password_does_not_count_against_the_limits() -> None:
    world = make_world(login_limit=2)
    world.users.get_user_by_email.returns(await ada())
    for _ in range(3):
        await world.service.login(email="ada@example.com", password="correct horse", client=CLIENT)
    with pytest.raises(InvalidCredentialsError):
        await world.service.login(email="ada@example.com", password="nope nope", client=CLIENT)

"""What several processes share through PostgreSQL: attempt limits, revocation notices,
session checks, and the pruning of refresh tokens under an advisory lock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from psycopg import AsyncConnection

from rhythm.service.auth.ratelimit import SharedAttempts
from rhythm.service.auth.revocation import ACCESS_CHANNEL, SessionAccess
from rhythm.service.auth.upkeep import UPKEEP_LOCK_KEY, Upkeep
from rhythm.service.errors import InvalidCredentialsError, InvalidTokenError, RateLimitedError
from rhythm.service.identity import Actor
from rhythm.service.identity import UserRole as Role
from rhythm.store.pool import StorePool
from tests.integration.test_auth_db import CLIENT, auth_service, register, scalar


async def test_attempts_are_counted_once_for_every_process(pool: StorePool) -> None:
    # Two limiters on one database stand for two workers or two instances.
    first, second = SharedAttempts(pool, 3, 60.0), SharedAttempts(pool, 3, 60.0)
    for limiter in (first, second, first):
        assert await second.retry_after(["k"]) is None
        await limiter.hit(["k"])
    wait = await first.retry_after(["k", "other"])
    assert wait is not None
    assert 1 <= wait <= 60
    assert await second.retry_after(["other"]) is None
    await second.reset("k")
    assert await first.retry_after(["k"]) is None


async def test_concurrent_attempts_pass_only_up_to_the_limit(pool: StorePool) -> None:
    # Each attempt is recorded before it is counted: of twenty at once, at most three pass (a
    # burst may see all twenty before any is taken back, and then none passes).
    limiter = SharedAttempts(pool, 3, 60.0)
    waits = await asyncio.gather(*(limiter.take(["k"]) for _ in range(20)))
    passed = sum(wait is None for wait in waits)
    assert passed <= 3
    # The refused were taken back: the passed hold their places, the rest are free.
    assert await scalar(pool, "SELECT count(*) FROM auth_attempts WHERE key = 'k'") == passed
    for _ in range(3 - passed):
        assert await limiter.take(["k"]) is None
    assert await limiter.take(["k"]) is not None
    await limiter.forgive(["k"])  # a forgiven attempt frees its place
    assert await limiter.take(["k"]) is None


async def test_concurrent_wrong_logins_pass_only_up_to_the_limit(pool: StorePool) -> None:
    await register(pool, "ada")
    service = auth_service(pool)
    service._login_attempts = SharedAttempts(pool, 3, 60.0)  # as the app wires it
    service._email_attempts = service._login_attempts.with_limit(30)
    results = await asyncio.gather(
        *(
            service.login(email="ada@example.com", password="wrong password", client=CLIENT)
            for _ in range(12)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(result, InvalidCredentialsError) for result in results) <= 3
    assert sum(isinstance(result, RateLimitedError) for result in results) >= 9


async def test_registrations_are_limited_per_address(pool: StorePool) -> None:
    service = auth_service(pool)
    service._registrations = SharedAttempts(pool, 2, 3600.0)  # as the app wires it
    for name in ("a", "b"):
        await service.register(
            email=f"{name}@example.com", display_name=name, password="password 123", client=CLIENT
        )
    with pytest.raises(RateLimitedError):
        await service.register(
            email="c@example.com", display_name="c", password="password 123", client=CLIENT
        )
    assert await scalar(pool, "SELECT count(*) FROM users") == 2


class Listener:
    """A listener that is up since ``since`` (or down); SessionAccess asks it."""

    def __init__(self, since: float | None) -> None:
        self.since = since

    def listening_since(self) -> float | None:
        return self.since


async def test_revocations_and_role_changes_are_notified_at_commit(
    pool: StorePool, database_url: str
) -> None:
    session = await register(pool, "ada")
    async with await AsyncConnection.connect(database_url, autocommit=True) as listener:
        await listener.execute(f"LISTEN {ACCESS_CHANNEL}")
        await auth_service(pool).refresh(refresh_token=session.refresh_token, client=CLIENT)
        async with pool.connection() as conn:
            await conn.execute(
                "UPDATE users SET display_name = 'x' WHERE id = %s", [session.user.id]
            )
        assert await _payloads(listener) == []  # rotation and a new name change no right
        async with pool.connection() as conn:
            await conn.execute("UPDATE users SET role = 'ADMIN' WHERE id = %s", [session.user.id])
        await auth_service(pool).logout(session_id=session.session_id)
        assert await _payloads(listener) == [str(session.user.id)] * 2


async def _payloads(conn: AsyncConnection[Any]) -> list[str]:
    return [n.payload async for n in conn.notifies(timeout=0.5)]


async def test_session_access_reads_the_current_role_and_forgets_on_notice(pool: StorePool) -> None:
    session = await register(pool, "ada")
    now = [100.0]
    access = SessionAccess(pool, listener=Listener(since=50.0), clock=lambda: now[0])
    actor = Actor(user_id=session.user.id, role=Role.ADMIN, session_id=session.session_id)
    assert await access.current(actor) == Actor(actor.user_id, Role.USER, actor.session_id)

    await auth_service(pool).logout(session_id=session.session_id)
    now[0] += 30  # listener up since before the read: the memory holds until told
    assert await access.current(actor) is not None
    access.forget_user(session.user.id)
    assert await access.current(actor) is None


async def test_without_the_listener_memories_last_only_the_short_bound(pool: StorePool) -> None:
    session = await register(pool, "ada")
    now = [100.0]
    listener = Listener(since=None)
    access = SessionAccess(pool, listener=listener, untrusted_s=1.0, clock=lambda: now[0])
    actor = Actor(user_id=session.user.id, role=Role.USER, session_id=session.session_id)
    assert await access.current(actor) == actor
    await auth_service(pool).logout(session_id=session.session_id)
    now[0] += 0.5
    assert await access.current(actor) == actor  # within the bound: remembered
    now[0] += 0.6
    assert await access.current(actor) is None  # beyond it: read again
    listener.since = 200.0  # a reconnect does not vouch for what was read before it
    now[0] = 300.0
    assert await access.current(actor) is None


async def test_refresh_tokens_stay_bounded_under_a_loop_of_refreshes(pool: StorePool) -> None:
    session = await register(pool, "ada")
    service = auth_service(pool)
    upkeep = Upkeep(pool, refresh_grace_s=0, attempts_keep_s=3600)
    token, counts = session.refresh_token, []
    for round_ in range(1, 121):
        token = (await service.refresh(refresh_token=token, client=CLIENT)).refresh_token
        if round_ % 20 == 0:
            assert await scalar(pool, "SELECT count(*) FROM refresh_tokens") == 21
            result = await upkeep.run_once()
            assert result is not None
            assert result.refresh_tokens == 20
            counts.append(await scalar(pool, "SELECT count(*) FROM refresh_tokens"))
    assert counts == [1] * 6
    await service.refresh(refresh_token=token, client=CLIENT)  # the session lives on


async def test_a_rotated_token_within_the_grace_still_revokes_its_family(pool: StorePool) -> None:
    session = await register(pool, "ada")
    service = auth_service(pool)
    new = await service.refresh(refresh_token=session.refresh_token, client=CLIENT)
    result = await Upkeep(pool, refresh_grace_s=3600, attempts_keep_s=3600).run_once()
    assert result is not None
    assert result.refresh_tokens == 0
    with pytest.raises(InvalidTokenError):
        await service.refresh(refresh_token=session.refresh_token, client=CLIENT)
    with pytest.raises(InvalidTokenError):  # reuse detected: the whole family ended
        await service.refresh(refresh_token=new.refresh_token, client=CLIENT)


async def test_one_instance_prunes_at_a_time(pool: StorePool, database_url: str) -> None:
    upkeep = Upkeep(pool, refresh_grace_s=0, attempts_keep_s=3600)
    async with await AsyncConnection.connect(database_url) as other:
        await other.execute("SELECT pg_advisory_xact_lock(%s)", [UPKEEP_LOCK_KEY])
        assert await upkeep.run_once() is None  # another instance is pruning
        await other.rollback()
    assert await upkeep.run_once() is not None
    results = await asyncio.gather(*(upkeep.run_once() for _ in range(4)))
    assert any(r is not None for r in results)

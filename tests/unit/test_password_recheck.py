"""PasswordRecheck: wrong answers are limited per account, even when they arrive together."""

from __future__ import annotations

import asyncio

import pytest

from rhythm.db.audit.fakes import FakeQuerier as FakeAudit
from rhythm.service.audit import AuditTrail
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.auth.ratelimit import MemoryAttempts
from rhythm.service.auth.recheck import PasswordRecheck
from rhythm.service.errors import ForbiddenError, RateLimitedError
from rhythm.service.identity import Actor, UserRole
from tests.unit.rows import user

HASHER = PasswordHasher(TEST_PARAMS)
ACTOR = Actor(user_id=1, role=UserRole.USER)


def recheck(limit: int) -> PasswordRecheck[FakeAudit]:
    audit = FakeAudit()
    audit.insert_audit_event.returns(None)
    return PasswordRecheck(
        audit,
        hasher=HASHER,
        audit=AuditTrail[FakeAudit](lambda fake: fake),
        attempts=MemoryAttempts(limit, 60.0),
    )


async def test_concurrent_wrong_answers_pass_only_up_to_the_limit() -> None:
    checker = recheck(limit=3)
    account = user(1, password_hash=await HASHER.hash("the right one"))
    results = await asyncio.gather(
        *(checker.require(ACTOR, account, "wrong guess", action="test") for _ in range(10)),
        return_exceptions=True,
    )
    assert sum(isinstance(result, ForbiddenError) for result in results) == 3
    assert sum(isinstance(result, RateLimitedError) for result in results) == 7


async def test_right_answers_do_not_count() -> None:
    checker = recheck(limit=1)
    account = user(1, password_hash=await HASHER.hash("the right one"))
    for _ in range(3):
        await checker.require(ACTOR, account, "the right one", action="test")
    with pytest.raises(ForbiddenError):
        await checker.require(ACTOR, account, "wrong guess", action="test")

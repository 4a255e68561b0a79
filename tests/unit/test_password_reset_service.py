"""Password reset and the mailer with fakes: same answer, limits, single use, expiry, retries."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import cast

import aiosmtplib
import pytest

from rhythm.service.audit import AuditTrail
from rhythm.service.errors import RateLimitedError, RuleViolationError
from rhythm.service.identity import UserRole
from rhythm.service.mail import Mail, Mailer
from rhythm.service.password_reset import PasswordResetService, ResetPolicy
from rhythm.store.transaction import AsyncDB
from tests.unit.fakes import FakeAudit, FakeConnection, FakeResets, FakeTokens, FakeUsers
from tests.unit.test_accounts_service import World as AccountsWorld
from tests.unit.test_accounts_service import add_token
from tests.unit.test_users_service import HASHER, make_user


class Recorder:
    """A transport that fails ``failures`` times, then keeps what it is given."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.delivered: list[EmailMessage] = []

    async def deliver(self, message: EmailMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise aiosmtplib.SMTPConnectError("mail server down")
        self.delivered.append(message)


async def no_pause(_: float) -> None:
    return None


class World:
    def __init__(self, limit: int = 3) -> None:
        self.users, self.tokens, self.audit = FakeUsers(), FakeTokens(), FakeAudit()
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        self.resets = FakeResets(now=lambda: self.now)
        self.transport = Recorder()
        self.mailer = Mailer(self.transport, sender="rhythm <no-reply@test>", sleep=no_pause)
        self.service = PasswordResetService(
            cast(AsyncDB, FakeConnection()),
            hasher=HASHER,
            mailer=self.mailer,
            policy=ResetPolicy(link_base="https://app.test/reset-password", limit=limit),
            audit=AuditTrail(lambda _: self.audit),
            users=lambda _: self.users,
            tokens=lambda _: self.tokens,
            resets=lambda _: self.resets,
            clock=lambda: self.now,
        )

    async def link_token(self) -> str:
        await self.mailer.drain()
        body = self.transport.delivered[-1].get_content()
        found = re.search(r"https://app\.test/reset-password\?token=(\S+)", body)
        assert found is not None, body
        return found.group(1)


async def test_a_reset_mails_a_single_use_link_and_ends_every_session() -> None:
    world = World()
    ada = await make_user(world.users, "ada")
    sessions = AccountsWorld(users=world.users, tokens=world.tokens)
    await add_token(sessions, ada, uuid.uuid4(), world.now, "laptop")
    await world.service.request(email="ADA@example.com", client_address="203.0.113.1")
    token = await world.link_token()
    assert world.transport.delivered[-1]["To"] == "ada@example.com"
    assert token.encode() not in b"".join(world.resets.rows)  # only the hash is kept
    await world.service.reset(token=token, new_password="a brand new password")
    assert await HASHER.verify(world.users.rows[ada.id].password_hash, "a brand new password")
    assert world.tokens.live(ada.id) == []
    assert world.audit.types() == ["password.reset"]
    with pytest.raises(RuleViolationError):
        await world.service.reset(token=token, new_password="yet another password")


async def test_unknown_or_disabled_accounts_get_the_same_answer_and_no_mail() -> None:
    world = World()
    ada = await make_user(world.users, "ada")
    await world.users.set_active(id=ada.id, is_active=False)
    await world.service.request(email="nobody@example.com", client_address=None)
    await world.service.request(email="ada@example.com", client_address=None)
    await world.mailer.drain()
    assert world.transport.delivered == []
    assert world.resets.rows == {}


async def test_links_expire_after_30_minutes_and_a_weak_password_is_refused() -> None:
    world = World()
    await make_user(world.users, "ada", UserRole.USER)
    await world.service.request(email="ada@example.com", client_address=None)
    token = await world.link_token()
    with pytest.raises(RuleViolationError, match="password"):
        await world.service.reset(token=token, new_password="short")
    world.now += timedelta(minutes=30, seconds=1)
    with pytest.raises(RuleViolationError, match="expired"):
        await world.service.reset(token=token, new_password="long enough now")


async def test_requests_are_limited_per_email_and_per_address() -> None:
    world = World(limit=2)
    for address in ("198.51.100.1", "198.51.100.2"):
        await world.service.request(email="x@example.com", client_address=address)
    with pytest.raises(RateLimitedError):
        await world.service.request(email="X@example.com", client_address="198.51.100.3")
    for n in range(2):
        await world.service.request(email=f"{n}@example.com", client_address="198.51.100.9")
    with pytest.raises(RateLimitedError):
        await world.service.request(email="other@example.com", client_address="198.51.100.9")


async def test_the_mailer_retries_and_then_gives_up() -> None:
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    flaky = Recorder(failures=2)
    mailer = Mailer(flaky, sender="s@test", attempts=3, first_pause_s=0.5, sleep=pause)
    mailer.send(Mail(to="a@example.com", subject="hi", body="there"))
    await mailer.drain()
    assert len(flaky.delivered) == 1
    assert pauses == [0.5, 1.0]
    down = Recorder(failures=10)
    mailer = Mailer(down, sender="s@test", attempts=3, sleep=no_pause)
    mailer.send(Mail(to="a@example.com", subject="hi", body="there"))
    await mailer.drain()
    assert down.delivered == []
    assert down.failures == 7

"""PasswordResetService on generated fake Queriers: the same answer for unknown addresses, the
limits, the link stored only as a hash, the mail only after the commit, the reset itself."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import unquote

import pytest

from rhythm.db.accounts.fakes import FakeQuerier as FakeResets
from rhythm.db.audit.fakes import FakeQuerier as FakeAudit
from rhythm.db.auth.fakes import FakeQuerier as FakeTokens
from rhythm.db.users.fakes import FakeQuerier as FakeUsers
from rhythm.service.accounts.password_reset import PasswordResetService, ResetPolicy
from rhythm.service.audit import AuditTrail
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.errors import RateLimitedError, RuleViolationError
from rhythm.store.errors import StoreError
from tests.unit.mailbox import Mailbox
from tests.unit.rows import T0, Transactions, user

HASHER = PasswordHasher(TEST_PARAMS)
NEW_PASSWORD = "a brand new password"


@dataclass
class World:
    service: PasswordResetService[FakeUsers]
    users: FakeUsers
    tokens: FakeTokens
    resets: FakeResets
    audit: FakeAudit
    tx: Transactions
    mail: Mailbox


@pytest.fixture
def world() -> World:
    users, tokens, resets, audit = FakeUsers(), FakeTokens(), FakeResets(), FakeAudit()
    tx = Transactions()
    mail = Mailbox(tx)
    audit.insert_audit_event.returns(None)
    resets.insert_password_reset.returns(None)
    resets.live_password_reset.returns(7)
    service = PasswordResetService(
        users,
        hasher=HASHER,
        mailer=mail,
        policy=ResetPolicy(link_base="https://app.example/reset-password", limit=2),
        audit=AuditTrail[FakeUsers](lambda _: audit),
        users=lambda fake: fake,
        tokens=lambda _: tokens,
        resets=lambda _: resets,
        begin=tx.begin,
        clock=lambda: T0,
    )
    return World(service, users, tokens, resets, audit, tx, mail)


async def test_a_link_is_stored_as_a_hash_and_mailed_after_the_commit(world: World) -> None:
    world.users.get_user_by_email.returns(user(1))
    await world.service.request(email=" User1@example.com ", client_address="10.0.0.1")
    assert world.users.get_user_by_email.calls == [{"email": "User1@example.com"}]
    [stored] = world.resets.insert_password_reset.calls
    token = unquote(world.mail.token())
    assert stored == {
        "user_id": 1,
        "token_hash": hashlib.sha256(token.encode()).digest(),
        "expires_at": T0 + timedelta(minutes=30),
    }
    mail = world.mail.only()
    assert mail.to == "user1@example.com"
    assert "https://app.example/reset-password?token=" in mail.body
    assert "30 minutes" in mail.body
    assert world.mail.sent[0][1] == 1  # handed over once the transaction had committed


async def test_unknown_or_disabled_addresses_get_the_same_answer_and_no_mail(world: World) -> None:
    world.users.get_user_by_email.returns_in_order(None, user(2, active=False))
    await world.service.request(email="nobody@example.com", client_address="a")
    await world.service.request(email="user2@example.com", client_address="b")
    assert len(world.users.get_user_by_email.calls) == 2
    assert world.resets.insert_password_reset.calls == []
    assert world.mail.sent == []


async def test_requests_are_limited_per_email_whatever_its_case(world: World) -> None:
    world.users.get_user_by_email.returns(None)
    await world.service.request(email="ada@example.com", client_address="a")
    await world.service.request(email="ADA@example.com", client_address="b")
    with pytest.raises(RateLimitedError):
        await world.service.request(email="Ada@Example.com", client_address="c")
    assert len(world.users.get_user_by_email.calls) == 3


async def test_requests_are_limited_per_account_however_the_database_matched_it(
    world: World,
) -> None:
    # PostgreSQL's lower() under a Unicode locale finds lisa's account for "lİsa", whose
    # Python lower() differs: the count is the account's, not the typed text's.
    world.users.get_user_by_email.returns(user(1, active=False))
    await world.service.request(email="lisa@example.com", client_address="a")
    await world.service.request(email="l\u0130sa@example.com", client_address="b")
    with pytest.raises(RateLimitedError):
        await world.service.request(email="LISA@example.com", client_address="c")


async def test_requests_are_limited_per_client_address(world: World) -> None:
    world.users.get_user_by_email.returns(None)
    await world.service.request(email="a@example.com", client_address="10.0.0.9")
    await world.service.request(email="b@example.com", client_address="10.0.0.9")
    with pytest.raises(RateLimitedError):
        await world.service.request(email="c@example.com", client_address="10.0.0.9")


async def test_no_mail_when_the_transaction_fails(world: World) -> None:
    world.users.get_user_by_email.returns(user(1))
    world.resets.insert_password_reset.raises(StoreError("database gone"))
    with pytest.raises(StoreError):
        await world.service.request(email="user1@example.com", client_address="a")
    assert world.mail.sent == []
    assert world.tx.rolled_back == 1


async def test_reset_uses_the_link_sets_the_password_ends_sessions_and_audits(world: World) -> None:
    world.resets.consume_password_reset.returns(7)
    world.resets.expire_password_resets.returns(1)
    world.users.update_password_hash.returns(1)
    world.tokens.revoke_user_refresh_tokens.returns(3)
    world.users.mark_email_verified.returns(None)  # already verified
    await world.service.reset(token="the-token", new_password=NEW_PASSWORD)
    assert world.resets.consume_password_reset.calls == [
        {"token_hash": hashlib.sha256(b"the-token").digest()}
    ]
    assert world.resets.expire_password_resets.calls == [{"user_id": 7}]
    [written] = world.users.update_password_hash.calls
    assert written["id"] == 7
    assert await HASHER.verify(written["password_hash"], NEW_PASSWORD)
    assert world.tokens.revoke_user_refresh_tokens.calls == [{"user_id": 7}]
    [event] = [call["params"] for call in world.audit.insert_audit_event.calls]
    assert (event.event_type, event.actor_id, event.target_id, event.details) == (
        "password.reset",
        None,
        7,
        {},
    )
    # Neither the token, its hash nor the password reaches the trail.
    recorded = repr(world.audit.insert_audit_event.calls)
    assert "the-token" not in recorded
    assert NEW_PASSWORD not in recorded
    assert (world.tx.begun, world.tx.committed) == (1, 1)


async def test_a_link_used_meanwhile_changes_nothing(world: World) -> None:
    world.resets.consume_password_reset.returns(None)  # live when looked up, gone at the use
    with pytest.raises(RuleViolationError):
        await world.service.reset(token="spent", new_password=NEW_PASSWORD)
    assert world.users.update_password_hash.calls == []
    assert world.tokens.revoke_user_refresh_tokens.calls == []
    assert world.audit.insert_audit_event.calls == []
    assert world.tx.rolled_back == 1


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(TEST_PARAMS)
        self.hashed = 0

    async def hash(self, password: str) -> str:
        self.hashed += 1
        return await super().hash(password)


async def test_an_unknown_used_or_expired_link_costs_no_hash(world: World) -> None:
    hasher = CountingHasher()
    world.service._hasher = hasher
    world.resets.live_password_reset.returns(None)
    with pytest.raises(RuleViolationError):
        await world.service.reset(token="made-up", new_password=NEW_PASSWORD)
    assert hasher.hashed == 0
    assert world.resets.live_password_reset.calls == [
        {"token_hash": hashlib.sha256(b"made-up").digest()}
    ]
    assert world.resets.consume_password_reset.calls == []
    assert world.tx.begun == 0


async def test_uses_of_links_are_limited_per_client_address(world: World) -> None:
    world.resets.live_password_reset.returns(None)
    for _ in range(20):
        with pytest.raises(RuleViolationError):
            await world.service.reset(
                token="x", new_password=NEW_PASSWORD, client_address="9.9.9.9"
            )
    with pytest.raises(RateLimitedError):
        await world.service.reset(token="x", new_password=NEW_PASSWORD, client_address="9.9.9.9")
    assert len(world.resets.live_password_reset.calls) == 20  # the refusal looks nothing up
    with pytest.raises(RuleViolationError):  # another address is not held back
        await world.service.reset(token="x", new_password=NEW_PASSWORD, client_address="8.8.8.8")


async def test_a_weak_new_password_is_refused_before_the_link_is_used(world: World) -> None:
    with pytest.raises(RuleViolationError):
        await world.service.reset(token="t", new_password="short")
    assert world.resets.consume_password_reset.calls == []
    assert world.tx.begun == 0


async def test_a_reset_proves_the_current_address(world: World) -> None:
    world.resets.consume_password_reset.returns(7)
    world.resets.expire_password_resets.returns(0)
    world.users.update_password_hash.returns(1)
    world.tokens.revoke_user_refresh_tokens.returns(0)
    world.users.mark_email_verified.returns(7)
    await world.service.reset(token="the-token", new_password=NEW_PASSWORD)
    assert world.users.mark_email_verified.calls == [{"id": 7}]
    events = [call["params"] for call in world.audit.insert_audit_event.calls]
    assert [(e.event_type, e.target_id, e.details) for e in events] == [
        ("password.reset", 7, {}),
        ("email.verified", 7, {"by": "password reset"}),
    ]

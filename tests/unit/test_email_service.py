"""EmailService on generated fake Queriers: the link mailed on sign-up (through AuthService's
hook) and on request, using it, changing the address; what is written, refused and audited,
and that every mail leaves only after its transaction committed."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import msgspec
import pytest

from rhythm.db import users as users_db
from rhythm.db.accounts.fakes import FakeQuerier as FakeLinks
from rhythm.db.audit.fakes import FakeQuerier as FakeAudit
from rhythm.db.auth.fakes import FakeQuerier as FakeTokens
from rhythm.db.users.fakes import FakeQuerier as FakeUsers
from rhythm.service.accounts.email import EmailService, VerificationPolicy
from rhythm.service.audit import AuditTrail
from rhythm.service.auth.access import AccessTokenIssuer
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.auth.service import AuthPolicy, AuthService
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    NotAuthenticatedError,
    RateLimitedError,
    RuleViolationError,
)
from rhythm.service.identity import Actor, UserRole
from rhythm.store.errors import UniqueViolationError
from tests.unit.mailbox import Mailbox
from tests.unit.rows import T0, Transactions, user
from tests.unit.test_auth_service import CLIENT, SECRET, stored

HASHER = PasswordHasher(TEST_PARAMS)
PASSWORD = "the owner's password"
BASE = "https://app.example/verify-email"


@dataclass
class World:
    service: EmailService[FakeUsers]
    users: FakeUsers
    links: FakeLinks
    audit: FakeAudit
    tx: Transactions
    mail: Mailbox

    def audited(self) -> list[Any]:
        return [call["params"] for call in self.audit.insert_audit_event.calls]


def make_world(*, required: bool = True) -> World:
    users, links, audit, tx = FakeUsers(), FakeLinks(), FakeAudit(), Transactions()
    mail = Mailbox(tx)
    audit.insert_audit_event.returns(None)
    links.insert_email_verification.returns(None)
    service = EmailService(
        users,
        hasher=HASHER,
        mailer=mail,
        policy=VerificationPolicy(link_base=BASE, required=required, limit=2),
        audit=AuditTrail[FakeUsers](lambda _: audit),
        users=lambda fake: fake,
        links=lambda _: links,
        begin=tx.begin,
        clock=lambda: T0,
    )
    return World(service, users, links, audit, tx, mail)


@pytest.fixture
def world() -> World:
    return make_world()


def actor(id: int, session: uuid.UUID | None = None) -> Actor:
    return Actor(user_id=id, role=UserRole.USER, session_id=session)


def sha(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def auth_service(world: World) -> AuthService[FakeUsers]:
    tokens = FakeTokens()
    tokens.insert_refresh_token.computes(lambda params: stored(1, params))
    issuer = AccessTokenIssuer(
        signing_key=SECRET, algorithm="HS256", issuer="t", audience="t", ttl=timedelta(minutes=5)
    )
    return AuthService(
        world.users,
        hasher=HASHER,
        issuer=issuer,
        policy=AuthPolicy(refresh_ttl=timedelta(days=1)),
        users=lambda fake: fake,
        tokens=lambda _: tokens,
        begin=world.tx.begin,
        audit=AuditTrail[FakeUsers](lambda _: world.audit),
        on_registered=world.service.on_registered,
    )


async def register(world: World) -> None:
    await auth_service(world).register(
        email="ada@example.com", display_name="Ada", password=PASSWORD, client=CLIENT
    )


async def test_sign_up_stores_a_link_to_the_address_and_mails_it_after_the_commit(
    world: World,
) -> None:
    world.users.create_user.computes(
        lambda email, display_name, password_hash, role: msgspec.structs.replace(
            user(1), email=email
        )
    )
    await register(world)
    [(mail, committed)] = world.mail.sent
    assert (mail.to, committed) == ("ada@example.com", 1)
    assert f"{BASE}?token=" in mail.body
    assert "48 hours" in mail.body
    assert world.links.insert_email_verification.calls == [
        {
            "user_id": 1,
            "email": "ada@example.com",
            "token_hash": sha(unquote(world.mail.token())),
            "expires_at": T0 + timedelta(hours=48),
        }
    ]


async def test_a_sign_up_that_fails_mails_nothing(world: World) -> None:
    world.users.create_user.raises(UniqueViolationError("taken", constraint="users_email"))
    with pytest.raises(ConflictError):
        await register(world)
    assert world.mail.sent == []
    assert world.links.insert_email_verification.calls == []


async def test_without_the_setting_sign_up_mails_nothing() -> None:
    world = make_world(required=False)
    world.users.create_user.returns(user(1))
    await register(world)
    assert world.mail.sent == []
    assert world.links.insert_email_verification.calls == []
    assert world.tx.committed == 1


async def test_resend_mails_a_new_link_to_the_current_address(world: World) -> None:
    world.users.get_user_by_id.returns(user(4))
    await world.service.resend(actor(4))
    [call] = world.links.insert_email_verification.calls
    assert (call["user_id"], call["email"]) == (4, "user4@example.com")
    assert call["token_hash"] == sha(unquote(world.mail.token()))
    assert world.mail.sent[0][1] == 1  # after the commit


async def test_resend_is_limited_per_account(world: World) -> None:
    world.users.get_user_by_id.returns(user(4))
    await world.service.resend(actor(4))
    await world.service.resend(actor(4))
    with pytest.raises(RateLimitedError):
        await world.service.resend(actor(4))
    assert len(world.mail.sent) == 2
    world.users.get_user_by_id.returns(user(5))
    await world.service.resend(actor(5))  # another account has its own count
    assert len(world.mail.sent) == 3


async def test_resend_refuses_verified_and_gone_accounts(world: World) -> None:
    world.users.get_user_by_id.returns_in_order(user(4, verified=True), None)
    with pytest.raises(ConflictError):
        await world.service.resend(actor(4))
    with pytest.raises(NotAuthenticatedError):
        await world.service.resend(actor(4))
    assert world.links.insert_email_verification.calls == []
    assert world.mail.sent == []


async def test_verify_uses_the_callers_link_once_and_audits(world: World) -> None:
    world.links.consume_email_verification.returns(1)
    world.users.mark_email_verified.returns_in_order(4, None)
    await world.service.verify(actor(4), token="tok")
    assert world.links.consume_email_verification.calls == [
        {"token_hash": sha("tok"), "user_id": 4}
    ]
    assert world.users.mark_email_verified.calls == [{"id": 4}]
    [event] = world.audited()
    assert (event.event_type, event.actor_id, event.target_id, event.details) == (
        "email.verified",
        4,
        4,
        {"by": "link"},
    )
    assert "tok" not in repr(world.audit.insert_audit_event.calls)
    # A second valid link of an already verified address changes nothing worth an event.
    await world.service.verify(actor(4), token="tok2")
    assert len(world.audited()) == 1


async def test_an_unknown_used_expired_or_foreign_link_verifies_nothing(world: World) -> None:
    world.links.consume_email_verification.returns(0)
    with pytest.raises(RuleViolationError):
        await world.service.verify(actor(4), token="tok")
    assert world.users.mark_email_verified.calls == []
    assert world.audited() == []
    assert world.tx.rolled_back == 1


def set_change(world: World, owner: users_db.User) -> None:
    world.users.get_user_by_id.returns(owner)
    world.users.change_email.computes(
        lambda email, id: msgspec.structs.replace(owner, email=email, email_verified_at=None)
    )
    world.links.expire_password_resets.returns(1)


async def test_change_email_unverifies_links_the_new_address_and_tells_the_old(
    world: World,
) -> None:
    owner = user(4, password_hash=await HASHER.hash(PASSWORD), verified=True)
    set_change(world, owner)
    session = uuid.uuid4()
    changed = await world.service.change_email(
        actor(4, session), new_email=" new@example.com ", password=PASSWORD
    )
    assert (changed.email, changed.email_verified_at) == ("new@example.com", None)
    assert world.users.change_email.calls == [{"id": 4, "email": "new@example.com"}]
    assert world.links.expire_password_resets.calls == [{"user_id": 4}]
    [link] = world.links.insert_email_verification.calls
    assert (link["user_id"], link["email"]) == (4, "new@example.com")
    [event] = world.audited()
    assert (event.event_type, event.actor_id, event.target_id, event.session_id) == (
        "email.changed",
        4,
        4,
        session,
    )
    assert event.details == {}
    assert PASSWORD not in repr(world.audit.insert_audit_event.calls)
    notice, verification = world.mail.sent
    assert (notice[0].to, notice[1]) == ("user4@example.com", 1)
    assert "new@example.com" in notice[0].body
    assert "?token=" not in notice[0].body  # the old address gets no link
    assert (verification[0].to, verification[1]) == ("new@example.com", 1)
    assert link["token_hash"] == sha(unquote(world.mail.token(1)))


async def test_without_the_setting_a_change_only_tells_the_old_address() -> None:
    world = make_world(required=False)
    set_change(world, user(4, password_hash=await HASHER.hash(PASSWORD)))
    await world.service.change_email(actor(4), new_email="new@example.com", password=PASSWORD)
    assert world.links.insert_email_verification.calls == []
    assert [mail.to for mail, _ in world.mail.sent] == ["user4@example.com"]


async def test_change_email_refusals(world: World) -> None:
    set_change(world, user(4, password_hash=await HASHER.hash(PASSWORD)))
    with pytest.raises(ForbiddenError):
        await world.service.change_email(actor(4), new_email="n@example.com", password="wrong")
    with pytest.raises(RuleViolationError):
        await world.service.change_email(actor(4), new_email="USER4@example.com", password=PASSWORD)
    assert world.tx.begun == 0
    world.users.change_email.raises(UniqueViolationError("taken", constraint="users_email"))
    with pytest.raises(ConflictError):
        await world.service.change_email(actor(4), new_email="taken@example.com", password=PASSWORD)
    assert world.tx.rolled_back == 1
    # Only the wrong password is audited (as a failed check); nothing changed.
    assert [(e.event_type, e.details) for e in world.audited()] == [
        ("password.check_failed", {"action": "email change"})
    ]
    assert world.mail.sent == []

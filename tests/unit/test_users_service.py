"""UsersService rules on generated fake Queriers: profile, password change, roles, disabling,
paging. What a rule writes is checked on the calls the fakes recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import msgspec
import pytest

from rhythm.db import users as users_db
from rhythm.db.audit.fakes import FakeQuerier as FakeAudit
from rhythm.db.auth.fakes import FakeQuerier as FakeTokens
from rhythm.db.users.fakes import FakeNotSetError
from rhythm.db.users.fakes import FakeQuerier as FakeUsers
from rhythm.service.accounts.users import UsersService
from rhythm.service.audit import AuditTrail
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
    RuleViolationError,
)
from rhythm.service.identity import Actor, UserRole
from rhythm.store.errors import UniqueViolationError
from tests.unit.rows import Transactions, user

HASHER = PasswordHasher(TEST_PARAMS)
ADMIN, MOD, USER = users_db.UserRole.ADMIN, users_db.UserRole.MODERATOR, users_db.UserRole.USER


@dataclass
class World:
    service: UsersService[FakeUsers]
    users: FakeUsers
    tokens: FakeTokens
    tx: Transactions
    audit: FakeAudit


def make_world() -> World:
    users, tokens, tx = FakeUsers(), FakeTokens(), Transactions()
    audit = FakeAudit()
    audit.insert_audit_event.returns(None)
    users.lock_active_admins.returns([100, 101])  # other admins remain
    service = UsersService(
        users,
        hasher=HASHER,
        users=lambda fake: fake,
        tokens=lambda _: tokens,
        begin=tx.begin,
        audit=AuditTrail[FakeUsers](lambda _: audit),
    )
    return World(service, users, tokens, tx, audit)


@pytest.fixture
def world() -> World:
    return make_world()


def actor(row: users_db.User, session: uuid.UUID | None = None) -> Actor:
    return Actor(user_id=row.id, role=UserRole(row.role), session_id=session)


async def test_me_of_disabled_or_deleted_account(world: World) -> None:
    ada = user(1)
    world.users.get_user_by_id.returns_in_order(ada, user(1, active=False), None)
    assert (await world.service.me(actor(ada))).id == ada.id
    for _ in range(2):
        with pytest.raises(NotAuthenticatedError):
            await world.service.me(actor(ada))
    assert world.users.get_user_by_id.calls == [{"id": 1}] * 3


async def test_change_display_name(world: World) -> None:
    ada = user(1)
    renamed = msgspec.structs.replace(ada, display_name="Countess")
    world.users.get_user_by_id.returns(ada)
    world.users.update_display_name.returns(renamed)
    assert (await world.service.update_profile(actor(ada), display_name="Countess")) == renamed
    assert world.users.update_display_name.calls == [{"id": 1, "display_name": "Countess"}]
    assert world.users.update_password_hash.calls == []
    assert (world.tx.begun, world.tx.committed) == (1, 1)


async def test_password_change_needs_the_current_password(world: World) -> None:
    ada = user(1, password_hash=await HASHER.hash("old password"))
    world.users.get_user_by_id.returns(ada)
    with pytest.raises(ForbiddenError):
        await world.service.update_profile(actor(ada), new_password="new password 1")
    with pytest.raises(ForbiddenError):
        await world.service.update_profile(
            actor(ada), current_password="wrong", new_password="new password 1"
        )
    with pytest.raises(RuleViolationError):
        await world.service.update_profile(
            actor(ada), current_password="old password", new_password="s"
        )
    assert world.users.update_password_hash.calls == []
    assert world.tx.begun == 0


async def test_password_change_ends_the_other_sessions(world: World) -> None:
    ada = user(1, password_hash=await HASHER.hash("old password"))
    this = uuid.uuid4()
    world.users.get_user_by_id.returns(ada)
    world.users.update_password_hash.returns(1)
    world.tokens.revoke_other_refresh_tokens.returns(1)
    await world.service.update_profile(
        actor(ada, this), current_password="old password", new_password="new password 1"
    )
    [written] = world.users.update_password_hash.calls
    assert written["id"] == 1
    assert await HASHER.verify(written["password_hash"], "new password 1")
    assert world.tokens.revoke_other_refresh_tokens.calls == [
        {"user_id": 1, "keep_family_id": this}
    ]
    assert world.tokens.revoke_user_refresh_tokens.calls == []
    assert (world.tx.begun, world.tx.committed) == (1, 1)


async def test_password_change_without_a_session_ends_every_session(world: World) -> None:
    ada = user(1, password_hash=await HASHER.hash("old password"))
    world.users.get_user_by_id.returns(ada)
    world.users.update_password_hash.returns(1)
    world.tokens.revoke_user_refresh_tokens.returns(3)
    await world.service.update_profile(
        actor(ada), current_password="old password", new_password="new password 1"
    )
    assert world.tokens.revoke_user_refresh_tokens.calls == [{"user_id": 1}]


async def test_listing_needs_staff_and_pages_by_id(world: World) -> None:
    with pytest.raises(ForbiddenError):
        await world.service.list(actor(user(2)), role=None, after=0, limit=10)
    assert world.users.list_users.calls == []
    world.users.list_users.returns_in_order([user(n) for n in (3, 4, 5, 6)], [user(7)])
    first = await world.service.list(actor(user(1, MOD)), role=UserRole.USER, after=0, limit=3)
    assert [u.id for u in first.items] == [3, 4, 5]
    assert first.next_after == 5
    second = await world.service.list(actor(user(1, MOD)), role=None, after=5, limit=3)
    assert [u.id for u in second.items] == [7]
    assert second.next_after is None
    # One row more than the page: that is how the service knows another page follows.
    assert world.users.list_users.calls == [
        {"after_id": 0, "role": USER, "page_size": 4},
        {"after_id": 5, "role": None, "page_size": 4},
    ]


async def test_get_self_or_staff(world: World) -> None:
    ada, bob, mod = user(1), user(2), user(3, MOD)
    world.users.get_user_by_id.computes(lambda id: {1: ada, 2: bob}.get(id))
    assert (await world.service.get(actor(ada), 1)).id == 1
    with pytest.raises(ForbiddenError):
        await world.service.get(actor(ada), 2)
    assert (await world.service.get(actor(mod), 2)).id == 2
    with pytest.raises(NotFoundError):
        await world.service.get(actor(mod), 404)


async def test_only_admins_change_roles_and_not_their_own(world: World) -> None:
    admin, mod, ada = user(1, ADMIN), user(2, MOD), user(3)
    with pytest.raises(ForbiddenError):
        await world.service.set_role(actor(mod), ada.id, UserRole.MODERATOR)
    with pytest.raises(ForbiddenError):
        await world.service.set_role(actor(admin), admin.id, UserRole.USER)
    assert world.users.update_role.calls == []
    world.users.update_role.returns_in_order(msgspec.structs.replace(ada, role=MOD), None)
    changed = await world.service.set_role(actor(admin), ada.id, UserRole.MODERATOR)
    assert changed.role == UserRole.MODERATOR
    with pytest.raises(NotFoundError):
        await world.service.set_role(actor(admin), 999, UserRole.USER)
    assert world.users.update_role.calls == [{"id": 3, "role": MOD}, {"id": 999, "role": USER}]
    # One audit row, for the change that happened, naming who did it to whom.
    [audited] = [call["params"] for call in world.audit.insert_audit_event.calls]
    assert (audited.event_type, audited.actor_id, audited.target_id) == ("user.role_changed", 1, 3)
    assert audited.details == {"role": "MODERATOR"}


async def test_disabling_revokes_sessions_in_the_same_transaction(world: World) -> None:
    mod, ada = user(1, MOD), user(2)
    world.users.get_user_by_id.returns(ada)
    world.users.set_active.computes(
        lambda is_active, id: msgspec.structs.replace(ada, is_active=is_active)
    )
    world.tokens.revoke_user_refresh_tokens.returns(2)
    disabled = await world.service.set_active(actor(mod), ada.id, active=False)
    assert disabled.is_active is False
    assert world.users.set_active.calls == [{"id": 2, "is_active": False}]
    assert world.tokens.revoke_user_refresh_tokens.calls == [{"user_id": 2}]
    assert (world.tx.begun, world.tx.committed) == (1, 1)
    assert (await world.service.set_active(actor(mod), ada.id, active=True)).is_active
    assert len(world.tokens.revoke_user_refresh_tokens.calls) == 1  # enabling revokes nothing


async def test_disable_rules(world: World) -> None:
    admin, mod, other_mod, ada = user(1, ADMIN), user(2, MOD), user(3, MOD), user(4)
    world.users.get_user_by_id.computes(lambda id: {2: mod, 3: other_mod}.get(id))
    world.users.set_active.returns(msgspec.structs.replace(other_mod, is_active=False))
    world.tokens.revoke_user_refresh_tokens.returns(0)
    with pytest.raises(ForbiddenError):
        await world.service.set_active(actor(ada), mod.id, active=False)  # users cannot
    with pytest.raises(ForbiddenError):
        await world.service.set_active(actor(mod), other_mod.id, active=False)  # needs an admin
    with pytest.raises(ForbiddenError):
        await world.service.set_active(actor(mod), mod.id, active=False)  # not yourself
    with pytest.raises(NotFoundError):
        await world.service.set_active(actor(mod), 999, active=False)
    assert world.users.set_active.calls == []
    assert world.tx.rolled_back == 2  # the refusals made inside the transaction
    assert not (await world.service.set_active(actor(admin), other_mod.id, active=False)).is_active
    assert world.users.set_active.calls == [{"id": 3, "is_active": False}]


async def test_create_admin(world: World) -> None:
    world.users.create_user.computes(
        lambda email, display_name, password_hash, role: user(1, role, password_hash=password_hash)
    )
    admin = await world.service.create_admin(
        email=" root@example.com ", display_name="Root", password="long enough"
    )
    assert admin.role == UserRole.ADMIN
    [call] = world.users.create_user.calls
    assert (call["email"], call["display_name"], call["role"]) == (
        "root@example.com",
        "Root",
        ADMIN,
    )
    assert await HASHER.verify(call["password_hash"], "long enough")
    world.users.create_user.raises(UniqueViolationError("duplicate", constraint="users_email"))
    with pytest.raises(ConflictError):
        await world.service.create_admin(
            email="ROOT@example.com", display_name="Root", password="long enough"
        )
    assert (world.tx.committed, world.tx.rolled_back) == (1, 1)


async def test_a_query_the_test_did_not_set_fails_loudly(world: World) -> None:
    with pytest.raises(FakeNotSetError, match="get_user_by_id"):
        await world.service.me(actor(user(1)))


async def test_the_last_active_admin_is_neither_demoted_nor_disabled(world: World) -> None:
    # Another admin's token may still say admin after that admin lost the role; the lock's
    # answer is what counts: user 2 is the only active admin left.
    world.users.lock_active_admins.returns([2])
    admin = Actor(user_id=1, role=UserRole.ADMIN)
    with pytest.raises(ConflictError):
        await world.service.set_role(admin, 2, UserRole.USER)
    with pytest.raises(ConflictError):
        await world.service.set_active(admin, 2, active=False)
    assert world.users.update_role.calls == []
    assert world.users.set_active.calls == []
    assert world.tx.rolled_back == 2

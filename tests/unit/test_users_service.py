"""UsersService rules with fake Queriers: profile, password change, roles, disabling, paging."""

from __future__ import annotations

import uuid

import pytest

from rhythm.db import auth as auth_db
from rhythm.service.audit import AuditTrail
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
    RuleViolationError,
)
from rhythm.service.identity import Actor, UserRole
from rhythm.service.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.users import User, UsersService
from tests.unit.fakes import FakeAudit, FakeConnection, FakeTokens, FakeUsers

HASHER = PasswordHasher(TEST_PARAMS)


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def audit() -> FakeAudit:
    return FakeAudit()


@pytest.fixture
def db() -> FakeConnection:
    return FakeConnection()


@pytest.fixture
def service(
    db: FakeConnection, users: FakeUsers, tokens: FakeTokens, audit: FakeAudit
) -> UsersService:
    return UsersService(
        db,  # type: ignore[arg-type]
        hasher=HASHER,
        users=lambda _: users,
        tokens=lambda _: tokens,
        audit=AuditTrail(lambda _: audit),
    )


async def make_user(users: FakeUsers, name: str, role: UserRole = UserRole.USER) -> User:
    user = await users.create_user(
        email=f"{name}@example.com",
        display_name=name,
        password_hash=await HASHER.hash("old password"),
        role=role,
    )
    assert user is not None
    return user


def actor(user: User, session: uuid.UUID | None = None) -> Actor:
    return Actor(user_id=user.id, role=user.role, session_id=session)


async def add_session(tokens: FakeTokens, user: User) -> uuid.UUID:
    from datetime import UTC, datetime, timedelta

    family = uuid.uuid4()
    await tokens.insert_refresh_token(
        auth_db.InsertRefreshTokenParams(
            user_id=user.id,
            token_hash=uuid.uuid4().bytes * 2,
            family_id=family,
            expires_at=datetime.now(UTC) + timedelta(days=1),
            user_agent=None,
            ip_address=None,
        )
    )
    return family


async def test_me_of_disabled_or_deleted_account(service: UsersService, users: FakeUsers) -> None:
    ada = await make_user(users, "ada")
    assert (await service.me(actor(ada))).id == ada.id
    await users.set_active(id=ada.id, is_active=False)
    with pytest.raises(NotAuthenticatedError):
        await service.me(actor(ada))
    with pytest.raises(NotAuthenticatedError):
        await service.me(Actor(user_id=999, role=UserRole.USER))


async def test_change_display_name(service: UsersService, users: FakeUsers) -> None:
    ada = await make_user(users, "ada")
    updated = await service.update_profile(actor(ada), display_name="Countess")
    assert updated.display_name == "Countess"


async def test_password_change_needs_the_current_password(
    service: UsersService, users: FakeUsers
) -> None:
    ada = await make_user(users, "ada")
    with pytest.raises(ForbiddenError):
        await service.update_profile(actor(ada), new_password="new password 1")
    with pytest.raises(ForbiddenError):
        await service.update_profile(
            actor(ada), current_password="wrong", new_password="new password 1"
        )
    with pytest.raises(RuleViolationError):
        await service.update_profile(actor(ada), current_password="old password", new_password="s")
    assert await HASHER.verify(users.rows[ada.id].password_hash, "old password")


async def test_password_change_ends_the_other_sessions(
    service: UsersService, users: FakeUsers, tokens: FakeTokens, db: FakeConnection
) -> None:
    ada = await make_user(users, "ada")
    this, other = await add_session(tokens, ada), await add_session(tokens, ada)
    await service.update_profile(
        actor(ada, this), current_password="old password", new_password="new password 1"
    )
    assert [t.family_id for t in tokens.live(ada.id)] == [this]
    assert other not in {t.family_id for t in tokens.live(ada.id)}
    assert await HASHER.verify(users.rows[ada.id].password_hash, "new password 1")
    assert db.committed == 1


async def test_listing_needs_staff_and_pages_by_id(service: UsersService, users: FakeUsers) -> None:
    mod = await make_user(users, "mod", UserRole.MODERATOR)
    for n in range(5):
        await make_user(users, f"user{n}")
    with pytest.raises(ForbiddenError):
        await service.list(actor(users.rows[2]), role=None, after=0, limit=10)
    first = await service.list(actor(mod), role=UserRole.USER, after=0, limit=3)
    assert [u.display_name for u in first.items] == ["user0", "user1", "user2"]
    assert first.next_after == first.items[-1].id
    second = await service.list(actor(mod), role=UserRole.USER, after=first.next_after, limit=3)
    assert [u.display_name for u in second.items] == ["user3", "user4"]
    assert second.next_after is None


async def test_get_self_or_staff(service: UsersService, users: FakeUsers) -> None:
    ada, bob = await make_user(users, "ada"), await make_user(users, "bob")
    mod = await make_user(users, "mod", UserRole.MODERATOR)
    assert (await service.get(actor(ada), ada.id)).id == ada.id
    with pytest.raises(ForbiddenError):
        await service.get(actor(ada), bob.id)
    assert (await service.get(actor(mod), bob.id)).id == bob.id
    with pytest.raises(NotFoundError):
        await service.get(actor(mod), 404)


async def test_only_admins_change_roles_and_not_their_own(
    service: UsersService, users: FakeUsers
) -> None:
    admin = await make_user(users, "admin", UserRole.ADMIN)
    mod = await make_user(users, "mod", UserRole.MODERATOR)
    ada = await make_user(users, "ada")
    with pytest.raises(ForbiddenError):
        await service.set_role(actor(mod), ada.id, UserRole.MODERATOR)
    with pytest.raises(ForbiddenError):
        await service.set_role(actor(admin), admin.id, UserRole.USER)
    assert (
        await service.set_role(actor(admin), ada.id, UserRole.MODERATOR)
    ).role == UserRole.MODERATOR
    with pytest.raises(NotFoundError):
        await service.set_role(actor(admin), 999, UserRole.USER)


async def test_disabling_revokes_sessions_in_the_same_transaction(
    service: UsersService, users: FakeUsers, tokens: FakeTokens, db: FakeConnection
) -> None:
    mod = await make_user(users, "mod", UserRole.MODERATOR)
    ada = await make_user(users, "ada")
    await add_session(tokens, ada)
    await add_session(tokens, ada)
    disabled = await service.set_active(actor(mod), ada.id, active=False)
    assert disabled.is_active is False
    assert tokens.live(ada.id) == []
    assert (db.begun, db.committed) == (1, 1)
    assert (await service.set_active(actor(mod), ada.id, active=True)).is_active


async def test_disable_rules(service: UsersService, users: FakeUsers) -> None:
    admin = await make_user(users, "admin", UserRole.ADMIN)
    mod = await make_user(users, "mod", UserRole.MODERATOR)
    other_mod = await make_user(users, "mod2", UserRole.MODERATOR)
    ada = await make_user(users, "ada")
    with pytest.raises(ForbiddenError):
        await service.set_active(actor(ada), mod.id, active=False)  # users cannot
    with pytest.raises(ForbiddenError):
        await service.set_active(actor(mod), other_mod.id, active=False)  # staff needs an admin
    with pytest.raises(ForbiddenError):
        await service.set_active(actor(mod), mod.id, active=False)  # not yourself
    with pytest.raises(NotFoundError):
        await service.set_active(actor(mod), 999, active=False)
    assert not (await service.set_active(actor(admin), other_mod.id, active=False)).is_active


async def test_create_admin(service: UsersService, users: FakeUsers) -> None:
    admin = await service.create_admin(
        email="root@example.com", display_name="Root", password="long enough"
    )
    assert admin.role == UserRole.ADMIN
    with pytest.raises(ConflictError):
        await service.create_admin(
            email="ROOT@example.com", display_name="Root", password="long enough"
        )


async def test_is_active_remembers_briefly_and_forgets_its_own_changes(
    users: FakeUsers, tokens: FakeTokens
) -> None:
    now = [0.0]
    service = UsersService(
        FakeConnection(),  # type: ignore[arg-type]
        hasher=HASHER,
        users=lambda _: users,
        tokens=lambda _: tokens,
        active_ttl_s=5.0,
        clock=lambda: now[0],
        audit=AuditTrail(lambda _: FakeAudit()),
    )
    mod = await make_user(users, "mod", UserRole.MODERATOR)
    ada = await make_user(users, "ada")
    assert await service.is_active(ada.id)
    # Disabled elsewhere (another instance): seen once the short memory runs out.
    await users.set_active(id=ada.id, is_active=False)
    assert await service.is_active(ada.id)
    now[0] = 5.1
    assert not await service.is_active(ada.id)
    # Enabled through this instance: seen at once.
    await service.set_active(actor(mod), ada.id, active=True)
    assert await service.is_active(ada.id)
    assert not await service.is_active(999)

"""AccountService with fake Queriers: sessions, deleting an account, and what deletion does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast

import msgspec
import pytest

from rhythm.db import auth as auth_db
from rhythm.service.accounts import AccountService
from rhythm.service.audit import AuditTrail
from rhythm.service.errors import ConflictError, ForbiddenError, NotFoundError
from rhythm.service.identity import Actor, UserRole
from rhythm.service.rooms import NewRoom, RoomsService
from rhythm.service.users import User
from rhythm.store.transaction import AsyncDB
from tests.unit.fakes import FakeAudit, FakeConnection, FakeRooms, FakeTokens, FakeUsers
from tests.unit.test_users_service import HASHER, make_user

OLD = "old password"


@dataclass
class World:
    users: FakeUsers = field(default_factory=FakeUsers)
    tokens: FakeTokens = field(default_factory=FakeTokens)
    audit: FakeAudit = field(default_factory=FakeAudit)
    forgotten: list[int] = field(default_factory=list)
    db: AsyncDB = field(default_factory=lambda: cast(AsyncDB, FakeConnection()))

    def __post_init__(self) -> None:
        self.rooms = FakeRooms(self.users)
        self.service = AccountService(
            self.db,
            hasher=HASHER,
            audit=AuditTrail(lambda _: self.audit),
            users=lambda _: self.users,
            tokens=lambda _: self.tokens,
            rooms=lambda _: self.rooms,
            forget=self.forgotten.append,
        )
        self.room_service = RoomsService(self.db, rooms=lambda _: self.rooms)


@pytest.fixture
def world() -> World:
    return World()


async def add_token(
    world: World, user: User, family: uuid.UUID, issued: datetime, agent: str
) -> int:
    row = await world.tokens.insert_refresh_token(
        auth_db.InsertRefreshTokenParams(
            user_id=user.id,
            token_hash=uuid.uuid4().bytes * 2,
            family_id=family,
            expires_at=datetime.now(UTC) + timedelta(days=1),
            user_agent=agent,
            ip_address=None,
        )
    )
    assert row is not None
    world.tokens.rows[row.id] = msgspec.structs.replace(row, issued_at=issued)
    return row.id


def me(user: User, session: uuid.UUID | None = None) -> Actor:
    return Actor(user_id=user.id, role=UserRole(user.role), session_id=session)


async def test_sessions_list_live_families_and_mark_the_current_one(world: World) -> None:
    ada = await make_user(world.users, "ada")
    bob = await make_user(world.users, "bob")
    laptop, phone, ended = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    first = await add_token(world, ada, laptop, start, "laptop 1")
    second = await add_token(world, ada, laptop, start + timedelta(hours=2), "laptop 2")
    await world.tokens.rotate_refresh_token(id=first, replaced_by_id=second)
    await add_token(world, ada, phone, start + timedelta(hours=1), "phone")
    await add_token(world, ada, ended, start, "old")
    await world.tokens.revoke_refresh_token_family(family_id=ended)
    await add_token(world, bob, uuid.uuid4(), start, "bob's")
    found = await world.service.sessions(me(ada, phone))
    assert [(s.id, s.user_agent, s.current) for s in found] == [
        (laptop, "laptop 2", False),
        (phone, "phone", True),
    ]
    assert found[0].created_at == start
    assert found[0].last_used_at == start + timedelta(hours=2)


async def test_end_one_of_my_sessions_only(world: World) -> None:
    ada = await make_user(world.users, "ada")
    bob = await make_user(world.users, "bob")
    mine, his = uuid.uuid4(), uuid.uuid4()
    await add_token(world, ada, mine, datetime.now(UTC), "a")
    await add_token(world, bob, his, datetime.now(UTC), "b")
    with pytest.raises(NotFoundError):
        await world.service.end_session(me(ada), his)
    await world.service.end_session(me(ada), mine)
    assert world.tokens.live(ada.id) == []
    assert len(world.tokens.live(bob.id)) == 1
    with pytest.raises(NotFoundError):
        await world.service.end_session(me(ada), mine)
    assert world.audit.types() == ["session.ended"]


async def test_deleting_my_account_needs_my_password(world: World) -> None:
    ada = await make_user(world.users, "ada")
    await add_token(world, ada, uuid.uuid4(), datetime.now(UTC), "a")
    with pytest.raises(ForbiddenError):
        await world.service.delete_own(me(ada), "not my password")
    assert await world.users.get_user_by_id(id=ada.id) is not None
    assert world.audit.types() == []
    await world.service.delete_own(me(ada), OLD)
    assert await world.users.get_user_by_id(id=ada.id) is None
    tombstone = world.users.rows[ada.id]
    assert tombstone.email == f"deleted:{ada.id}"
    assert tombstone.password_hash == ""
    assert tombstone.display_name == "Deleted user"
    assert not tombstone.is_active
    assert world.tokens.rows == {}
    assert world.forgotten == [ada.id]
    assert world.audit.types() == ["user.deleted"]
    assert world.audit.rows[1].details == {"by": "self"}
    again = await make_user(world.users, "ada")  # the email is free again
    assert again.id != ada.id


async def test_a_deleted_host_hands_over_and_a_lone_member_closes(world: World) -> None:
    ada = await make_user(world.users, "ada")
    bob = await make_user(world.users, "bob")
    cy = await make_user(world.users, "cy")
    shared = await world.room_service.create(me(ada), NewRoom(name="jam", max_players=4))
    await world.room_service.join(me(bob), shared.room.id, None)
    alone = await world.room_service.create(me(cy), NewRoom(name="solo", max_players=2))
    await world.service.delete_own(me(ada), OLD)
    assert world.rooms.rows[shared.room.id].host_id == bob.id
    assert [t for t, _ in world.rooms.events(shared.room.id)][-2:] == [
        "member_left",
        "host_changed",
    ]
    admin = await make_user(world.users, "root", UserRole.ADMIN)
    await world.service.delete_user(me(admin), cy.id)
    assert world.rooms.rows[alone.room.id].status.value == "CLOSED"
    assert await world.rooms.get_member_room(user_id=cy.id) is None


async def test_admin_deletion_rules(world: World) -> None:
    root = await make_user(world.users, "root", UserRole.ADMIN)
    mod = await make_user(world.users, "mod", UserRole.MODERATOR)
    ada = await make_user(world.users, "ada")
    with pytest.raises(ForbiddenError):
        await world.service.delete_user(me(mod), ada.id)
    with pytest.raises(ForbiddenError):
        await world.service.delete_user(me(root), root.id)
    with pytest.raises(NotFoundError):
        await world.service.delete_user(me(root), 999)
    with pytest.raises(ConflictError):
        await world.service.delete_own(me(root), OLD)
    second = await make_user(world.users, "second", UserRole.ADMIN)
    await world.service.delete_user(me(second), root.id)
    with pytest.raises(ConflictError):
        await world.service.delete_own(me(second), OLD)
    await world.service.delete_user(me(second), ada.id)
    with pytest.raises(NotFoundError):
        await world.service.delete_user(me(second), ada.id)
    assert world.audit.types() == ["user.deleted", "user.deleted"]

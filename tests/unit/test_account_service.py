"""AccountService on generated fake Queriers: sessions, ending one, deleting an account (by its
owner with the password, by an admin), the tombstone, the room left, and what is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any

import msgspec
import pytest

from rhythm.db import auth as auth_db
from rhythm.db import users as users_db
from rhythm.db.accounts.fakes import FakeQuerier as FakeLinks
from rhythm.db.audit.fakes import FakeQuerier as FakeAudit
from rhythm.db.auth.fakes import FakeQuerier as FakeTokens
from rhythm.db.rooms import RoomStatus
from rhythm.db.rooms.fakes import FakeQuerier as FakeRooms
from rhythm.db.users.fakes import FakeQuerier as FakeUsers
from rhythm.service.accounts.account import AccountService
from rhythm.service.audit import AuditTrail
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
)
from rhythm.service.identity import Actor, UserRole
from tests.unit.rows import T0, Transactions, user
from tests.unit.test_rooms_service import RID, room

HASHER = PasswordHasher(TEST_PARAMS)
ADMIN = users_db.UserRole.ADMIN
PASSWORD = "the owner's password"


@dataclass
class World:
    service: AccountService[FakeUsers]
    users: FakeUsers
    tokens: FakeTokens
    rooms: FakeRooms
    links: FakeLinks
    audit: FakeAudit
    tx: Transactions
    forgotten: list[int] = field(default_factory=list)

    def audited(self) -> list[Any]:
        return [call["params"] for call in self.audit.insert_audit_event.calls]


@pytest.fixture
def world() -> World:
    users, tokens, rooms, audit = FakeUsers(), FakeTokens(), FakeRooms(), FakeAudit()
    links, tx = FakeLinks(), Transactions()
    audit.insert_audit_event.returns(None)
    forgotten: list[int] = []
    service = AccountService(
        users,
        hasher=HASHER,
        audit=AuditTrail[FakeUsers](lambda _: audit),
        users=lambda fake: fake,
        tokens=lambda _: tokens,
        rooms=lambda _: rooms,
        links=lambda _: links,
        begin=tx.begin,
        forget=forgotten.append,
    )
    return World(service, users, tokens, rooms, links, audit, tx, forgotten)


def actor(row: users_db.User, session: uuid.UUID | None = None) -> Actor:
    return Actor(user_id=row.id, role=UserRole(row.role), session_id=session)


def tombstone(row: users_db.User) -> users_db.User:
    return msgspec.structs.replace(row, email=f"deleted:{row.id}", deleted_at=T0)


def set_erasable(world: World, target: users_db.User, admins: list[int]) -> None:
    world.users.lock_active_admins.returns(admins)
    world.users.get_user_by_id.computes(lambda id: target if id == target.id else None)
    world.users.erase_user.returns(tombstone(target))
    world.rooms.get_member_room.returns(None)
    world.tokens.delete_user_refresh_tokens.returns(2)
    world.links.delete_user_email_verifications.returns(1)
    world.links.delete_user_password_resets.returns(1)


async def test_sessions_mark_the_callers_own(world: World) -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    world.tokens.list_user_sessions.returns(
        [
            auth_db.ListUserSessionsRow(mine, T0, T0, "firefox", ip_address("10.0.0.1"), T0),
            auth_db.ListUserSessionsRow(other, T0, T0, None, None, T0),
        ]
    )
    sessions = await world.service.sessions(actor(user(1), mine))
    assert [(s.id, s.current, s.address, s.user_agent) for s in sessions] == [
        (mine, True, "10.0.0.1", "firefox"),
        (other, False, None, None),
    ]
    assert world.tokens.list_user_sessions.calls == [{"user_id": 1}]


async def test_end_session_revokes_only_the_callers_family_and_audits(world: World) -> None:
    this, target = uuid.uuid4(), uuid.uuid4()
    world.tokens.revoke_user_session.returns_in_order(1, 0)
    await world.service.end_session(actor(user(1), this), target)
    assert world.tokens.revoke_user_session.calls == [{"user_id": 1, "family_id": target}]
    [event] = world.audited()
    assert (event.event_type, event.actor_id, event.target_id) == ("session.ended", 1, 1)
    assert event.session_id == target
    with pytest.raises(NotFoundError):
        await world.service.end_session(actor(user(1), this), uuid.uuid4())
    assert len(world.audited()) == 1  # a refusal audits nothing
    assert (world.tx.committed, world.tx.rolled_back) == (1, 1)


async def test_delete_own_needs_the_password(world: World) -> None:
    ada = user(1, password_hash=await HASHER.hash(PASSWORD))
    set_erasable(world, ada, admins=[])
    with pytest.raises(ForbiddenError):
        await world.service.delete_own(actor(ada), "not the password")
    assert world.users.erase_user.calls == []
    assert world.tx.begun == 0
    world.users.get_user_by_id.returns(None)
    with pytest.raises(NotAuthenticatedError):
        await world.service.delete_own(actor(ada), PASSWORD)


async def test_delete_own_erases_revokes_audits_and_forgets(world: World) -> None:
    ada = user(1, password_hash=await HASHER.hash(PASSWORD))
    set_erasable(world, ada, admins=[])
    session = uuid.uuid4()
    await world.service.delete_own(actor(ada, session), PASSWORD)
    assert world.users.erase_user.calls == [{"id": 1}]
    assert world.tokens.delete_user_refresh_tokens.calls == [{"user_id": 1}]
    # Verification links name addresses: they go with the personal data.
    assert world.links.delete_user_email_verifications.calls == [{"user_id": 1}]
    assert world.links.delete_user_password_resets.calls == [{"user_id": 1}]
    [event] = world.audited()
    assert (event.event_type, event.actor_id, event.target_id, event.session_id) == (
        "user.deleted",
        1,
        1,
        session,
    )
    assert event.details == {"by": "self"}
    assert PASSWORD not in repr(world.audit.insert_audit_event.calls)
    assert (world.tx.begun, world.tx.committed) == (1, 1)
    assert world.forgotten == [1]  # after the commit: the access check drops its memory


async def test_only_an_admin_deletes_others_and_never_themselves(world: World) -> None:
    admin, mod, ada = user(1, ADMIN), user(2, users_db.UserRole.MODERATOR), user(3)
    set_erasable(world, ada, admins=[1])
    with pytest.raises(ForbiddenError):
        await world.service.delete_user(actor(mod), ada.id)
    with pytest.raises(ForbiddenError):
        await world.service.delete_user(actor(admin), admin.id)
    assert world.tx.begun == 0
    await world.service.delete_user(actor(admin), ada.id)
    assert world.users.erase_user.calls == [{"id": 3}]
    [event] = world.audited()
    assert (event.actor_id, event.target_id, event.details) == (1, 3, {"by": "admin"})


async def test_the_last_admin_is_never_deleted(world: World) -> None:
    admin, other = user(1, ADMIN), user(2, ADMIN)
    set_erasable(world, other, admins=[2])  # the caller lost its role meanwhile: 2 is the last
    with pytest.raises(ConflictError):
        await world.service.delete_user(actor(admin), other.id)
    assert world.users.erase_user.calls == []
    assert world.audited() == []
    assert world.forgotten == []
    assert world.tx.rolled_back == 1


async def test_deleting_an_unknown_user_is_not_found(world: World) -> None:
    set_erasable(world, user(3), admins=[1])
    with pytest.raises(NotFoundError):
        await world.service.delete_user(actor(user(1, ADMIN)), 404)
    assert world.users.erase_user.calls == []
    assert world.tx.rolled_back == 1


async def test_a_deleted_host_leaves_the_room_in_the_same_transaction(world: World) -> None:
    ada = user(1, password_hash=await HASHER.hash(PASSWORD))
    set_erasable(world, ada, admins=[])
    world.rooms.get_member_room.returns(RID)
    world.rooms.lock_room.returns(room(host=1, members=1))
    world.rooms.remove_member.returns(1)
    world.rooms.list_members.returns([])
    world.rooms.set_member_count.returns(None)
    world.rooms.remove_all_members.returns(0)
    world.rooms.set_room_status.returns(None)
    world.rooms.next_event_seq.returns(1)
    world.rooms.notify_room.returns(None)
    await world.service.delete_own(actor(ada), PASSWORD)
    assert world.rooms.remove_member.calls == [{"room_id": RID, "user_id": 1}]
    assert world.rooms.set_room_status.calls == [{"id": RID, "status": RoomStatus.CLOSED}]
    # The rooms service's transaction is nested in the deletion's (a savepoint in production).
    assert (world.tx.begun, world.tx.committed) == (2, 2)
    assert world.users.erase_user.calls == [{"id": 1}]

"""The audit trail with fake Queriers: which events the services record, with what, and reads."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from typing import cast

import pytest
from loguru import logger

from rhythm.service.audit import (
    AuditEvent,
    AuditService,
    AuditTrail,
    AuditType,
    RequestContext,
    request_context,
)
from rhythm.service.errors import ForbiddenError, InvalidCredentialsError, InvalidTokenError
from rhythm.service.identity import Actor, UserRole
from rhythm.service.users import UsersService
from rhythm.store.transaction import AsyncDB
from tests.unit.fakes import FakeAudit, FakeConnection, FakeTokens, FakeUsers
from tests.unit.test_auth_service import CLIENT, World, make_world, register
from tests.unit.test_users_service import HASHER, make_user

PASSWORD = "correct horse"


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    sink = io.StringIO()
    handler = logger.add(sink, serialize=True, level="INFO")
    yield sink
    logger.remove(handler)


def audit_lines(sink: io.StringIO) -> list[dict[str, object]]:
    records = [json.loads(line)["record"] for line in sink.getvalue().splitlines()]
    return [r["extra"] for r in records if "audit" in r["extra"]]


async def test_login_success_and_failures_are_recorded(world: World) -> None:
    session = await register(world)
    with request_context(RequestContext(request_id="req-1", address="203.0.113.9")):
        await world.service.login(email="ada@example.com", password=PASSWORD, client=CLIENT)
        with pytest.raises(InvalidCredentialsError):
            await world.service.login(email="ada@example.com", password="wrong!!!", client=CLIENT)
        with pytest.raises(InvalidCredentialsError):
            await world.service.login(email="nobody@example.com", password=PASSWORD, client=CLIENT)
    ok, wrong, unknown = list(world.audit.rows.values())
    assert (ok.event_type, ok.actor_id, ok.target_id) == ("login.succeeded", 1, 1)
    assert ok.session_id is not None
    assert ok.session_id != session.session_id
    assert (ok.request_id, str(ok.ip_address)) == ("req-1", "203.0.113.9")
    assert (wrong.event_type, wrong.target_id, wrong.details) == (
        "login.failed",
        1,
        {"reason": "wrong password"},
    )
    assert (unknown.target_id, unknown.details) == (None, {"reason": "unknown email"})


async def test_refresh_reuse_logout_and_logout_all_are_recorded(world: World) -> None:
    first = await register(world)
    await world.service.refresh(refresh_token=first.refresh_token, client=CLIENT)
    with pytest.raises(InvalidTokenError):
        await world.service.refresh(refresh_token=first.refresh_token, client=CLIENT)
    other = await register(world, "bob@example.com")
    await world.service.logout(session_id=other.session_id, user_id=other.user.id)
    await world.service.logout_all(user_id=first.user.id, session_id=first.session_id)
    reuse, logout, logout_all = list(world.audit.rows.values())
    assert (reuse.event_type, reuse.target_id, reuse.session_id) == (
        "session.reuse_detected",
        first.user.id,
        first.session_id,
    )
    assert (logout.event_type, logout.actor_id, logout.session_id) == (
        "session.logout",
        other.user.id,
        other.session_id,
    )
    assert logout_all.event_type == "session.logout_all"
    assert logout_all.details == {"sessions": "0"}  # the reuse already ended the only one


async def test_user_administration_is_recorded() -> None:
    users, tokens, audit = FakeUsers(), FakeTokens(), FakeAudit()
    service = UsersService(
        cast(AsyncDB, FakeConnection()),
        hasher=HASHER,
        users=lambda _: users,
        tokens=lambda _: tokens,
        audit=AuditTrail(lambda _: audit),
    )
    admin = await make_user(users, "root", UserRole.ADMIN)
    ada = await make_user(users, "ada")
    boss = Actor(admin.id, UserRole.ADMIN, uuid.uuid4())
    await service.set_role(boss, ada.id, UserRole.MODERATOR)
    await service.set_active(boss, ada.id, active=False)
    await service.set_active(boss, ada.id, active=True)
    await service.update_profile(
        Actor(ada.id, UserRole.MODERATOR),
        current_password="old password",
        new_password="new secret!",
    )
    assert audit.types() == [
        "user.role_changed",
        "user.disabled",
        "user.enabled",
        "password.changed",
    ]
    role_change = audit.rows[1]
    assert (role_change.actor_id, role_change.target_id) == (admin.id, ada.id)
    assert role_change.session_id == boss.session_id
    assert role_change.details == {"role": "MODERATOR"}


async def test_each_event_is_one_log_line_without_secrets(world: World, log: io.StringIO) -> None:
    await register(world)
    with request_context(RequestContext(request_id="req-7", address=None)):
        session = await world.service.login(
            email="ada@example.com", password=PASSWORD, client=CLIENT
        )
    (line,) = audit_lines(log)
    assert line["audit"] == "login.succeeded"
    assert line["actor_id"] == line["target_id"] == session.user.id
    assert line["session_id"] == str(session.session_id)
    assert line["request_id"] == "req-7"
    text = log.getvalue()
    assert PASSWORD not in text
    assert session.refresh_token not in text
    assert session.access.token not in text


async def test_reading_needs_an_admin_and_pages_newest_first() -> None:
    audit = FakeAudit()
    trail = AuditTrail(lambda _: audit)
    db = cast(AsyncDB, FakeConnection())
    for n in range(5):
        kind = AuditType.LOGIN_FAILED if n % 2 else AuditType.LOGIN_SUCCEEDED
        await trail.record(db, AuditEvent(kind, target_id=10 + n % 2))
    service = AuditService(db, queries=lambda _: audit)
    with pytest.raises(ForbiddenError):
        await service.page(
            Actor(1, UserRole.MODERATOR), user_id=None, event_type=None, before=0, limit=10
        )
    admin = Actor(1, UserRole.ADMIN)
    first = await service.page(admin, user_id=None, event_type=None, before=0, limit=2)
    assert [e.id for e in first.events] == [5, 4]
    assert first.next_before == 4
    rest = await service.page(admin, user_id=None, event_type=None, before=4, limit=5)
    assert [e.id for e in rest.events] == [3, 2, 1]
    assert rest.next_before is None
    failed = await service.page(
        admin, user_id=11, event_type=AuditType.LOGIN_FAILED, before=0, limit=10
    )
    assert [e.id for e in failed.events] == [4, 2]

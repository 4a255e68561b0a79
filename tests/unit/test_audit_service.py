"""The audit trail on a generated fake Querier: what a recorded event writes and logs (with the
request it happened in), and the admins' keyset pages."""

from __future__ import annotations

import ipaddress
import json
import uuid
from dataclasses import dataclass

import pytest
from loguru import logger

from rhythm.db import audit as audit_db
from rhythm.db.audit.fakes import FakeQuerier
from rhythm.service.audit import (
    MAX_PAGE,
    AuditEvent,
    AuditService,
    AuditTrail,
    AuditType,
    RequestContext,
    current_request_id,
    enter_request,
    leave_request,
    request_context,
)
from rhythm.service.errors import ForbiddenError
from rhythm.service.identity import Actor, UserRole
from tests.unit.rows import T0

ADMIN = Actor(user_id=1, role=UserRole.ADMIN)
NEWEST = 2**63 - 1


@dataclass
class World:
    trail: AuditTrail[FakeQuerier]
    service: AuditService[FakeQuerier]
    fake: FakeQuerier


@pytest.fixture
def world() -> World:
    fake = FakeQuerier()
    fake.insert_audit_event.returns(None)
    return World(AuditTrail(lambda f: f), AuditService(fake, queries=lambda f: f), fake)


def row(id: int) -> audit_db.AuditEvent:
    return audit_db.AuditEvent(
        id=id,
        occurred_at=T0,
        event_type="login.succeeded",
        actor_id=1,
        target_id=1,
        session_id=None,
        request_id=None,
        ip_address=None,
        details={},
    )


def log_lines(records: list[str]) -> list[dict[str, object]]:
    return [json.loads(line)["record"]["extra"] for line in records]


async def test_an_event_is_written_with_its_request_and_logged(world: World) -> None:
    session = uuid.uuid4()
    lines: list[str] = []
    handler = logger.add(lines.append, serialize=True, level="INFO")
    try:
        with request_context(RequestContext(request_id="req-1", address="192.0.2.7")):
            event = AuditEvent(AuditType.ROLE_CHANGED, 1, 2, session, {"role": "ADMIN"})
            await world.trail.record(world.fake, event)
    finally:
        logger.remove(handler)
    [call] = world.fake.insert_audit_event.calls
    assert call["params"] == audit_db.InsertAuditEventParams(
        event_type="user.role_changed",
        actor_id=1,
        target_id=2,
        session_id=session,
        request_id="req-1",
        ip_address=ipaddress.ip_address("192.0.2.7"),
        details={"role": "ADMIN"},
    )
    [extra] = log_lines(lines)
    assert extra == {
        "audit": "user.role_changed",
        "actor_id": 1,
        "target_id": 2,
        "session_id": str(session),
        "request_id": "req-1",
        "address": "192.0.2.7",
        "details": {"role": "ADMIN"},
    }


async def test_outside_a_request_and_with_a_host_name_no_address_is_kept(world: World) -> None:
    await world.trail.record(world.fake, AuditEvent(AuditType.PASSWORD_RESET, None, 3))
    with request_context(RequestContext(request_id="r", address="testclient")):
        await world.trail.record(world.fake, AuditEvent(AuditType.LOGOUT, 3, 3))
    first, second = (call["params"] for call in world.fake.insert_audit_event.calls)
    assert (first.request_id, first.ip_address, first.details) == (None, None, {})
    assert (second.request_id, second.ip_address) == ("r", None)


async def test_only_admins_read_the_trail(world: World) -> None:
    for role in (UserRole.USER, UserRole.MODERATOR):
        with pytest.raises(ForbiddenError):
            await world.service.page(
                Actor(2, role), user_id=None, event_type=None, before=0, limit=10
            )
    assert world.fake.list_audit_events.calls == []


async def test_pages_go_newest_first_by_id(world: World) -> None:
    world.fake.list_audit_events.returns_in_order([row(9), row(8), row(7)], [row(6)])
    first = await world.service.page(
        ADMIN, user_id=4, event_type=AuditType.LOGIN_FAILED, before=0, limit=2
    )
    assert ([e.id for e in first.events], first.next_before) == ([9, 8], 8)
    last = await world.service.page(ADMIN, user_id=None, event_type=None, before=8, limit=2)
    assert ([e.id for e in last.events], last.next_before) == ([6], None)
    assert world.fake.list_audit_events.calls == [
        {"before_id": NEWEST, "event_type": "login.failed", "user_id": 4, "page_size": 3},
        {"before_id": 8, "event_type": None, "user_id": None, "page_size": 3},
    ]


async def test_the_page_size_is_clamped(world: World) -> None:
    world.fake.list_audit_events.returns([])
    for asked in (0, 10_000):
        await world.service.page(ADMIN, user_id=None, event_type=None, before=0, limit=asked)
    sizes = [call["page_size"] for call in world.fake.list_audit_events.calls]
    assert sizes == [2, MAX_PAGE + 1]


@pytest.mark.parametrize("forwarded", ["not-an-ip", "9" * 5_000, "203.0.113.9, 10.0.0.1"])
async def test_an_address_that_is_not_one_is_not_logged(world: World, forwarded: str) -> None:
    # Behind a trusted proxy, uvicorn copies X-Forwarded-For as it came: any text, any length.
    lines: list[str] = []
    handler = logger.add(lines.append, serialize=True, level="INFO")
    try:
        with request_context(RequestContext(request_id="r", address=forwarded)):
            await world.trail.record(world.fake, AuditEvent(AuditType.LOGOUT, 3, 3))
    finally:
        logger.remove(handler)
    [extra] = log_lines(lines)
    assert extra["address"] is None
    assert all(forwarded not in line for line in lines)


def test_request_contexts_nest_and_restore() -> None:
    outer = enter_request(RequestContext(request_id="outer", address=None))
    with request_context(RequestContext(request_id="inner", address=None)):
        assert current_request_id() == "inner"
    assert current_request_id() == "outer"
    leave_request(outer)
    assert current_request_id() is None

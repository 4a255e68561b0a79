"""The security audit trail: one row per event, in the transaction of the change, and one log line.

Services call :meth:`AuditTrail.record` last in the transaction of the change they audit, so the
row commits or rolls back with it. Who asked (request id, client address) comes from the request
context that the web layer binds; who acted and on whom comes from the service.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic

from loguru import logger

from rhythm.db import audit as audit_db
from rhythm.service.database import AUDIT, DB
from rhythm.service.errors import ForbiddenError
from rhythm.service.identity import Actor, UserRole

AuditRow = audit_db.AuditEvent
MAX_PAGE = 100
_NEWEST = 2**63 - 1


class AuditType(StrEnum):
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    REFRESH_REUSED = "session.reuse_detected"
    LOGOUT = "session.logout"
    LOGOUT_ALL = "session.logout_all"
    SESSION_ENDED = "session.ended"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 - an event name, not a password
    PASSWORD_RESET = "password.reset"  # noqa: S105 - an event name, not a password
    PASSWORD_CHECK_FAILED = "password.check_failed"  # noqa: S105 - an event name
    EMAIL_VERIFIED = "email.verified"
    EMAIL_CHANGED = "email.changed"
    ROLE_CHANGED = "user.role_changed"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    USER_DELETED = "user.deleted"


@dataclass(frozen=True, slots=True)
class RequestContext:
    """The request an event happens in; outside a request (CLI, tests) both are unknown.

    The one per-request context variable: audit rows read it here, and the logging set-up
    reads the request id of every log line from it (``current_request_id``)."""

    request_id: str | None = None
    address: str | None = None


_REQUEST: ContextVar[RequestContext | None] = ContextVar("request", default=None)
_NO_REQUEST = RequestContext()


Bound = Token[RequestContext | None]


def enter_request(context: RequestContext) -> Bound:
    """Bind ``context`` until ``leave_request`` is given what this returns."""
    return _REQUEST.set(context)


def leave_request(bound: Bound) -> None:
    """Restore the context that was bound before ``enter_request`` returned ``bound``."""
    _REQUEST.reset(bound)


class request_context:  # noqa: N801 - used as a context manager, like contextlib's
    """Bind ``context`` for the code run inside (one request)."""

    __slots__ = ("_bound", "_context")
    _bound: Bound

    def __init__(self, context: RequestContext) -> None:
        self._context = context

    def __enter__(self) -> None:
        self._bound = enter_request(self._context)

    def __exit__(self, *exc: object) -> None:
        leave_request(self._bound)


def current_request_id() -> str | None:
    """The id of the request the caller runs in, if any."""
    context = _REQUEST.get()
    return None if context is None else context.request_id


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened; ``details`` holds non-secret facts only (never a password or token)."""

    type: AuditType
    actor_id: int | None = None
    target_id: int | None = None
    session_id: uuid.UUID | None = None
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditRow]
    next_before: int | None


class AuditTrail(Generic[DB]):
    def __init__(self, queries: Callable[[DB], audit_db.Querier] = AUDIT) -> None:
        self._queries = queries

    async def record(self, db: DB, event: AuditEvent) -> None:
        """Write ``event`` through ``db`` (the change's transaction) and log it."""
        context = _REQUEST.get() or _NO_REQUEST
        address = _address(context.address)
        await self._queries(db).insert_audit_event(
            audit_db.InsertAuditEventParams(
                event_type=event.type.value,
                actor_id=event.actor_id,
                target_id=event.target_id,
                session_id=event.session_id,
                request_id=context.request_id,
                ip_address=address,
                details=dict(event.details),
            )
        )
        logger.bind(
            audit=event.type.value,
            actor_id=event.actor_id,
            target_id=event.target_id,
            session_id=None if event.session_id is None else str(event.session_id),
            request_id=context.request_id,
            # Only an address: a proxy's X-Forwarded-For may carry any text, of any length.
            address=None if address is None else str(address),
            details=dict(event.details),
        ).info("audit: {}", event.type.value)


class AuditService(Generic[DB]):
    """Reads of the trail, for admins."""

    def __init__(self, db: DB, *, queries: Callable[[DB], audit_db.Querier] = AUDIT) -> None:
        self._db = db
        self._queries = queries

    async def page(
        self,
        actor: Actor,
        *,
        user_id: int | None,
        event_type: AuditType | None,
        before: int,
        limit: int,
    ) -> AuditPage:
        """Events newest first; ``before`` is the id the previous page ended at (0: newest)."""
        if actor.role is not UserRole.ADMIN:
            raise ForbiddenError("only an admin can read the audit trail")
        limit = max(1, min(limit, MAX_PAGE))
        # One row more than asked tells whether a next page exists without a COUNT.
        rows = await self._queries(self._db).list_audit_events(
            before_id=before or _NEWEST,
            event_type=None if event_type is None else event_type.value,
            user_id=user_id,
            page_size=limit + 1,
        )
        page = rows[:limit]
        return AuditPage(events=page, next_before=page[-1].id if len(rows) > limit else None)


def _address(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not address:
        return None
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None  # test clients send names; the column keeps addresses only

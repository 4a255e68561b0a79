"""``/api/v1/audit``: the security audit trail, newest first, for admins."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from rhythm.service.audit import AuditService, AuditType
from rhythm.web.audit.schemas import AuditEventOut, AuditPageOut
from rhythm.web.paging import CURSOR, parse_cursor
from rhythm.web.problems import responses
from rhythm.web.security import current_actor

Audit = NamedDependency[AuditService]


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]  # noqa: RUF012

    @get(
        "/",
        operation_id="listAuditEvents",
        summary="Security events, newest first, a page at a time (admin)",
        responses=responses(400, 401, 403, notes={403: "Not an admin"}),
    )
    async def list_events(
        self,
        request: Request[Any, Any, Any],
        audit: Audit,
        user_id: Annotated[
            int | None,
            QueryParameter(ge=1, le=2**63 - 1, description="Only events by or about this user"),
        ] = None,
        type: Annotated[
            AuditType | None, QueryParameter(description="Only this type of event")
        ] = None,
        cursor: Annotated[
            str | None, QueryParameter(pattern=CURSOR, description="`next` of the previous page")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100, description="Page size")] = 50,
    ) -> AuditPageOut:
        page = await audit.page(
            current_actor(request),
            user_id=user_id,
            event_type=type,
            before=parse_cursor(cursor),
            limit=limit,
        )
        return AuditPageOut(
            items=[AuditEventOut.of(row) for row in page.events],
            next=None if page.next_before is None else str(page.next_before),
        )

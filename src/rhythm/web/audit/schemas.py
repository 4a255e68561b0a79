"""API shapes of the audit trail."""

from __future__ import annotations

from typing import Annotated

import msgspec

from rhythm.service.audit import AuditRow, AuditType
from rhythm.web.fields import Id, Instant
from rhythm.web.paging import Cursor


class AuditEventOut(msgspec.Struct, kw_only=True):
    id: Id
    occurred_at: Instant
    type: AuditType
    actor_id: Annotated[int | None, msgspec.Meta(description="Who acted; null: nobody known")]
    target_id: Annotated[int | None, msgspec.Meta(description="The account concerned")]
    session_id: Annotated[str | None, msgspec.Meta(description="The session (token family)")]
    request_id: Annotated[str | None, msgspec.Meta(description="X-Request-ID of the request")]
    ip_address: Annotated[str | None, msgspec.Meta(description="The client's address")]
    details: Annotated[dict[str, str], msgspec.Meta(description="Non-secret facts")]

    @classmethod
    def of(cls, row: AuditRow) -> AuditEventOut:
        return cls(
            id=row.id,
            occurred_at=row.occurred_at,
            type=AuditType(row.event_type),
            actor_id=row.actor_id,
            target_id=row.target_id,
            session_id=None if row.session_id is None else str(row.session_id),
            request_id=row.request_id,
            ip_address=None if row.ip_address is None else str(row.ip_address),
            details=row.details,
        )


class AuditPageOut(msgspec.Struct, kw_only=True):
    items: list[AuditEventOut]
    next: Cursor

"""Request parameters every context shares: the request type, the client address, ids in
paths, page queries."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from litestar import Request
from litestar.params import Parameter, QueryParameter

from rhythm.service.paging import MAX_PAGE_SIZE
from rhythm.web.paging import CURSOR

AnyRequest = Request[Any, Any, Any]


def client_address(request: AnyRequest) -> str | None:
    """The client's IP address, or None: behind a trusted proxy, uvicorn copies the
    X-Forwarded-For text as it came (any text, any length), and limits key on this value."""
    host = request.client.host if request.client else None
    try:
        return str(ipaddress.ip_address(host or ""))
    except ValueError:
        return None


# Ids are bigint: a larger number is a 400, not an error from the driver.
UserId = Annotated[int, Parameter(ge=1, le=2**63 - 1, description="User id")]
RoomId = Annotated[int, Parameter(ge=1, le=2**63 - 1, description="Room id")]
PageCursor = Annotated[
    str | None, QueryParameter(pattern=CURSOR, description="`next` of the previous page")
]
PageLimit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size")]

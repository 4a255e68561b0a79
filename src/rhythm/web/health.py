"""``/health/live`` and ``/health/ready`` for orchestrators and load balancers."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from msgspec import UNSET, UnsetType

from rhythm.service.health import HealthService
from rhythm.web.params import AnyRequest
from rhythm.web.problems import Problem, problem_response, responses


class HealthStatus(msgspec.Struct, omit_defaults=True):
    status: Literal["ok", "ready"]
    migration: (
        Annotated[str, msgspec.Meta(description="Newest migration applied (ready only)")]
        | UnsetType
    ) = UNSET


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/live", operation_id="healthLive", summary="The process is up", security=[])
    async def live(self) -> HealthStatus:
        return HealthStatus(status="ok")

    @get(
        "/ready",
        operation_id="healthReady",
        security=[],
        summary="The database answers and is at the newest migration",
        # The handler returns either body; the document must say which status carries which.
        responses={200: ResponseSpec(HealthStatus, description="Ready"), **responses()},
    )
    async def ready(
        self, request: AnyRequest, health: NamedDependency[HealthService]
    ) -> Response[HealthStatus] | Response[Problem]:
        readiness = await health.readiness()
        if not readiness.ready:
            return problem_response(request, 503, readiness.reason, headers={"Retry-After": "1"})
        migration = UNSET if readiness.migration is None else readiness.migration
        return Response(HealthStatus(status="ready", migration=migration))

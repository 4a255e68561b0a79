"""``/health/live`` and ``/health/ready`` for orchestrators and load balancers."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State

from service.health import HealthService
from web.problems import Problem, problem_response, responses


class HealthStatus(msgspec.Struct, omit_defaults=True):
    status: str
    migration: str | None = None


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/live", operation_id="healthLive", summary="The process is up")
    async def live(self) -> HealthStatus:
        return HealthStatus(status="ok")

    @get(
        "/ready",
        operation_id="healthReady",
        summary="The database answers and is at the newest migration",
        responses=responses(),
    )
    async def ready(
        self, request: Request[Any, Any, Any], state: State
    ) -> Response[HealthStatus] | Response[Problem]:
        health: HealthService = state.health
        readiness = await health.readiness()
        if not readiness.ready:
            return problem_response(request, 503, readiness.reason, headers={"Retry-After": "1"})
        return Response(HealthStatus(status="ready", migration=readiness.migration))

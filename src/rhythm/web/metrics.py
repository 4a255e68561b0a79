"""Prometheus metrics at ``/metrics``: HTTP requests, connection pool, WebSocket connections.

No client library: the text exposition format is small, and a pure ASGI middleware that does a
dict update and a bisect per request costs next to nothing. Metrics are per process: with
several workers a scrape sees the worker that answers it, so scale by instances (one worker
each) when the figures matter.
"""

from __future__ import annotations

import hmac
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping

from litestar import Response, get
from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from rhythm.web.params import AnyRequest
from rhythm.web.problems import Problem, problem_response
from rhythm.web.security import bearer_credential

# Litestar appends "; charset=utf-8" to text media types.
MEDIA_TYPE = "text/plain; version=0.0.4"
# Seconds; covers a fast cached read (1 ms) up to a request held by a slow database (10 s).
BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
)
# Anything else a client sends as a method becomes "other": labels must stay a small set.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"
# psycopg_pool get_stats() keys exported as gauges (current values) and counters (since start).
_POOL_GAUGES = {
    "pool_min": "Minimum number of connections kept",
    "pool_max": "Maximum number of connections",
    "pool_size": "Connections open now (idle, in use or being prepared)",
    "pool_available": "Idle connections ready to be borrowed",
    "requests_waiting": "Requests waiting for a connection now",
}
_POOL_COUNTERS = {
    "requests_num": ("requests_total", 1, "Connections borrowed"),
    "requests_queued": ("requests_queued_total", 1, "Borrows that had to wait"),
    "requests_errors": ("requests_errors_total", 1, "Borrows that failed (timeout, closed pool)"),
    "requests_wait_ms": ("requests_wait_seconds_total", 1000, "Time spent waiting to borrow"),
    "usage_ms": ("usage_seconds_total", 1000, "Time connections were held by borrowers"),
    "connections_lost": ("connections_lost_total", 1, "Connections found broken"),
}


class _Series:
    """One histogram series: a count per bucket (not cumulative), the sum and the count."""

    __slots__ = ("buckets", "count", "sum")

    def __init__(self, size: int) -> None:
        self.buckets = [0] * size
        self.sum = 0.0
        self.count = 0


class Metrics:
    """The process's metrics. No lock: only the event loop's thread touches them (the
    middleware and the route are async), and no ``await`` splits an update."""

    def __init__(self, buckets: tuple[float, ...] = BUCKETS) -> None:
        self._bounds = buckets
        self._requests: dict[tuple[str, str, str], _Series] = {}
        self._websockets: dict[str, int] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method if method in _METHODS else "other", route, str(status))
        series = self._requests.get(key)
        if series is None:
            series = self._requests[key] = _Series(len(self._bounds) + 1)
        series.buckets[bisect_left(self._bounds, seconds)] += 1
        series.sum += seconds
        series.count += 1

    def websocket_opened(self, route: str) -> None:
        self._websockets[route] = self._websockets.get(route, 0) + 1

    def websocket_closed(self, route: str) -> None:
        self._websockets[route] = self._websockets.get(route, 0) - 1

    def render(self, pool_stats: Mapping[str, int] | None = None) -> str:
        """The exposition text: requests, WebSockets and, when given, the pool's statistics."""
        requests = [(key, s.buckets, s.sum, s.count) for key, s in self._requests.items()]
        websockets = self._websockets
        lines: list[str] = []
        _header(lines, "rhythm_http_requests_total", "counter", "HTTP requests answered")
        for (method, route, status), _, _, count in requests:
            labels = _labels(method=method, route=route, status=status)
            lines.append(f"rhythm_http_requests_total{labels} {count}")
        name = "rhythm_http_request_duration_seconds"
        _header(lines, name, "histogram", "Time from request to the end of the response")
        for (method, route, status), buckets, total, count in requests:
            cumulative = 0
            for bound, hits in zip((*self._bounds, float("inf")), buckets, strict=True):
                cumulative += hits
                le = "+Inf" if bound == float("inf") else repr(float(bound))
                labels = _labels(method=method, route=route, status=status, le=le)
                lines.append(f"{name}_bucket{labels} {cumulative}")
            labels = _labels(method=method, route=route, status=status)
            lines.append(f"{name}_sum{labels} {total!r}")
            lines.append(f"{name}_count{labels} {count}")
        _header(lines, "rhythm_websocket_connections", "gauge", "WebSocket connections open now")
        for route, open_now in websockets.items():
            lines.append(f"rhythm_websocket_connections{_labels(route=route)} {open_now}")
        if pool_stats is not None:
            _pool_lines(lines, pool_stats)
        return "\n".join(lines) + "\n"


def _pool_lines(lines: list[str], stats: Mapping[str, int]) -> None:
    for key, help_text in _POOL_GAUGES.items():
        _header(lines, f"rhythm_db_{key}", "gauge", help_text)
        lines.append(f"rhythm_db_{key} {stats.get(key, 0)}")
    in_use = stats.get("pool_size", 0) - stats.get("pool_available", 0)
    _header(lines, "rhythm_db_pool_in_use", "gauge", "Connections borrowed now")
    lines.append(f"rhythm_db_pool_in_use {in_use}")
    for key, (suffix, divisor, help_text) in _POOL_COUNTERS.items():
        _header(lines, f"rhythm_db_pool_{suffix}", "counter", help_text)
        value = stats.get(key, 0)  # psycopg_pool omits counters that are still zero
        lines.append(f"rhythm_db_pool_{suffix} {value / divisor if divisor != 1 else value}")


def _header(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


# The process-wide registry that the middleware and the route use unless given another.
METRICS = Metrics()


def route_of(scope: Scope) -> str:
    """The route template Litestar matched (``/api/v1/rooms/{room_id}``), never the raw
    path: raw paths carry ids and would make one series per id."""
    template = scope.get("path_template")
    return template if isinstance(template, str) and template else UNMATCHED_ROUTE


def metrics_middleware(app: ASGIApp, metrics: Metrics = METRICS) -> ASGIApp:
    """Count and time every HTTP request; track open WebSockets. Wrap ``app.asgi_handler``."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            await _http(app, metrics, scope, receive, send)
        elif scope["type"] == ScopeType.WEBSOCKET:
            await _websocket(app, metrics, scope, receive, send)
        else:
            await app(scope, receive, send)

    return middleware


async def _http(app: ASGIApp, metrics: Metrics, scope: Scope, receive: Receive, send: Send) -> None:
    status = 500  # an exception before the response started is what the client sees as a 500
    started = time.perf_counter()

    async def send_status(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    try:
        await app(scope, receive, send_status)
    finally:
        metrics.observe(
            str(scope.get("method", "GET")), route_of(scope), status, time.perf_counter() - started
        )


async def _websocket(
    app: ASGIApp, metrics: Metrics, scope: Scope, receive: Receive, send: Send
) -> None:
    accepted: list[str] = []  # the route, once the app accepted the connection

    async def send_accept(message: Message) -> None:
        await send(message)
        if message["type"] == "websocket.accept" and not accepted:
            accepted.append(route_of(scope))
            metrics.websocket_opened(accepted[0])

    try:
        await app(scope, receive, send_accept)
    finally:
        if accepted:
            metrics.websocket_closed(accepted[0])


def _bearer(headers: Iterable[tuple[str, str]]) -> str | None:
    for name, value in headers:
        if name.lower() == "authorization":
            return bearer_credential(value)
    return None


def metrics_routes(
    token: str | None,
    metrics: Metrics = METRICS,
    pool_stats: Callable[[], Mapping[str, int]] | None = None,
) -> list[HTTPRouteHandler]:
    """``GET /metrics``; with a ``token``, only for ``Authorization: Bearer <token>``.

    Outside the JWT middleware (``exclude_from_auth``) and the OpenAPI document. The pool's
    statistics come from ``pool_stats`` when given.
    """

    @get(
        "/metrics",
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )
    async def metrics_endpoint(
        request: AnyRequest,
    ) -> Response[str] | Response[Problem]:
        if token is not None:
            given = _bearer(request.headers.items())
            if given is None or not hmac.compare_digest(given.encode(), token.encode()):
                return problem_response(
                    request,
                    401,
                    "a metrics token is required",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        stats = pool_stats() if pool_stats is not None else None
        return Response(metrics.render(stats), media_type=MEDIA_TYPE)

    return [metrics_endpoint]

"""/metrics: Prometheus text by route template and status, pool statistics, WebSockets, token."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar, WebSocket, get, websocket
from litestar.params import FromPath
from litestar.testing import AsyncTestClient, TestClient
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from rhythm.web.metrics import Metrics, metrics_middleware, metrics_routes

TOKEN = "metrics-token-0123456789abcdef"
# A sample line of the exposition format: name{labels} value
_SAMPLE = re.compile(
    r'^[a-z_:][a-z0-9_:]*(\{([a-z_]+="([^"\\]|\\.)*",?)*\})?'
    r" (-?[0-9.]+(e[+-]?[0-9]+)?|[+-]Inf|NaN)$"
)


@get("/items/{item_id:int}", sync_to_thread=False)
def item(item_id: FromPath[int]) -> dict[str, int]:
    return {"id": item_id}


@get("/boom", sync_to_thread=False)
def boom() -> None:
    raise RuntimeError("boom")


@websocket("/ws")
async def echo_once(socket: WebSocket[Any, Any, Any]) -> None:
    await socket.accept()
    await socket.receive_text()
    await socket.close()


def _app(
    metrics: Metrics, token: str | None, pool: AsyncConnectionPool[Any] | None = None
) -> Litestar:
    stats = pool.get_stats if pool is not None else None
    app = Litestar(
        route_handlers=[item, boom, echo_once, *metrics_routes(token, metrics, stats)],
        logging_config=None,
    )
    app.asgi_handler = metrics_middleware(app.asgi_handler, metrics)
    return app


@pytest.fixture
async def client() -> AsyncIterator[tuple[AsyncTestClient[Litestar], Metrics]]:
    metrics = Metrics()
    async with AsyncTestClient(_app(metrics, None)) as test_client:
        yield test_client, metrics


def _samples(text: str) -> dict[str, float]:
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ .+$", line), line
            continue
        assert _SAMPLE.match(line), line
        name, _, value = line.rpartition(" ")
        samples[name] = float(value)
    return samples


async def test_requests_are_counted_by_route_template_and_status(
    client: tuple[AsyncTestClient[Litestar], Metrics],
) -> None:
    http, _ = client
    for item_id in (1, 2, 3):
        assert (await http.get(f"/items/{item_id}")).status_code == 200
    assert (await http.get("/items/x")).status_code == 404  # no route takes a non-int id
    assert (await http.get("/nowhere/42")).status_code == 404
    assert (await http.get("/boom")).status_code == 500
    assert (await http.request("BREW", "/items/1")).status_code == 405
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = _samples(response.text)
    total = "rhythm_http_requests_total"
    assert samples[f'{total}{{method="GET",route="/items/{{item_id}}",status="200"}}'] == 3
    assert samples[f'{total}{{method="GET",route="unmatched",status="404"}}'] == 2
    assert samples[f'{total}{{method="GET",route="/boom",status="500"}}'] == 1
    assert samples[f'{total}{{method="other",route="unmatched",status="405"}}'] == 1
    assert not any("/items/1" in name or "/nowhere" in name for name in samples), "raw paths"


async def test_latency_histogram_is_cumulative_and_ends_at_the_count(
    client: tuple[AsyncTestClient[Litestar], Metrics],
) -> None:
    http, _ = client
    for _ in range(5):
        await http.get("/items/7")
    samples = _samples((await http.get("/metrics")).text)
    series = 'method="GET",route="/items/{item_id}",status="200"'
    name = "rhythm_http_request_duration_seconds"
    buckets = [v for k, v in samples.items() if k.startswith(f"{name}_bucket{{{series}")]
    assert buckets == sorted(buckets), "buckets are cumulative"
    assert samples[f'{name}_bucket{{{series},le="+Inf"}}'] == 5
    assert samples[f"{name}_count{{{series}}}"] == 5
    assert 0 < samples[f"{name}_sum{{{series}}}"] < 5


def test_websocket_connections_gauge() -> None:
    metrics = Metrics()
    gauge = 'rhythm_websocket_connections{route="/ws"}'
    with TestClient(_app(metrics, None)) as http:
        with http.websocket_connect("/ws") as ws:
            assert _samples(metrics.render())[gauge] == 1
            ws.send_text("bye")
        for _ in range(100):  # the server side finishes just after the client's close
            if _samples(metrics.render()).get(gauge) == 0:
                break
            time.sleep(0.01)
    assert _samples(metrics.render())[gauge] == 0


async def test_a_configured_token_is_required() -> None:
    metrics = Metrics()
    async with AsyncTestClient(_app(metrics, TOKEN)) as http:
        missing = await http.get("/metrics")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        assert missing.headers["content-type"] == "application/problem+json"
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        basic = await http.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        assert basic.status_code == 401
        right = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert "rhythm_http_requests_total" in right.text


async def test_not_in_the_openapi_document() -> None:
    app = _app(Metrics(), None)
    assert "/metrics" not in (app.openapi_schema.paths or {})


async def test_pool_statistics_of_a_real_pool(database_url: str) -> None:
    pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
        database_url, min_size=1, max_size=3, open=False
    )
    await pool.open(wait=True)
    try:
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
            metrics = Metrics()
            async with AsyncTestClient(_app(metrics, None, pool)) as http:
                held = _samples((await http.get("/metrics")).text)
        async with AsyncTestClient(_app(metrics, None, pool)) as http:
            after = _samples((await http.get("/metrics")).text)
    finally:
        await pool.close()
    assert held["rhythm_db_pool_max"] == 3
    assert held["rhythm_db_pool_in_use"] == 1
    assert held["rhythm_db_pool_size"] >= 1
    assert held["rhythm_db_requests_waiting"] == 0
    assert after["rhythm_db_pool_in_use"] == 0
    assert after["rhythm_db_pool_requests_total"] >= 1
    assert after["rhythm_db_pool_usage_seconds_total"] >= 0


def test_render_escapes_label_values() -> None:
    metrics = Metrics()
    metrics.observe("GET", 'a"b\\c\nd', 200, 0.01)
    text = metrics.render()
    assert 'route="a\\"b\\\\c\\nd"' in text
    _samples(text)

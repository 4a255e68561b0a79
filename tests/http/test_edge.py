"""Refusals at the edge are problem details too: an oversized head, a refused CORS preflight."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from rhythm.web.edge import MAX_HEAD_BYTES
from rhythm.web.middleware import SECURITY_HEADERS
from tests.conftest import settings_for

ORIGIN = "https://game.example"


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(settings_for(database_url, cors_origins=(ORIGIN,)))
    async with AsyncTestClient(app) as client:
        yield client


def assert_problem(response: httpx.Response, status: int, detail: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": response.reason_phrase,
        "status": status,
        "detail": detail,
        "instance": response.request.url.path,
        "request_id": response.headers["x-request-id"],
    }
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()


async def test_head_at_the_limit_passes(client: AsyncTestClient[Litestar]) -> None:
    # The target and the client's own headers take some of the budget: fill the rest exactly.
    probe = client.build_request("GET", "/health/live", headers={"X-Big": ""})
    used = len(b"/health/live") + sum(len(k) + len(v) for k, v in probe.headers.raw)
    response = await client.get("/health/live", headers={"X-Big": "a" * (MAX_HEAD_BYTES - used)})
    assert response.status_code == 200


async def test_head_over_the_limit_is_431(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live", headers={"X-Big": "a" * MAX_HEAD_BYTES})
    detail = f"the request target and headers exceed {MAX_HEAD_BYTES} bytes"
    assert_problem(response, 431, detail)


async def test_many_headers_count_together(client: AsyncTestClient[Litestar]) -> None:
    headers = [(f"x-h{i}", "a" * 1000) for i in range(40)]  # each small, 40 KB together
    response = await client.get("/health/live", headers=headers)
    assert response.status_code == 431


async def test_long_query_string_counts(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live", params={"q": "a" * MAX_HEAD_BYTES})
    assert response.status_code == 431


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({"Origin": "https://evil.example"}, "Disallowed CORS Origin"),
        ({"Origin": "null"}, "Disallowed CORS Origin"),
        ({"Origin": ORIGIN, "Access-Control-Request-Method": "TRACE"}, "Disallowed CORS method"),
        (
            {"Origin": ORIGIN, "Access-Control-Request-Headers": "X-Secret"},
            "Disallowed CORS headers",
        ),
        (
            {"Origin": "https://evil.example", "Access-Control-Request-Method": "TRACE"},
            "Disallowed CORS method, Origin",
        ),
    ],
)
async def test_refused_preflight_is_a_problem(
    cors_client: AsyncTestClient[Litestar], headers: dict[str, str], detail: str
) -> None:
    response = await cors_client.options("/api/v1/users/me", headers=headers)
    assert_problem(response, 400, detail)
    assert "access-control-allow-origin" not in response.headers


async def test_allowed_preflight_is_unchanged(cors_client: AsyncTestClient[Litestar]) -> None:
    response = await cors_client.options(
        "/api/v1/users/me",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-max-age"] == "600"


async def test_other_errors_with_an_origin_are_untouched(
    cors_client: AsyncTestClient[Litestar],
) -> None:
    response = await cors_client.post(
        "/api/v1/auth/login",
        content=b"{",
        headers={"Origin": ORIGIN, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["access-control-allow-origin"] == ORIGIN

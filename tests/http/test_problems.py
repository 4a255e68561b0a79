"""Errors are RFC 9457 problem details, never HTML or a stack trace; headers and CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from rhythm.web.middleware import SECURITY_HEADERS
from tests.conftest import settings_for


async def test_not_found(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "nothing is at this path",
        "instance": "/api/v1/nothing",
        "request_id": response.headers["x-request-id"],
    }


async def test_method_not_allowed(client: AsyncTestClient[Litestar]) -> None:
    response = await client.delete("/health/live")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Method Not Allowed"
    assert response.json()["detail"] == (
        "this path does not take this method; the Allow header lists those it takes"
    )


async def test_every_problem_has_a_detail(client: AsyncTestClient[Litestar]) -> None:
    answers = [
        await client.get("/api/v1/rooms/abc"),  # no route
        await client.get("/schema/nothing"),  # under the docs
        await client.put("/api/v1/rooms"),
        await client.post("/api/v1/auth/register", content=b"x" * 2_000_000),
        await client.get("/api/v1/users/me"),
    ]
    for answer in answers:
        body = answer.json()
        assert answer.status_code >= 400
        assert isinstance(body["detail"], str), answer.request.url
        assert body["detail"], answer.request.url
        assert body["detail"] != body["title"], answer.request.url


async def test_security_headers_on_every_response(client: AsyncTestClient[Litestar]) -> None:
    for response in (await client.get("/health/live"), await client.get("/missing")):
        for name, value in SECURITY_HEADERS:
            assert response.headers[name.decode()] == value.decode()


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(settings_for(database_url, cors_origins=("https://game.example",)))
    async with AsyncTestClient(app) as client:
        yield client


async def test_cors_allows_configured_origin(cors_client: AsyncTestClient[Litestar]) -> None:
    response = await cors_client.options(
        "/health/live",
        headers={"Origin": "https://game.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == "https://game.example"


async def test_cors_refuses_other_origins(cors_client: AsyncTestClient[Litestar]) -> None:
    response = await cors_client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_no_cors_by_default(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live", headers={"Origin": "https://game.example"})
    assert "access-control-allow-origin" not in response.headers

"""Small helpers shared by the HTTP tests: accounts, tokens, problem checks."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
PASSWORD = "correct horse battery"


async def register(client: Client, name: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": f"{name}@example.com", "display_name": name, "password": password},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def promote(database_url: str, user_id: int, role: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute("UPDATE users SET role = %s WHERE id = %s", (role, user_id))


async def staff(client: Client, database_url: str, name: str, role: str) -> dict[str, Any]:
    """An account with ``role``, logged in again so that its token carries the role."""
    session = await register(client, name)
    await promote(database_url, session["user"]["id"], role)
    response = await client.post(
        "/api/v1/auth/login", json={"email": f"{name}@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert "Traceback" not in response.text
    return body

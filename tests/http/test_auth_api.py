"""/api/v1/auth over HTTP: every endpoint, success and error paths, as problem details."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from rhythm.app.settings import DEV_JWT_SECRET
from tests.conftest import settings_for
from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register


async def test_register_returns_a_session_without_secrets(client: Client) -> None:
    session = await register(client, "ada")
    assert session["token_type"] == "Bearer"
    assert 0 < session["expires_in"] <= 900
    assert len(session["refresh_token"]) >= 40
    user = session["user"]
    assert user["email"] == "ada@example.com"
    assert user["role"] == "USER"
    assert set(user) == {
        "id",
        "email",
        "display_name",
        "role",
        "is_active",
        "created_at",
        "updated_at",
    }
    assert "argon2" not in str(session)


async def test_register_duplicate_email_is_409(client: Client) -> None:
    await register(client, "ada")
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "ADA@example.com", "display_name": "x", "password": PASSWORD},
    )
    assert_problem(response, 409)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "display_name": "x", "password": PASSWORD},
        {"email": "a@example.com", "display_name": "", "password": PASSWORD},
        {"email": "a@example.com", "display_name": "x", "password": "short"},
        {"email": "a@example.com", "display_name": "x"},
        {"email": "a@example.com", "display_name": "x", "password": PASSWORD, "admin": True},
        {"email": 42, "display_name": "x", "password": PASSWORD},
    ],
)
async def test_register_bad_bodies_are_400(client: Client, body: dict[str, Any]) -> None:
    problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 400)
    assert problem["detail"]


async def test_malformed_json_is_400(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


async def test_oversized_body_is_413(client: Client) -> None:
    huge = b'{"email": "' + b"a" * 2_000_000 + b'"}'
    response = await client.post(
        "/api/v1/auth/login", content=huge, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)


async def test_login(client: Client) -> None:
    await register(client, "ada")
    response = await client.post(
        "/api/v1/auth/login", json={"email": "Ada@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "ada@example.com"


async def test_login_failures_are_identical(client: Client) -> None:
    await register(client, "ada")
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "wrong password"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong password"}
    )
    one, two = assert_problem(wrong, 401), assert_problem(unknown, 401)
    assert one["detail"] == two["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_login_rate_limit_is_429_with_retry_after(database_url: str) -> None:
    from litestar.testing import AsyncTestClient

    from rhythm.app.factory import create_app

    app = create_app(settings_for(database_url, login_rate_limit=3))
    async with AsyncTestClient(app) as limited:
        for _ in range(3):
            response = await limited.post(
                "/api/v1/auth/login", json={"email": "x@example.com", "password": "password1"}
            )
            assert_problem(response, 401)
        response = await limited.post(
            "/api/v1/auth/login", json={"email": "x@example.com", "password": "password1"}
        )
        assert_problem(response, 429)
        assert 1 <= int(response.headers["retry-after"]) <= 60


async def test_refresh_rotates_and_reuse_revokes(client: Client) -> None:
    first = await register(client, "ada")
    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]

    reuse = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert_problem(reuse, 401)
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert_problem(after, 401)


async def test_refresh_with_garbage_is_401(client: Client) -> None:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert_problem(response, 401)


async def test_logout_ends_this_session_only(client: Client) -> None:
    one = await register(client, "ada")
    two = (
        await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
    ).json()
    response = await client.post("/api/v1/auth/logout", headers=bearer(one))
    assert response.status_code == 204
    dead = await client.post("/api/v1/auth/refresh", json={"refresh_token": one["refresh_token"]})
    assert_problem(dead, 401)
    alive = await client.post("/api/v1/auth/refresh", json={"refresh_token": two["refresh_token"]})
    assert alive.status_code == 200


async def test_logout_all(client: Client) -> None:
    one = await register(client, "ada")
    two = (
        await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
    ).json()
    assert (await client.post("/api/v1/auth/logout-all", headers=bearer(two))).status_code == 204
    for session in (one, two):
        response = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        assert_problem(response, 401)


@pytest.mark.parametrize("path", ["/api/v1/auth/logout", "/api/v1/auth/logout-all"])
async def test_logout_needs_a_token(client: Client, path: str) -> None:
    assert_problem(await client.post(path), 401)


def _forge(claims: dict[str, Any], key: str = DEV_JWT_SECRET, alg: str = "HS256") -> str:
    base = {
        "sub": "1",
        "role": "ADMIN",
        "sid": "00000000-0000-0000-0000-000000000000",
        "iss": "rhythm-backend",
        "aud": "rhythm-api",
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
        "jti": "x",
    }
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, key, algorithm=alg)


@pytest.mark.parametrize(
    "token",
    [
        _forge({}, key="another-secret-another-secret-0123456789"),
        _forge({"exp": int(time.time()) - 10}),
        _forge({"aud": "someone-else"}),
        _forge({"iss": "someone-else"}),
        _forge({"jti": None}),
        _forge({"nbf": int(time.time()) + 600}),
        jwt.encode({"sub": "1", "role": "ADMIN"}, "", algorithm="none"),
        "not.a.jwt",
    ],
    ids=["bad-signature", "expired", "audience", "issuer", "no-jti", "not-yet", "alg-none", "junk"],
)
async def test_bad_access_tokens_are_401(client: Client, token: str) -> None:
    response = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)

"""The audit trail through the API on PostgreSQL: a scripted walk, then the admin's view of it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from loguru import logger

from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register, staff

WALK = [
    "login.failed",
    "login.succeeded",
    "session.reuse_detected",
    "user.role_changed",
    "user.disabled",
    "user.enabled",
    "login.succeeded",
    "password.changed",
    "session.logout_all",
    "login.succeeded",
    "session.logout",
]


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    sink = io.StringIO()
    handler = logger.add(sink, serialize=True, level="INFO")
    yield sink
    logger.remove(handler)


async def walk(client: Client, admin: dict[str, Any]) -> int:
    """Every audited operation once; returns the id of the account walked through."""
    ada = await register(client, "ada")
    ada_id = ada["user"]["id"]
    login = {"email": "ada@example.com", "password": PASSWORD}
    bad = await client.post("/api/v1/auth/login", json={**login, "password": "wrong password"})
    assert bad.status_code == 401
    first = (await client.post("/api/v1/auth/login", json=login)).json()
    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200
    reused = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 401
    for path, body in (
        (f"/api/v1/users/{ada_id}/role", {"role": "MODERATOR"}),
        (f"/api/v1/users/{ada_id}/disable", None),
        (f"/api/v1/users/{ada_id}/enable", None),
    ):
        call = client.patch if body else client.post
        response = await call(path, json=body, headers=bearer(admin))
        assert response.status_code == 200, response.text
    again = (await client.post("/api/v1/auth/login", json=login)).json()
    change = {"current_password": PASSWORD, "new_password": "another long password"}
    response = await client.patch("/api/v1/users/me", json=change, headers=bearer(again))
    assert response.status_code == 200
    # Logging out everywhere ends this access token at once: log out once more with a new one.
    response = await client.post("/api/v1/auth/logout-all", headers=bearer(again))
    assert response.status_code == 204
    login["password"] = change["new_password"]
    last = (await client.post("/api/v1/auth/login", json=login)).json()
    response = await client.post("/api/v1/auth/logout", headers=bearer(last))
    assert response.status_code == 204
    return int(ada_id)


async def audit_page(client: Client, admin: dict[str, Any], query: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/audit?{query}", headers=bearer(admin))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_walk_leaves_every_event_in_the_trail_and_the_log(
    client: Client, database_url: str, log: io.StringIO
) -> None:
    admin = await staff(client, database_url, "root", "ADMIN")
    ada_id = await walk(client, admin)
    page = await audit_page(client, admin, f"user_id={ada_id}&limit=100")
    events = list(reversed(page["items"]))
    assert [e["type"] for e in events] == WALK
    assert page["next"] is None
    role = events[3]
    assert (role["actor_id"], role["target_id"]) == (admin["user"]["id"], ada_id)
    assert role["details"] == {"role": "MODERATOR"}
    assert all(e["request_id"] for e in events)
    logged = [
        json.loads(line)["record"]["extra"]
        for line in log.getvalue().splitlines()
        if "audit" in json.loads(line)["record"]["extra"]
    ]
    mine = [entry for entry in logged if ada_id in (entry["actor_id"], entry["target_id"])]
    assert [entry["audit"] for entry in mine] == WALK
    assert [entry["request_id"] for entry in mine] == [e["request_id"] for e in events]
    assert PASSWORD not in log.getvalue()


async def test_the_request_id_of_the_request_is_on_the_event(
    client: Client, database_url: str
) -> None:
    admin = await staff(client, database_url, "root", "ADMIN")
    await register(client, "ada")
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": PASSWORD},
        headers={"X-Request-ID": "walk-42"},
    )
    assert response.status_code == 200
    (event,) = (await audit_page(client, admin, "type=login.succeeded&user_id=2"))["items"]
    assert event["request_id"] == "walk-42"


async def test_keyset_pages_and_type_filter(client: Client, database_url: str) -> None:
    admin = await staff(client, database_url, "root", "ADMIN")
    await register(client, "ada")
    for _ in range(3):
        bad = {"email": "ada@example.com", "password": "not the password"}
        assert (await client.post("/api/v1/auth/login", json=bad)).status_code == 401
    first = await audit_page(client, admin, "type=login.failed&limit=2")
    assert len(first["items"]) == 2
    assert first["next"]
    rest = await audit_page(client, admin, f"type=login.failed&limit=2&cursor={first['next']}")
    assert len(rest["items"]) == 1
    assert rest["next"] is None
    ids = [e["id"] for e in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True)


async def test_only_admins_read_the_trail(client: Client, database_url: str) -> None:
    moderator = await staff(client, database_url, "mod", "MODERATOR")
    assert_problem(await client.get("/api/v1/audit", headers=bearer(moderator)), 403)
    assert_problem(await client.get("/api/v1/audit"), 401)
    admin = await staff(client, database_url, "root", "ADMIN")
    assert_problem(await client.get("/api/v1/audit?type=nope", headers=bearer(admin)), 400)

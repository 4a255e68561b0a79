"""Attempt limits seen from outside: password re-checks limited per account and audited, and
a login limit that failures from other addresses cannot turn into a lock-out of the owner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register

LIMIT = 3
LOGIN = "/api/v1/auth/login"


@pytest.fixture
async def limited(database_url: str) -> AsyncIterator[Client]:
    """The app with a login limit of 3, behind uvicorn's proxy-header handling (trusting the
    test client), so X-Forwarded-For names the client address as it does in production."""
    app = create_app(settings_for(database_url, login_rate_limit=LIMIT, login_rate_window_s=600))
    proxied = ProxyHeadersMiddleware(cast(Any, app.asgi_handler), trusted_hosts="*")
    app.asgi_handler = cast(ASGIApp, proxied)
    async with AsyncTestClient(app) as client:
        yield client


async def _failed_checks(database_url: str, user_id: int) -> list[dict[str, Any]]:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cursor = await conn.execute(
            "SELECT actor_id, target_id, details FROM audit_events"
            " WHERE event_type = 'password.check_failed' AND target_id = %s ORDER BY id",
            (user_id,),
        )
        return [
            {"actor_id": actor, "target_id": target, "details": details}
            for actor, target, details in await cursor.fetchall()
        ]


# (method, path, body with a wrong password, what a wrong password is called in the audit)
RECHECKS = [
    (
        "PATCH",
        "/api/v1/users/me",
        {"current_password": "wrong", "new_password": "another good password"},
        "password change",
    ),
    ("POST", "/api/v1/account/delete", {"password": "wrong"}, "account deletion"),
    (
        "PUT",
        "/api/v1/account/email",
        {"new_email": "new@example.com", "password": "wrong"},
        "email change",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "wrong", "action"), RECHECKS, ids=[r[1] for r in RECHECKS]
)
async def test_password_rechecks_are_limited_per_account_and_audited(
    limited: Client,
    database_url: str,
    method: str,
    path: str,
    wrong: dict[str, Any],
    action: str,
) -> None:
    session = await register(limited, "ada")
    headers = bearer(session)
    for n in range(LIMIT):
        body = {k: f"{v}{n}" if "password" in k and v == "wrong" else v for k, v in wrong.items()}
        response = await limited.request(method, path, json=body, headers=headers)
        assert_problem(response, 403)
    right = {k: PASSWORD if v == "wrong" else v for k, v in wrong.items()}
    blocked = await limited.request(method, path, json=right, headers=headers)
    assert_problem(blocked, 429)
    assert 1 <= int(blocked.headers["retry-after"]) <= 600
    me = await limited.get("/api/v1/users/me", headers=headers)
    assert me.status_code == 200  # nothing changed, nothing deleted
    assert me.json()["email"] == "ada@example.com"
    user_id = session["user"]["id"]
    events = await _failed_checks(database_url, user_id)
    assert (
        events
        == [{"actor_id": user_id, "target_id": user_id, "details": {"action": action}}] * LIMIT
    )


async def test_another_account_is_not_limited_by_these_failures(limited: Client) -> None:
    ada, bob = await register(limited, "ada"), await register(limited, "bob")
    for _ in range(LIMIT + 1):
        await limited.post("/api/v1/account/delete", json={"password": "x"}, headers=bearer(ada))
    response = await limited.post(
        "/api/v1/account/delete", json={"password": "x"}, headers=bearer(bob)
    )
    assert_problem(response, 403)


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def test_failures_from_other_addresses_do_not_lock_the_owner_out(limited: Client) -> None:
    await register(limited, "ada")
    wrong = {"email": "ada@example.com", "password": "a wrong guess"}
    for n in range(LIMIT * 3):  # each attacker address stays under its own limit
        assert_problem(await limited.post(LOGIN, json=wrong, headers=_from(f"192.0.2.{n}")), 401)
    right = {"email": "ada@example.com", "password": PASSWORD}
    owner = await limited.post(LOGIN, json=right, headers=_from("198.51.100.7"))
    assert owner.status_code == 200, owner.text


async def test_one_address_failing_for_an_email_is_limited_there_only(limited: Client) -> None:
    await register(limited, "ada")
    wrong = {"email": "ada@example.com", "password": "a wrong guess"}
    for _ in range(LIMIT):
        assert_problem(await limited.post(LOGIN, json=wrong, headers=_from("192.0.2.1")), 401)
    right = {"email": "ada@example.com", "password": PASSWORD}
    assert_problem(await limited.post(LOGIN, json=right, headers=_from("192.0.2.1")), 429)
    assert (await limited.post(LOGIN, json=right, headers=_from("192.0.2.2"))).status_code == 200


async def test_guesses_spread_over_many_addresses_are_bounded(limited: Client) -> None:
    await register(limited, "ada")
    wrong = {"email": "ada@example.com", "password": "a wrong guess"}
    for n in range(LIMIT * 10):  # one guess per address: only the email-wide limit counts
        assert_problem(await limited.post(LOGIN, json=wrong, headers=_from(f"10.0.{n}.1")), 401)
    right = {"email": "ada@example.com", "password": PASSWORD}
    blocked = await limited.post(LOGIN, json=right, headers=_from("198.51.100.7"))
    assert_problem(blocked, 429)
    assert "access_token" not in blocked.text

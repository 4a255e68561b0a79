"""The authentication middleware's own rules: where a token may come from, what runs before it
(routing, CORS-free OPTIONS, public paths), and how it refuses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.http.helpers import Client, assert_problem, bearer, register

ME = "/api/v1/users/me"
REVOKED_WITHIN_S = 1.2  # a revoked session holds nowhere after a second (docs/deploy.md)


async def test_a_token_in_an_http_query_string_is_ignored(client: Client) -> None:
    session = await register(client, "ada")
    refused = await client.get(f"{ME}?token={session['access_token']}")
    assert_problem(refused, 401)
    assert refused.headers["www-authenticate"] == "Bearer"
    accepted = await client.get(ME, headers=bearer(session))  # the control
    assert accepted.status_code == 200, accepted.text


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Bearer a.b.c"])
async def test_refusals_are_problem_details_naming_the_scheme(
    client: Client, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    refused = await client.get(ME, headers=headers)
    body = assert_problem(refused, 401)
    assert refused.headers["www-authenticate"] == "Bearer"
    assert body["detail"]


async def test_a_logged_out_session_is_refused_within_a_second(client: Client) -> None:
    session = await register(client, "ada")
    assert (await client.get(ME, headers=bearer(session))).status_code == 200
    ended = await client.post("/api/v1/auth/logout", headers=bearer(session))
    assert ended.status_code == 204, ended.text
    await asyncio.sleep(REVOKED_WITHIN_S)
    assert_problem(await client.get(ME, headers=bearer(session)), 401)


async def test_routing_answers_before_authentication(client: Client) -> None:
    """Unknown paths stay 404 and wrong methods 405 without a token: no 401 that would tell
    a prober nothing, nor hide that the path does not exist."""
    assert_problem(await client.get("/api/v1/no-such-thing"), 404)
    assert_problem(await client.put(ME), 405)
    allow = await client.options(ME)
    assert allow.status_code in (200, 204), allow.text
    assert "GET" in allow.headers["allow"]


async def test_head_is_not_a_way_around_authentication(client: Client) -> None:
    answer = await client.head(ME)
    assert answer.status_code in (401, 405), answer.status_code


async def test_public_paths_need_no_token(client: Client) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/schema/openapi.json")).status_code == 200
    login = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x" * 12}
    )
    assert login.status_code == 401  # the service's answer: the middleware let it through
    assert_problem(login, 401)


@pytest.fixture
def sync_client(database_url: str) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings_for(database_url)), timeout=10) as test_client:
        yield test_client


def _host_of_a_room(client: TestClient[Litestar]) -> tuple[str, str]:
    """A new account's access token and the events path of the room it made."""
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "ada@example.com", "display_name": "ada", "password": "password 123"},
    )
    token = response.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    room = client.post("/api/v1/rooms", json={"name": "r"}, headers=headers).json()
    return token, f"/api/v1/rooms/{room['id']}/events"


def test_a_socket_with_an_ended_session_is_closed_with_4401(
    sync_client: TestClient[Litestar],
) -> None:
    token, events = _host_of_a_room(sync_client)
    headers = {"Authorization": f"Bearer {token}"}
    path = f"{events}?token={token}"
    with sync_client.websocket_connect(path) as ws:  # the control
        assert ws.receive_json(timeout=5)["type"] == "snapshot"
    assert sync_client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    time.sleep(REVOKED_WITHIN_S)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        sync_client.websocket_connect(path) as ws,
    ):
        ws.receive_json(timeout=5)
    assert refused.value.code == 4401


def test_a_socket_token_under_an_encoded_name_is_not_taken(
    sync_client: TestClient[Litestar],
) -> None:
    """Logs redact ``token=`` as sent; a name spelled ``tok%65n`` would carry a token past that."""
    token, events = _host_of_a_room(sync_client)
    with sync_client.websocket_connect(f"{events}?x=1&token={token}") as ws:  # the control
        assert ws.receive_json(timeout=5)["type"] == "snapshot"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        sync_client.websocket_connect(f"{events}?tok%65n={token}") as ws,
    ):
        ws.receive_json(timeout=5)
    assert refused.value.code == 4401

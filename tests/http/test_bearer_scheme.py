"""Only `Authorization: Bearer <token>` carries an access token, on REST and on WebSockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from rhythm.app.factory import create_app
from rhythm.web.security import bearer_credential
from tests.conftest import settings_for

SyncClient = TestClient[Litestar]
WRONG_SCHEMES = ("Basic {}", "Token {}", "Foo {}", "Bearer: {}", "Bearer{}", "{}", "Bearer  ")


@pytest.fixture
def client(database_url: str) -> Iterator[SyncClient]:
    with TestClient(create_app(settings_for(database_url)), timeout=10) as test_client:
        yield test_client


@pytest.fixture
def token(client: SyncClient) -> str:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "ada@example.com", "display_name": "ada", "password": "password 123"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["access_token"])


@pytest.mark.parametrize("scheme", ["Bearer {}", "bearer {}", "BEARER {}", "Bearer   {} "])
def test_the_bearer_scheme_opens_the_api(client: SyncClient, token: str, scheme: str) -> None:
    response = client.get("/api/v1/users/me", headers={"Authorization": scheme.format(token)})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("scheme", WRONG_SCHEMES)
def test_other_schemes_are_refused(client: SyncClient, token: str, scheme: str) -> None:
    headers = {"Authorization": scheme.format(token)}
    me = client.get("/api/v1/users/me", headers=headers)
    assert me.status_code == 401, me.text
    assert me.headers["content-type"] == "application/problem+json"
    room = client.post("/api/v1/rooms", json={"name": "r"}, headers=headers)
    assert room.status_code == 401, room.text


@pytest.mark.parametrize("scheme", WRONG_SCHEMES[:4])
def test_sockets_refuse_other_schemes(client: SyncClient, token: str, scheme: str) -> None:
    ok = {"Authorization": f"Bearer {token}"}
    room = client.post("/api/v1/rooms", json={"name": "r"}, headers=ok).json()
    path = f"/api/v1/rooms/{room['id']}/events"
    with client.websocket_connect(path, headers=ok) as ws:
        assert ws.receive_json(timeout=5)["type"] == "snapshot"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(path, headers={"Authorization": scheme.format(token)}) as ws,
    ):
        ws.receive_json(timeout=5)
    assert refused.value.code == 4401


@pytest.mark.parametrize(
    ("header", "credential"),
    [("Bearer abc", "abc"), ("bEaReR abc ", "abc"), ("Basic abc", None), ("Bearer", None)],
)
def test_bearer_credential(header: str, credential: str | None) -> None:
    assert bearer_credential(header) == credential

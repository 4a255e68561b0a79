"""The room events WebSocket through Litestar's test client, on a real PostgreSQL."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from rhythm.app.factory import create_app, drain
from rhythm.web.rooms.socket import CLOSE_TOO_MANY, MAX_SOCKETS_PER_USER
from tests.conftest import settings_for

SyncClient = TestClient[Litestar]


@pytest.fixture
def sync_client(database_url: str) -> Iterator[SyncClient]:
    with TestClient(create_app(settings_for(database_url)), timeout=10) as client:
        yield client


def register(client: SyncClient, name: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": f"{name}@example.com", "display_name": name, "password": "password 123"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def auth(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


def create_room(client: SyncClient, host: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/rooms", json={"name": "r", **extra}, headers=auth(host))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def events_path(room: dict[str, Any], session: dict[str, Any]) -> str:
    return f"/api/v1/rooms/{room['id']}/events?token={session['access_token']}"


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    message: dict[str, Any] = ws.receive_json(timeout=5)
    return message


def test_snapshot_then_numbered_events(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    with sync_client.websocket_connect(events_path(room, host)) as ws:
        snapshot = receive(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["room"]["id"] == room["id"]
        seq = snapshot["seq"]

        guest = register(sync_client, "guest")
        sync_client.post(f"/api/v1/rooms/{room['id']}/join", headers=auth(guest))
        joined = receive(ws)
        assert joined["type"] == "member_joined"
        assert joined["seq"] == seq + 1
        assert joined["data"]["user_id"] == guest["user"]["id"]
        assert joined["data"]["display_name"] == "guest"

        sync_client.post(f"/api/v1/rooms/{room['id']}/ready", headers=auth(guest))
        ready = receive(ws)
        assert (ready["type"], ready["seq"], ready["data"]["is_ready"]) == (
            "ready_changed",
            seq + 2,
            True,
        )

        sync_client.patch(f"/api/v1/rooms/{room['id']}", json={"song_id": "s"}, headers=auth(host))
        settings = receive(ws)
        assert settings["type"] == "settings_changed"
        assert settings["data"]["song_id"] == "s"

        sync_client.post(f"/api/v1/rooms/{room['id']}/ready", headers=auth(host))
        assert receive(ws)["type"] == "ready_changed"
        sync_client.post(f"/api/v1/rooms/{room['id']}/start", headers=auth(host))
        assert receive(ws)["type"] == "match_started"
        sync_client.post(f"/api/v1/rooms/{room['id']}/finish", headers=auth(host))
        assert receive(ws)["type"] == "match_finished"

        sync_client.post(f"/api/v1/rooms/{room['id']}/leave", headers=auth(host))
        left, handed = receive(ws), receive(ws)
        assert (left["type"], left["data"]["user_id"]) == ("member_left", host["user"]["id"])
        assert (handed["type"], handed["data"]["host_id"]) == ("host_changed", guest["user"]["id"])
        assert handed["seq"] == left["seq"] + 1


def test_room_close_closes_the_socket(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    with sync_client.websocket_connect(events_path(room, host)) as ws:
        receive(ws)
        sync_client.delete(f"/api/v1/rooms/{room['id']}", headers=auth(host))
        assert receive(ws)["type"] == "room_closed"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive(timeout=5)
        assert closed.value.code == 1000


def test_kicked_member_is_disconnected(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    guest = register(sync_client, "guest")
    sync_client.post(f"/api/v1/rooms/{room['id']}/join", headers=auth(guest))
    with sync_client.websocket_connect(events_path(room, guest)) as ws:
        receive(ws)
        sync_client.post(
            f"/api/v1/rooms/{room['id']}/kick/{guest['user']['id']}", headers=auth(host)
        )
        kicked = receive(ws)
        assert kicked["type"] == "member_kicked"
        assert kicked["data"]["by"] == host["user"]["id"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive(timeout=5)
        assert closed.value.code == 4403


def test_ended_session_closes_its_socket_and_no_other(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    guest = register(sync_client, "guest")
    with (
        sync_client.websocket_connect(events_path(room, guest)) as guest_ws,
        sync_client.websocket_connect(events_path(room, host)) as host_ws,
    ):
        receive(guest_ws)
        receive(host_ws)
        ended = sync_client.post("/api/v1/auth/logout", headers=auth(guest))
        assert ended.status_code == 204, ended.text
        with pytest.raises(WebSocketDisconnect) as closed:
            guest_ws.receive(timeout=5)
        assert closed.value.code == 4401
        # The host's socket, on a live session, still carries the room's events.
        joined = sync_client.post(
            f"/api/v1/rooms/{room['id']}/join", headers=auth(register(sync_client, "third"))
        )
        assert joined.status_code == 200, joined.text
        assert receive(host_ws)["type"] == "member_joined"


def test_socket_needs_a_valid_token(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    for path in (
        f"/api/v1/rooms/{room['id']}/events",
        f"/api/v1/rooms/{room['id']}/events?token=x",
    ):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            sync_client.websocket_connect(path) as ws,
        ):
            ws.receive_json(timeout=5)
        assert refused.value.code == 4401


def test_private_room_events_are_for_members(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host, visibility="PRIVATE")
    outsider = register(sync_client, "outsider")
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        sync_client.websocket_connect(events_path(room, outsider)) as ws,
    ):
        ws.receive_json(timeout=5)
    assert refused.value.code == 4404
    with sync_client.websocket_connect(events_path(room, host)) as ws:
        assert receive(ws)["room"]["invite_code"] == room["invite_code"]


def test_rolled_back_change_publishes_nothing(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host, max_players=2)
    with sync_client.websocket_connect(events_path(room, host)) as ws:
        seq = receive(ws)["seq"]
        # A refused join (room full after the first) rolls back: no event for it.
        first, second = register(sync_client, "first"), register(sync_client, "second")
        sync_client.post(f"/api/v1/rooms/{room['id']}/join", headers=auth(first))
        refused = sync_client.post(f"/api/v1/rooms/{room['id']}/join", headers=auth(second))
        assert refused.status_code == 409
        sync_client.post(f"/api/v1/rooms/{room['id']}/leave", headers=auth(first))
        events = [receive(ws), receive(ws)]
        assert [(e["type"], e["seq"]) for e in events] == [
            ("member_joined", seq + 1),
            ("member_left", seq + 2),
        ]


def test_drain_reports_not_ready_and_closes_sockets_with_1001(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    with sync_client.websocket_connect(events_path(room, host)) as ws:
        receive(ws)
        sync_client.blocking_portal.call(drain, sync_client.app)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive(timeout=5)
        assert closed.value.code == 1001
    ready = sync_client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "the instance is shutting down"
    assert sync_client.get("/health/live").status_code == 200


def test_an_account_opens_a_bounded_number_of_sockets(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    with contextlib.ExitStack() as stack:
        open_ones = [
            stack.enter_context(sync_client.websocket_connect(events_path(room, host)))
            for _ in range(MAX_SOCKETS_PER_USER)
        ]
        for ws in open_ones:
            assert receive(ws)["type"] == "snapshot"
        with sync_client.websocket_connect(events_path(room, host)) as refused:
            with pytest.raises(WebSocketDisconnect) as closed:
                refused.receive(timeout=5)
            assert closed.value.code == CLOSE_TOO_MANY
        # Another account is not held back by this one.
        guest = register(sync_client, "guest")
        with sync_client.websocket_connect(events_path(room, guest)) as other:
            assert receive(other)["type"] == "snapshot"
        open_ones[0].close()
        assert _opens_within(sync_client, events_path(room, host), seconds=5)


def _opens_within(client: SyncClient, path: str, seconds: float) -> bool:
    """A socket on ``path`` gets its snapshot within ``seconds`` (the server notices a close
    only once the client's close frame has reached it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with client.websocket_connect(path) as ws:
            try:
                return bool(receive(ws)["type"] == "snapshot")
            except WebSocketDisconnect as closed:
                if closed.code != CLOSE_TOO_MANY:
                    raise
        time.sleep(0.05)
    return False

"""A room socket lasts only while its user may view the room and its access token is valid."""

from __future__ import annotations

import time
from typing import Any

import jwt
import psycopg
import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing.websocket_test_session import WebSocketTestSession

from rhythm.app.settings import DEV_JWT_SECRET
from tests.http.test_room_socket import (
    SyncClient,
    auth,
    create_room,
    events_path,
    receive,
    register,
    sync_client,
)

__all__ = ["sync_client"]  # the fixture, shared with the other socket tests


def closed_code(ws: WebSocketTestSession, timeout_s: float = 5) -> int:
    """The close code of the next frame; fails if it is a message instead."""
    with pytest.raises(WebSocketDisconnect) as closed:
        message = ws.receive(timeout=timeout_s)
        pytest.fail(f"expected a close, got {message}")
    return closed.value.code


def make_private(client: SyncClient, room: dict[str, Any], host: dict[str, Any]) -> None:
    changed = client.patch(
        f"/api/v1/rooms/{room['id']}", json={"visibility": "PRIVATE"}, headers=auth(host)
    )
    assert changed.status_code == 200, changed.text


def test_a_room_turning_private_closes_an_outsiders_socket(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    outsider = register(sync_client, "outsider")
    with sync_client.websocket_connect(events_path(room, outsider)) as ws:
        assert receive(ws)["type"] == "snapshot"
        make_private(sync_client, room, host)
        # Closed before the settings_changed: the outsider may not see the private room.
        assert closed_code(ws) == 4403
    seen = sync_client.get(f"/api/v1/rooms/{room['id']}", headers=auth(outsider))
    assert seen.status_code == 404


def test_a_member_keeps_following_a_room_that_turns_private(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    guest = register(sync_client, "guest")
    sync_client.post(f"/api/v1/rooms/{room['id']}/join", headers=auth(guest))
    with sync_client.websocket_connect(events_path(room, guest)) as ws:
        receive(ws)
        make_private(sync_client, room, host)
        settings = receive(ws)
        assert (settings["type"], settings["data"]["visibility"]) == ("settings_changed", "PRIVATE")
        sync_client.post(f"/api/v1/rooms/{room['id']}/ready", headers=auth(host))
        ready = receive(ws)
        assert (ready["type"], ready["data"]["user_id"]) == ("ready_changed", host["user"]["id"])


def test_leaving_a_private_room_closes_the_leavers_socket(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host, visibility="PRIVATE")
    guest = register(sync_client, "guest")
    joined = sync_client.post(
        f"/api/v1/rooms/{room['id']}/join",
        json={"invite_code": room["invite_code"]},
        headers=auth(guest),
    )
    assert joined.status_code == 200, joined.text
    with (
        sync_client.websocket_connect(events_path(room, guest)) as guest_ws,
        sync_client.websocket_connect(events_path(room, host)) as host_ws,
    ):
        receive(guest_ws)
        receive(host_ws)
        left = sync_client.post(f"/api/v1/rooms/{room['id']}/leave", headers=auth(guest))
        assert left.status_code == 204, left.text
        assert closed_code(guest_ws) == 4403
        # The host, still a member, sees the departure.
        event = receive(host_ws)
        assert (event["type"], event["data"]["user_id"]) == ("member_left", guest["user"]["id"])


def test_leaving_a_public_room_keeps_the_socket(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    guest = register(sync_client, "guest")
    sync_client.post(f"/api/v1/rooms/{room['id']}/join", headers=auth(guest))
    with sync_client.websocket_connect(events_path(room, guest)) as ws:
        receive(ws)
        sync_client.post(f"/api/v1/rooms/{room['id']}/leave", headers=auth(guest))
        assert receive(ws)["type"] == "member_left"
        sync_client.patch(f"/api/v1/rooms/{room['id']}", json={"song_id": "s"}, headers=auth(host))
        assert receive(ws)["type"] == "settings_changed"


def short_lived(session: dict[str, Any], seconds: int) -> dict[str, Any]:
    """``session`` with an access token for the same session that expires in ``seconds``."""
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    now = int(time.time())
    claims.update(iat=now, nbf=now, exp=now + seconds)
    return {**session, "access_token": jwt.encode(claims, DEV_JWT_SECRET, algorithm="HS256")}


def test_a_socket_is_closed_when_its_token_expires(sync_client: SyncClient) -> None:
    host = register(sync_client, "host")
    room = create_room(sync_client, host)
    expiring = short_lived(host, seconds=3)
    with sync_client.websocket_connect(events_path(room, expiring)) as ws:
        receive(ws)
        opened = time.monotonic()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive(timeout=8)
        assert closed.value.code == 4401
        assert "token expired" in closed.value.detail
        assert time.monotonic() - opened < 5


def staff_session(client: SyncClient, database_url: str, name: str, role: str) -> dict[str, Any]:
    """An account given ``role`` in the database, logged in again so its token carries it."""
    user = register(client, name)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE users SET role = %s WHERE id = %s", (role, user["user"]["id"]))
    login = client.post(
        "/api/v1/auth/login", json={"email": f"{name}@example.com", "password": "password 123"}
    )
    assert login.status_code == 200, login.text
    body: dict[str, Any] = login.json()
    return body


def test_staff_demoted_while_watching_a_private_room_is_closed(
    sync_client: SyncClient, database_url: str
) -> None:
    admin = staff_session(sync_client, database_url, "admin", "ADMIN")
    moderator = staff_session(sync_client, database_url, "moderator", "MODERATOR")
    host = register(sync_client, "host")
    room = create_room(sync_client, host, visibility="PRIVATE")
    with sync_client.websocket_connect(events_path(room, moderator)) as ws:
        assert receive(ws)["type"] == "snapshot"  # staff may watch a private room
        demoted = sync_client.patch(
            f"/api/v1/users/{moderator['user']['id']}/role",
            json={"role": "USER"},
            headers=auth(admin),
        )
        assert demoted.status_code == 200, demoted.text
        # No room event comes: the session re-check finds the new role.
        assert closed_code(ws) == 4403

"""Two real server processes on one PostgreSQL: an event made on B reaches a socket on A."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK
from websockets.sync.client import connect

from tests.server_process import serve


@pytest.fixture
def two_instances(database_url: str) -> Iterator[tuple[str, str]]:
    with serve(database_url) as a, serve(database_url) as b:
        yield a.address, b.address


def _register(base: str, name: str) -> dict[str, Any]:
    response = httpx.post(
        f"http://{base}/api/v1/auth/register",
        json={"email": f"{name}@example.com", "display_name": name, "password": "password 123"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_event_crosses_instances(two_instances: tuple[str, str]) -> None:
    a, b = two_instances
    host = _register(a, "host")
    headers = {"Authorization": f"Bearer {host['access_token']}"}
    room = httpx.post(f"http://{a}/api/v1/rooms", json={"name": "x"}, headers=headers).json()

    path = f"ws://{a}/api/v1/rooms/{room['id']}/events?token={host['access_token']}"
    with connect(path, open_timeout=5) as socket:
        snapshot = json.loads(socket.recv(timeout=5))
        assert snapshot["type"] == "snapshot"

        guest = _register(b, "guest")  # the other instance, the other pool
        guest_headers = {"Authorization": f"Bearer {guest['access_token']}"}
        joined = httpx.post(f"http://{b}/api/v1/rooms/{room['id']}/join", headers=guest_headers)
        assert joined.status_code == 200

        event = json.loads(socket.recv(timeout=5))
        assert event["type"] == "member_joined"
        assert event["data"]["user_id"] == guest["user"]["id"]
        assert event["seq"] == snapshot["seq"] + 1

        httpx.delete(f"http://{b}/api/v1/rooms/{room['id']}", headers=headers)
        assert json.loads(socket.recv(timeout=5))["type"] == "room_closed"
        with pytest.raises(ConnectionClosedOK) as closed:
            socket.recv(timeout=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1000


def test_sigterm_closes_room_sockets_with_1001(database_url: str) -> None:
    with serve(database_url) as server:
        host = _register(server.address, "host")
        headers = {"Authorization": f"Bearer {host['access_token']}"}
        room = httpx.post(f"{server.url}/api/v1/rooms", json={"name": "x"}, headers=headers)
        path = (
            f"ws://{server.address}/api/v1/rooms/{room.json()['id']}/events"
            f"?token={host['access_token']}"
        )
        with connect(path, open_timeout=5) as socket:
            assert json.loads(socket.recv(timeout=5))["type"] == "snapshot"
            server.proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosedOK) as closed:
                socket.recv(timeout=10)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1001
        assert server.proc.wait(timeout=15) == 0


def test_refusals_reach_the_client_as_close_codes(two_instances: tuple[str, str]) -> None:
    """Browsers show no code for a refused handshake: the socket opens, then closes with one."""
    a, _ = two_instances
    host = _register(a, "host")
    headers = {"Authorization": f"Bearer {host['access_token']}"}
    room = httpx.post(f"http://{a}/api/v1/rooms", json={"name": "x"}, headers=headers).json()
    cases = {
        f"ws://{a}/api/v1/rooms/{room['id']}/events?token=not-a-token": 4401,
        f"ws://{a}/api/v1/rooms/{room['id']}/events": 4401,
        f"ws://{a}/api/v1/rooms/999999/events?token={host['access_token']}": 4404,
    }
    for path, code in cases.items():
        with connect(path, open_timeout=5) as socket, pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == code

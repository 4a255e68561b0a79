"""The real server bounds what a room socket's client may send: it needs nothing from it."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from rhythm.web.rooms.socket import MAX_CLIENT_FRAME_BYTES
from tests.server_process import serve

MESSAGE_TOO_BIG = 1009


def test_a_frame_over_the_bound_closes_the_socket_and_smaller_ones_are_ignored(
    database_url: str,
) -> None:
    with serve(database_url) as server:
        base = server.address
        host = httpx.post(
            f"http://{base}/api/v1/auth/register",
            json={"email": "h@example.com", "display_name": "h", "password": "password 123"},
        ).json()
        headers = {"Authorization": f"Bearer {host['access_token']}"}
        room = httpx.post(f"http://{base}/api/v1/rooms", json={"name": "x"}, headers=headers)
        path = f"ws://{base}/api/v1/rooms/{room.json()['id']}/events?token={host['access_token']}"
        with connect(path, open_timeout=5, max_size=None) as socket:
            assert json.loads(socket.recv(timeout=5))["type"] == "snapshot"
            socket.send("x" * MAX_CLIENT_FRAME_BYTES)
            socket.send(b"\x00" * 16)
            changed = httpx.patch(
                f"http://{base}/api/v1/rooms/{room.json()['id']}",
                json={"song_id": "s"},
                headers=headers,
            )
            assert changed.status_code == 200
            assert json.loads(socket.recv(timeout=5))["type"] == "settings_changed"
            socket.send("x" * (MAX_CLIENT_FRAME_BYTES + 1))
            with pytest.raises(ConnectionClosedError) as closed:
                socket.recv(timeout=5)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == MESSAGE_TOO_BIG

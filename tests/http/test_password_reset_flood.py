"""Using password-reset links is limited per client address (made-up tokens cost no password
hash, see the service's tests, and their flood is bounded here)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

BOGUS = {"token": "made-up", "new_password": "a brand new password"}
CONFIRM = "/api/v1/account/password-reset/confirm"


async def test_confirms_are_limited_per_client_address(client: AsyncTestClient[Litestar]) -> None:
    for _ in range(20):
        assert (await client.post(CONFIRM, json=BOGUS)).status_code == 422
    limited = await client.post(CONFIRM, json=BOGUS)
    assert limited.status_code == 429, limited.text
    assert 1 <= int(limited.headers["retry-after"]) <= 3600
    assert limited.headers["content-type"].startswith("application/problem+json")

"""/api/v1/account/email over HTTP on PostgreSQL, with email verification required: the profile
state, verifying with the mailed link, changing the address, and every refusal."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register
from tests.http.test_rooms_api import create_room

EMAIL = "/api/v1/account/email"


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[Client]:
    settings = settings_for(
        database_url,
        email_verification=True,
        email_verification_rate_limit=2,
        state_dir=tmp_path,  # the outbox writes each mail under tmp_path/outbox
        public_url="https://rhythm.test",
    )
    async with AsyncTestClient(create_app(settings)) as test_client:
        yield test_client


def outbox_mails(outbox: Path) -> list[tuple[int, str, str, str]]:
    """(written at, to, subject, decoded body) of every mail in the outbox, oldest first."""
    mails = []
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        mails.append((path.stat().st_mtime_ns, message["To"], message["Subject"], payload.decode()))
    return sorted(mails)


async def mailed(outbox: Path, to: str, subject: str, count: int = 1) -> list[str]:
    """The bodies of the mails to ``to`` whose subject has ``subject``, once ``count`` are there
    (delivery runs in the background, on the app's own event loop)."""
    for _ in range(200):
        mails = await asyncio.to_thread(outbox_mails, outbox)
        bodies = [body for _, who, title, body in mails if who == to and subject in title]
        if len(bodies) >= count:
            return bodies
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} mails {subject!r} to {to}")


async def mailed_token(outbox: Path, to: str, count: int = 1) -> str:
    """The token of the newest of ``count`` verification links mailed to ``to``."""
    newest = (await mailed(outbox, to, "Confirm your email", count))[-1]
    return newest.split("verify-email?token=", 1)[1].split()[0]


async def me(client: Client, session: dict[str, Any]) -> dict[str, Any]:
    response = await client.get("/api/v1/users/me", headers=bearer(session))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def audited(database_url: str, event_type: str) -> list[tuple[Any, ...]]:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cursor = await conn.execute(
            "SELECT actor_id, target_id, details FROM audit_events WHERE event_type = %s "
            "ORDER BY id",
            (event_type,),
        )
        return await cursor.fetchall()


async def test_verifying_with_the_mailed_link(
    client: Client, database_url: str, tmp_path: Path
) -> None:
    ada = await register(client, "ada")
    assert (await me(client, ada))["email_verified"] is False
    token = await mailed_token(tmp_path / "outbox", "ada@example.com")
    verify = await client.post(f"{EMAIL}/verify", json={"token": token}, headers=bearer(ada))
    assert verify.status_code == 204, verify.text
    assert (await me(client, ada))["email_verified"] is True
    ada_id = ada["user"]["id"]
    assert await audited(database_url, "email.verified") == [(ada_id, ada_id, {"by": "link"})]
    again = await client.post(f"{EMAIL}/verify", json={"token": token}, headers=bearer(ada))
    assert_problem(again, 422)  # a link works once
    assert_problem(await client.post(f"{EMAIL}/verification", headers=bearer(ada)), 409)
    await create_room(client, ada)


async def test_verify_refusals(client: Client, tmp_path: Path) -> None:
    ada, bob = await register(client, "ada"), await register(client, "bob")
    token = await mailed_token(tmp_path / "outbox", "ada@example.com")
    url = f"{EMAIL}/verify"
    assert_problem(await client.post(url, json={"token": token}), 401)
    assert_problem(await client.post(url, json={}, headers=bearer(ada)), 400)
    assert_problem(await client.post(url, json={"token": "nope"}, headers=bearer(ada)), 422)
    # Another account's link verifies nothing, and stays usable by its owner.
    assert_problem(await client.post(url, json={"token": token}, headers=bearer(bob)), 422)
    assert (await me(client, bob))["email_verified"] is False
    ok = await client.post(url, json={"token": token}, headers=bearer(ada))
    assert ok.status_code == 204


async def test_an_unverified_account_may_not_create_or_join_rooms(
    client: Client, database_url: str
) -> None:
    host, ada = await register(client, "host"), await register(client, "ada")
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute(
            "UPDATE users SET email_verified_at = now() WHERE email = 'host@example.com'"
        )
    room = await create_room(client, host)
    created = await client.post(
        "/api/v1/rooms", json={"name": "Mine", "max_players": 4}, headers=bearer(ada)
    )
    assert "verify your email" in assert_problem(created, 403)["detail"]
    joined = await client.post(f"/api/v1/rooms/{room['id']}/join", headers=bearer(ada))
    assert_problem(joined, 403)
    # What an unverified account may do: its profile, its sessions, the lobby.
    assert (await me(client, ada))["email"] == "ada@example.com"
    renamed = await client.patch(
        "/api/v1/users/me", json={"display_name": "Ada L."}, headers=bearer(ada)
    )
    assert renamed.status_code == 200
    assert (await client.get("/api/v1/rooms", headers=bearer(ada))).status_code == 200


async def test_resend_is_limited(client: Client, tmp_path: Path) -> None:
    ada = await register(client, "ada")
    url = f"{EMAIL}/verification"
    assert_problem(await client.post(url), 401)
    for _ in range(2):
        sent = await client.post(url, headers=bearer(ada))
        assert sent.status_code == 202, sent.text
    limited = await client.post(url, headers=bearer(ada))
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    # Every link mailed so far works: the newest one verifies.
    token = await mailed_token(tmp_path / "outbox", "ada@example.com", count=3)
    ok = await client.post(f"{EMAIL}/verify", json={"token": token}, headers=bearer(ada))
    assert ok.status_code == 204


async def test_changing_the_address(client: Client, database_url: str, tmp_path: Path) -> None:
    ada = await register(client, "ada")
    outbox = tmp_path / "outbox"
    first = await mailed_token(outbox, "ada@example.com")
    await client.post(f"{EMAIL}/verify", json={"token": first}, headers=bearer(ada))
    change = {"new_email": "lovelace@example.com", "password": PASSWORD}
    response = await client.put(EMAIL, json=change, headers=bearer(ada))
    assert response.status_code == 200, response.text
    assert (response.json()["email"], response.json()["email_verified"]) == (
        "lovelace@example.com",
        False,
    )
    [(actor, target, details)] = await audited(database_url, "email.changed")
    assert (actor, target, details) == (ada["user"]["id"], ada["user"]["id"], {})
    [notice] = await mailed(outbox, "ada@example.com", "was changed")
    assert "lovelace@example.com" in notice
    login = {"email": "lovelace@example.com", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200
    token = await mailed_token(outbox, "lovelace@example.com")
    ok = await client.post(f"{EMAIL}/verify", json={"token": token}, headers=bearer(ada))
    assert ok.status_code == 204
    assert (await me(client, ada))["email_verified"] is True


async def test_change_refusals(client: Client) -> None:
    ada = await register(client, "ada")
    await register(client, "bob")
    body = {"new_email": "new@example.com", "password": PASSWORD}
    assert_problem(await client.put(EMAIL, json=body), 401)
    assert_problem(await client.put(EMAIL, json={"new_email": "x"}, headers=bearer(ada)), 400)
    wrong = {**body, "password": "not the password"}
    assert_problem(await client.put(EMAIL, json=wrong, headers=bearer(ada)), 403)
    taken = {**body, "new_email": "BOB@example.com"}
    assert_problem(await client.put(EMAIL, json=taken, headers=bearer(ada)), 409)
    same = {**body, "new_email": "Ada@Example.com"}
    assert_problem(await client.put(EMAIL, json=same, headers=bearer(ada)), 422)
    assert (await me(client, ada))["email"] == "ada@example.com"


async def test_deleting_the_account_removes_its_verification_links(
    client: Client, database_url: str
) -> None:
    ada = await register(client, "ada")
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute(
            "UPDATE users SET email_verified_at = now() WHERE id = %s", (ada["user"]["id"],)
        )
    deleted = await client.post(
        "/api/v1/account/delete", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert deleted.status_code == 204
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cursor = await conn.execute(
            "SELECT count(*) FROM email_verifications WHERE user_id = %s", (ada["user"]["id"],)
        )
        assert await cursor.fetchone() == (0,)
        cursor = await conn.execute(
            "SELECT email_verified_at FROM users WHERE id = %s", (ada["user"]["id"],)
        )
        assert await cursor.fetchone() == (None,)

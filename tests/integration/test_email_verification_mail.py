"""Email verification end to end: the app on PostgreSQL, verification required, mails through a
real SMTP server process (aiosmtpd); the test reads the link from the delivered message, uses
it, and changes the address (the old one is told, the new one gets its own link)."""

from __future__ import annotations

import asyncio
import email
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.integration.test_password_reset_mail import (
    ADA,
    PASSWORD,
    free_port,
    received,
    smtp_server,
)

LINK = re.compile(r"https://rhythm\.test/verify-email\?token=(\S+)")


@asynccontextmanager
async def app_verifying(database_url: str, port: int) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = settings_for(
        database_url,
        mail_transport="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        public_url="https://rhythm.test",
        email_verification=True,
    )
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def delivered(maildir: Path, to: str, subject: str, timeout_s: float = 20.0) -> str:
    """The decoded body of the first delivered mail to ``to`` whose subject has ``subject``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for stored in await asyncio.to_thread(received, maildir):
            message = email.message_from_bytes(stored.as_bytes())
            if message["To"] == to and subject in message["Subject"]:
                payload = message.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode()
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail {subject!r} to {to} arrived")


def token_in(body: str) -> str:
    found = LINK.search(body)
    assert found is not None, body
    return found.group(1)


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def test_the_mailed_link_verifies_and_a_new_address_gets_its_own(
    database_url: str, tmp_path: Path
) -> None:
    port, maildir = free_port(), tmp_path / "maildir"
    with smtp_server(port, maildir):
        async with app_verifying(database_url, port) as client:
            ada = (await client.post("/api/v1/auth/register", json=ADA)).json()
            room = {"name": "Lobby", "max_players": 4}
            refused = await client.post("/api/v1/rooms", json=room, headers=bearer(ada))
            assert refused.status_code == 403
            token = token_in(await delivered(maildir, "ada@example.com", "Confirm"))
            verify = {"token": token}
            done = await client.post(
                "/api/v1/account/email/verify", json=verify, headers=bearer(ada)
            )
            assert done.status_code == 204, done.text
            profile = (await client.get("/api/v1/users/me", headers=bearer(ada))).json()
            assert profile["email_verified"] is True
            created = await client.post("/api/v1/rooms", json=room, headers=bearer(ada))
            assert created.status_code == 201, created.text

            change = {"new_email": "lovelace@example.com", "password": PASSWORD}
            changed = await client.put("/api/v1/account/email", json=change, headers=bearer(ada))
            assert changed.json()["email_verified"] is False
            notice = await delivered(maildir, "ada@example.com", "was changed")
            assert "lovelace@example.com" in notice
            assert LINK.search(notice) is None
            token = token_in(await delivered(maildir, "lovelace@example.com", "Confirm"))
            done = await client.post(
                "/api/v1/account/email/verify", json={"token": token}, headers=bearer(ada)
            )
            assert done.status_code == 204, done.text
    assert len(received(maildir)) == 3  # sign-up link, notice, new address's link

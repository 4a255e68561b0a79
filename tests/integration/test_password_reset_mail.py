"""Password reset end to end: the app on PostgreSQL mails through a real SMTP server process
(aiosmtpd), the test reads the link from the delivered message and uses it."""

from __future__ import annotations

import asyncio
import email
import mailbox
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from rhythm.app.services import services_of
from tests.conftest import settings_for

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new password"
ADA = {"email": "ada@example.com", "display_name": "Ada", "password": PASSWORD}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def smtp_server(port: int, maildir: Path) -> Iterator[None]:
    """aiosmtpd in its own process, storing what it receives in ``maildir``."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"),
            *("-c", "aiosmtpd.handlers.Mailbox", str(maildir)),
        ],
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the SMTP server did not start"
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


@asynccontextmanager
async def app_mailing_to(database_url: str, port: int) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = settings_for(
        database_url,
        mail_transport="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        public_url="https://rhythm.test",
    )
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


def received(maildir: Path) -> list[mailbox.MaildirMessage]:
    return list(mailbox.Maildir(maildir, create=False)) if maildir.exists() else []


async def delivered_link(maildir: Path, timeout_s: float = 20.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        messages = await asyncio.to_thread(received, maildir)
        if messages:
            message = email.message_from_bytes(messages[-1].as_bytes())
            assert message["To"] == "ada@example.com"
            payload = message.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found = re.search(r"https://rhythm\.test/reset-password\?token=(\S+)", payload.decode())
            assert found is not None, payload
            return found.group(1)
        await asyncio.sleep(0.1)
    raise AssertionError("no mail arrived")


async def test_reset_by_mail_sets_the_password_and_ends_every_session(
    database_url: str, tmp_path: Path
) -> None:
    port, maildir = free_port(), tmp_path / "maildir"
    with smtp_server(port, maildir):
        async with app_mailing_to(database_url, port) as client:
            session = (await client.post("/api/v1/auth/register", json=ADA)).json()
            for email_address in ("ada@example.com", "nobody@example.com"):
                asked = await client.post(
                    "/api/v1/account/password-reset", json={"email": email_address}
                )
                assert asked.status_code == 202
                assert asked.json()["detail"].startswith("if an account has this address")
            token = await delivered_link(maildir)
            confirm = {"token": token, "new_password": NEW_PASSWORD}
            done = await client.post("/api/v1/account/password-reset/confirm", json=confirm)
            assert done.status_code == 204, done.text
            again = await client.post("/api/v1/account/password-reset/confirm", json=confirm)
            assert again.status_code == 422
            old = {"refresh_token": session["refresh_token"]}
            assert (await client.post("/api/v1/auth/refresh", json=old)).status_code == 401
            login = {"email": ADA["email"], "password": NEW_PASSWORD}
            assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200
    assert len(received(maildir)) == 1  # none for the unknown address


async def test_a_mail_server_that_is_down_fails_nothing_and_the_mail_is_retried(
    database_url: str, tmp_path: Path
) -> None:
    port, maildir = free_port(), tmp_path / "maildir"
    async with app_mailing_to(database_url, port) as client:
        await client.post("/api/v1/auth/register", json=ADA)
        started = time.monotonic()
        asked = await client.post("/api/v1/account/password-reset", json={"email": ADA["email"]})
        assert asked.status_code == 202
        assert time.monotonic() - started < 1.0  # the request did not wait for the mail server
        await asyncio.sleep(0.3)  # the first attempt fails: nothing listens yet
        with smtp_server(port, maildir):
            token = await delivered_link(maildir)
            confirm = {"token": token, "new_password": NEW_PASSWORD}
            done = await client.post("/api/v1/account/password-reset/confirm", json=confirm)
            assert done.status_code == 204
        await services_of(client.app).mailer.drain()

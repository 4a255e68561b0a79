"""Outgoing mail: queued after the transaction commits, delivered in the background with retries.

A request never waits for a mail server: :meth:`Mailer.send` only schedules the delivery. A
transport that fails is retried with a growing pause; a message that still fails after the
last attempt is logged (without its body, which may hold a link with a token) and dropped.
"""

from __future__ import annotations

import asyncio
import enum
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib
from loguru import logger


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str


class MailQueue(Protocol):
    """Where services hand mail once their transaction has committed (a :class:`Mailer`)."""

    def send(self, mail: Mail) -> None: ...


class Transport(Protocol):
    async def deliver(self, message: EmailMessage) -> None: ...


class SmtpSecurity(enum.StrEnum):
    NONE = "none"  # plain text, for a relay on the same host or network
    STARTTLS = "starttls"  # upgrade after connecting (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str | None = None
    password: str | None = None
    timeout_s: float = 10.0

    def __repr__(self) -> str:
        # Never print the password (settings and configs end up in tracebacks).
        return f"SmtpConfig({self.host}:{self.port}, {self.security.value})"


class SmtpTransport:
    """Delivers through an SMTP server with aiosmtplib."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    async def deliver(self, message: EmailMessage) -> None:
        config = self._config
        await aiosmtplib.send(
            message,
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.security is SmtpSecurity.TLS,
            start_tls=config.security is SmtpSecurity.STARTTLS,
            timeout=config.timeout_s,
        )


class OutboxTransport:
    """Development: each message goes to the log and to a file in ``folder`` (no mail server).

    A developer finds the link in the log line, or opens the ``.eml`` file.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    async def deliver(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)
        logger.bind(mail_to=str(message["To"]), outbox=str(self._folder)).info(
            "mail (outbox, not sent): {}\n{}", message["Subject"], message.get_content()
        )

    def _write(self, message: EmailMessage) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        (self._folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes())


class Mailer:
    def __init__(
        self,
        transport: Transport,
        *,
        sender: str,
        attempts: int = 5,
        first_pause_s: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._transport = transport
        self._sender = sender
        self._attempts = attempts
        self._first_pause_s = first_pause_s
        self._sleep = sleep
        self._pending: set[asyncio.Task[bool]] = set()

    def send(self, mail: Mail) -> None:
        """Schedule ``mail``; call it after the transaction that wanted it has committed."""
        task = asyncio.get_running_loop().create_task(self._deliver(self._message(mail)))
        self._pending.add(task)  # a reference, or the loop may collect the task mid-flight
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Wait for every scheduled delivery (at shutdown, and in tests)."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def _deliver(self, message: EmailMessage) -> bool:
        pause = self._first_pause_s
        to = str(message["To"])
        for attempt in range(1, self._attempts + 1):
            try:
                await self._transport.deliver(message)
            except (aiosmtplib.SMTPException, OSError) as exc:
                logger.bind(mail_to=to, attempt=attempt).warning(
                    "mail delivery failed: {}", type(exc).__name__
                )
                if attempt < self._attempts:
                    await self._sleep(pause)
                    pause *= 2
            else:
                logger.bind(mail_to=to, attempt=attempt).info("mail delivered")
                return True
        logger.bind(mail_to=to).error("mail dropped after {} attempts", self._attempts)
        return False

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        return message

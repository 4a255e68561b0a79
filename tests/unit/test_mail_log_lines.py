"""Mail log lines reach the JSON log whole: the recipient as text, nothing lost to its type."""

from __future__ import annotations

import io
import json
from email.message import EmailMessage
from pathlib import Path

from loguru import logger

from rhythm.app.logs import configure_logging
from rhythm.service.accounts.mail import Mail, Mailer


class _Accepting:
    async def deliver(self, message: EmailMessage) -> None:
        return None


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_delivered_mail_is_logged_with_its_recipient_as_text() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream)
    try:
        mailer = Mailer(_Accepting(), sender="rhythm@example.com")
        mailer.send(Mail(to="ada@example.com", subject="Hi", body="hello"))
        await mailer.drain()
    finally:
        configure_logging("INFO")
    delivered = [line for line in _lines(stream) if line["message"] == "mail delivered"]
    assert [line["mail_to"] for line in delivered] == ["ada@example.com"]


def test_an_extra_field_json_cannot_hold_is_written_as_its_text() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream)
    try:
        logger.bind(where=Path("outbox") / "a.eml").info("written")
    finally:
        configure_logging("INFO")
    [line] = [line for line in _lines(stream) if line["message"] == "written"]
    assert line["where"] == str(Path("outbox") / "a.eml")

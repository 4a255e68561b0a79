"""Mail settings and the development outbox: no mail server needed, the link is in the log."""

from __future__ import annotations

import email
import io
from pathlib import Path

import pytest
from loguru import logger

from rhythm.app.mail import mailer
from rhythm.app.settings import SettingsError, load_settings
from rhythm.service.accounts.mail import Mail


def test_smtp_needs_a_host_and_links_need_an_http_url() -> None:
    with pytest.raises(SettingsError, match="RHYTHM_SMTP_HOST"):
        load_settings({"RHYTHM_MAIL_TRANSPORT": "smtp"}, env_file=None)
    with pytest.raises(SettingsError, match="RHYTHM_SMTP_SECURITY"):
        load_settings({"RHYTHM_SMTP_SECURITY": "maybe"}, env_file=None)
    with pytest.raises(SettingsError, match="RHYTHM_PUBLIC_URL"):
        load_settings({"RHYTHM_PUBLIC_URL": "rhythm.example"}, env_file=None)
    settings = load_settings(
        {"RHYTHM_MAIL_TRANSPORT": "smtp", "RHYTHM_SMTP_HOST": "mail.internal"}, env_file=None
    )
    assert (settings.smtp_port, settings.smtp_security) == (587, "starttls")


async def test_the_development_default_logs_each_message_and_writes_it_to_the_outbox(
    tmp_path: Path,
) -> None:
    settings = load_settings({"RHYTHM_STATE_DIR": str(tmp_path)}, env_file=None)
    assert settings.mail_transport == "outbox"
    sink = io.StringIO()
    handler = logger.add(sink, level="INFO")
    try:
        outbox = mailer(settings)
        outbox.send(Mail(to="ada@example.com", subject="Hi", body="open https://x.test/?t=abc"))
        await outbox.drain()
    finally:
        logger.remove(handler)
    assert "https://x.test/?t=abc" in sink.getvalue()
    (written,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(written.read_bytes())
    assert (message["To"], message["Subject"]) == ("ada@example.com", "Hi")

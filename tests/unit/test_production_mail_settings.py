"""Production refuses the development outbox: it writes live links to the log."""

from __future__ import annotations

import pytest

from rhythm.app.settings import SettingsError, load_settings

PRODUCTION = {
    "RHYTHM_ENV": "production",
    "DATABASE_URL": "postgresql://u:p@db/app",
    "RHYTHM_JWT_SECRET": "s" * 48,
}
SMTP = {"RHYTHM_MAIL_TRANSPORT": "smtp", "RHYTHM_SMTP_HOST": "mail.internal"}


@pytest.mark.parametrize("transport", [None, "outbox"])
def test_production_refuses_the_outbox(transport: str | None) -> None:
    environ = dict(PRODUCTION)
    if transport is not None:
        environ["RHYTHM_MAIL_TRANSPORT"] = transport
    with pytest.raises(SettingsError, match=r"^RHYTHM_MAIL_TRANSPORT: production needs smtp"):
        load_settings(environ, env_file=None)


def test_production_with_smtp_starts() -> None:
    settings = load_settings(PRODUCTION | SMTP, env_file=None)
    assert settings.mail_transport == "smtp"

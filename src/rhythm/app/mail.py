"""The mailer the settings ask for: SMTP, or the development outbox."""

from __future__ import annotations

from rhythm.app.settings import Settings
from rhythm.service.accounts.mail import (
    Mailer,
    OutboxTransport,
    SmtpConfig,
    SmtpSecurity,
    SmtpTransport,
)


def mailer(settings: Settings) -> Mailer:
    """SMTP when configured; otherwise the development outbox (log + files)."""
    if settings.mail_transport == "smtp":
        assert settings.smtp_host is not None  # the settings check requires it
        transport: SmtpTransport | OutboxTransport = SmtpTransport(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                security=SmtpSecurity(settings.smtp_security),
                username=settings.smtp_username,
                password=settings.smtp_password,
            )
        )
    else:
        transport = OutboxTransport(settings.state_dir / "outbox")
    return Mailer(transport, sender=settings.mail_from)

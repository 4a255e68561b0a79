"""Production refuses the development outbox; email verification defaults by environment."""

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


def test_verification_is_required_in_production_by_default_and_overridable() -> None:
    assert load_settings(PRODUCTION | SMTP, env_file=None).requires_verified_email
    off = {"RHYTHM_EMAIL_VERIFICATION": "false"}
    assert not load_settings(PRODUCTION | SMTP | off, env_file=None).requires_verified_email


def test_verification_is_off_in_development_by_default_and_overridable() -> None:
    assert not load_settings({}, env_file=None).requires_verified_email
    on = load_settings({"RHYTHM_EMAIL_VERIFICATION": "true"}, env_file=None)
    assert on.requires_verified_email


def test_a_bad_verification_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"^RHYTHM_EMAIL_VERIFICATION: "):
        load_settings({"RHYTHM_EMAIL_VERIFICATION": "maybe"}, env_file=None)

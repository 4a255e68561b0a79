"""Settings: types, defaults, .env, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from rhythm.app.settings import DEV_JWT_SECRET, Environment, SettingsError, load_settings

STRONG_SECRET = "s" * 48


def test_defaults_without_environment() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.cors_origins == ()


def test_values_are_converted() -> None:
    settings = load_settings(
        {
            "RHYTHM_PORT": "9000",
            "RHYTHM_MIGRATE_ON_START": "false",
            "RHYTHM_DB_POOL_TIMEOUT_S": "2.5",
            "RHYTHM_CORS_ORIGINS": "https://a.example, http://localhost:5173",
        },
        env_file=None,
    )
    assert settings.port == 9000
    assert settings.migrate_on_start is False
    assert settings.db_pool_timeout_s == 2.5
    assert settings.cors_origins == ("https://a.example", "http://localhost:5173")


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"RHYTHM_PORT": "eighty"}, "RHYTHM_PORT"),
        ({"RHYTHM_PORT": "70000"}, "RHYTHM_PORT"),
        ({"RHYTHM_ENV": "prod"}, "RHYTHM_ENV"),
        ({"RHYTHM_MIGRATE_ON_START": "maybe"}, "RHYTHM_MIGRATE_ON_START"),
        ({"RHYTHM_DB_POOL_MAX": "0"}, "RHYTHM_DB_POOL_MAX"),
        ({"RHYTHM_DB_POOL_MIN": "5", "RHYTHM_DB_POOL_MAX": "2"}, "RHYTHM_DB_POOL_MIN"),
        ({"RHYTHM_CORS_ORIGINS": "game.example"}, "RHYTHM_CORS_ORIGINS"),
        ({"RHYTHM_LOG_LEVEL": "LOUD"}, "RHYTHM_LOG_LEVEL"),
    ],
)
def test_bad_value_names_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings(environ, env_file=None)


def test_production_refuses_the_embedded_database() -> None:
    with pytest.raises(SettingsError, match=r"^DATABASE_URL: required in production"):
        load_settings({"RHYTHM_ENV": "production", "RHYTHM_JWT_SECRET": STRONG_SECRET}, None)


@pytest.mark.parametrize("secret", [None, DEV_JWT_SECRET, "short-secret"])
def test_production_refuses_weak_secrets(secret: str | None) -> None:
    environ = {"RHYTHM_ENV": "production", "DATABASE_URL": "postgresql://u:p@db/app"}
    if secret is not None:
        environ["RHYTHM_JWT_SECRET"] = secret
    with pytest.raises(SettingsError, match=r"^RHYTHM_JWT_SECRET: .*secrets\.token_urlsafe"):
        load_settings(environ, env_file=None)


def test_production_with_what_it_needs() -> None:
    settings = load_settings(
        {
            "RHYTHM_ENV": "production",
            "DATABASE_URL": "postgresql://u:p@db/app",
            "RHYTHM_JWT_SECRET": STRONG_SECRET,
            "RHYTHM_MAIL_TRANSPORT": "smtp",
            "RHYTHM_SMTP_HOST": "mail.internal",
        },
        env_file=None,
    )
    assert settings.is_production


@pytest.mark.parametrize(
    ("time_cost", "memory_kib", "refused"),
    [
        ("1", "47103", True),
        ("1", "47104", False),
        ("2", "19455", True),
        ("3", "12288", False),
        ("9", "7167", True),
        ("9", "7168", False),
    ],
)
def test_production_refuses_argon2_below_the_owasp_minimum(
    time_cost: str, memory_kib: str, refused: bool
) -> None:
    environ = {
        "RHYTHM_ENV": "production",
        "DATABASE_URL": "postgresql://u:p@db/app",
        "RHYTHM_JWT_SECRET": STRONG_SECRET,
        "RHYTHM_MAIL_TRANSPORT": "smtp",
        "RHYTHM_SMTP_HOST": "mail.internal",
        "RHYTHM_ARGON2_TIME_COST": time_cost,
        "RHYTHM_ARGON2_MEMORY_KIB": memory_kib,
    }
    if refused:
        with pytest.raises(SettingsError, match=r"^RHYTHM_ARGON2_MEMORY_KIB: production needs"):
            load_settings(environ, env_file=None)
    else:
        assert load_settings(environ, env_file=None).argon2_memory_kib == int(memory_kib)


def test_attempts_are_kept_for_the_longest_limit_window() -> None:
    """Upkeep prunes attempts past this: a longer reset window must not be cut short."""
    settings = load_settings(
        {"RHYTHM_PASSWORD_RESET_RATE_WINDOW_S": "86400", "RHYTHM_LOGIN_RATE_WINDOW_S": "60"},
        env_file=None,
    )
    assert settings.longest_attempt_window_s == 86400


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("RHYTHM_PORT=7000\nRHYTHM_HOST=0.0.0.0\n")
    settings = load_settings({"RHYTHM_PORT": "7100"}, env_file=env_file)
    assert (settings.host, settings.port) == ("0.0.0.0", 7100)  # noqa: S104


def test_repr_hides_secrets() -> None:
    settings = load_settings(
        {"DATABASE_URL": "postgresql://app:pa55word@db:5432/game", "RHYTHM_JWT_SECRET": "x" * 40},
        env_file=None,
    )
    text = repr(settings)
    assert "pa55word" not in text
    assert "x" * 40 not in text
    assert "game on db:5432" in text


def test_env_example_documents_every_setting() -> None:
    from rhythm.app.settings import PROJECT_ROOT, Settings, env_name

    documented = {
        line.split("=", 1)[0]
        for line in (PROJECT_ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    compose_only = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
    assert documented - compose_only == {env_name(f) for f in Settings.__struct_fields__}


def test_short_hs256_secret_is_refused_in_every_environment() -> None:
    with pytest.raises(SettingsError, match=r"^RHYTHM_JWT_SECRET: needs at least 32 bytes"):
        load_settings({"RHYTHM_JWT_SECRET": "too-short"}, env_file=None)


def test_asymmetric_algorithms_need_key_files(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^RHYTHM_JWT_PRIVATE_KEY_FILE: required"):
        load_settings({"RHYTHM_JWT_ALGORITHM": "RS256"}, env_file=None)
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(SettingsError, match=r"^RHYTHM_JWT_PRIVATE_KEY_FILE: .* not a readable"):
        load_settings(
            {
                "RHYTHM_JWT_ALGORITHM": "EdDSA",
                "RHYTHM_JWT_PRIVATE_KEY_FILE": missing,
                "RHYTHM_JWT_PUBLIC_KEY_FILE": missing,
            },
            env_file=None,
        )

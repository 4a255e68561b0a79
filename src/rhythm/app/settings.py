"""Typed settings from the environment and ``.env``; a bad value stops the start by name."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# A development-only signing secret: fine on a laptop, refused in production.
DEV_JWT_SECRET = "dev-only-insecure-secret-change-me-0123456789"  # noqa: S105
_MIN_SECRET_BYTES = 32
# The least argon2id memory (KiB) for each time cost, from OWASP's password storage cheat sheet:
# equal defence against GPU guessing; five passes or more need 7 MiB.
_ARGON2_MIN_MEMORY_KIB = {1: 47_104, 2: 19_456, 3: 12_288, 4: 9_216}
_ARGON2_MIN_MEMORY_KIB_ABOVE = 7_168


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class JwtAlgorithm(StrEnum):
    HS256 = "HS256"
    RS256 = "RS256"
    EDDSA = "EdDSA"


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the variable and what to set."""


Port = Annotated[int, msgspec.Meta(ge=0, le=65535)]
PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
PositiveFloat = Annotated[float, msgspec.Meta(gt=0)]


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """Every setting; field ``x`` is read from ``RHYTHM_X`` (see ``.env.example``)."""

    env: Environment = Environment.DEVELOPMENT
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: Port = 8000
    state_dir: Path = PROJECT_ROOT / ".state"
    embedded_pg_port: Port = 54329
    migrations_dir: Path = PROJECT_ROOT / "migrations"
    migrate_on_start: bool = True
    db_pool_min: Annotated[int, msgspec.Meta(ge=0)] = 1
    db_pool_max: PositiveInt = 10
    db_pool_timeout_s: PositiveFloat = 5.0
    db_prepare: bool = True
    listen_database_url: str | None = None
    ready_timeout_s: PositiveFloat = 2.0
    jwt_secret: str = DEV_JWT_SECRET
    jwt_algorithm: JwtAlgorithm = JwtAlgorithm.HS256
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "rhythm-backend"
    jwt_audience: str = "rhythm-api"
    access_token_ttl_s: Annotated[int, msgspec.Meta(ge=30, le=86_400)] = 900
    refresh_token_ttl_s: Annotated[int, msgspec.Meta(ge=60, le=31_536_000)] = 2_592_000
    login_rate_limit: PositiveInt = 10
    login_rate_window_s: PositiveFloat = 60.0
    register_rate_limit: PositiveInt = 20
    register_rate_window_s: PositiveFloat = 3600.0
    hash_concurrency: PositiveInt = 2
    hash_max_waiting: PositiveInt = 32
    hash_max_wait_s: PositiveFloat = 2.0
    revocation_untrusted_s: PositiveFloat = 1.0
    refresh_prune_grace_s: Annotated[int, msgspec.Meta(ge=0)] = 604_800
    upkeep_interval_s: PositiveFloat = 600.0
    argon2_time_cost: PositiveInt = 3
    argon2_memory_kib: Annotated[int, msgspec.Meta(ge=8)] = 65_536
    argon2_parallelism: PositiveInt = 4
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: PositiveInt = 1_048_576
    request_read_timeout_s: PositiveFloat = 30.0
    log_level: str = "INFO"
    workers: PositiveInt = 1
    shutdown_timeout_s: PositiveFloat = 10.0
    forwarded_allow_ips: str = "127.0.0.1"
    metrics_enabled: bool = False
    metrics_token: str | None = None
    # Mail (docs/accounts.md): "outbox" logs each message and writes it under state_dir/outbox.
    mail_transport: Literal["outbox", "smtp"] = "outbox"
    mail_from: str = "rhythm <no-reply@localhost>"
    smtp_host: str | None = None
    smtp_port: Port = 587
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    password_reset_rate_limit: PositiveInt = 5
    password_reset_rate_window_s: PositiveFloat = 3600.0
    # Unset: required in production, not in development (docs/accounts.md, "Email verification").
    email_verification: bool | None = None
    email_verification_ttl_s: Annotated[int, msgspec.Meta(ge=300)] = 172_800
    email_verification_rate_limit: PositiveInt = 3
    email_verification_rate_window_s: PositiveFloat = 3600.0

    def __repr__(self) -> str:
        # Settings get printed in tracebacks and debuggers: never show the secret or a password.
        return f"Settings(env={self.env.value}, database={describe_database(self.database_url)})"

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def longest_attempt_window_s(self) -> float:
        """How long an attempt can count against any limit: upkeep keeps attempts that long."""
        return max(
            self.login_rate_window_s,
            self.register_rate_window_s,
            self.password_reset_rate_window_s,
            self.email_verification_rate_window_s,
        )

    @property
    def requires_verified_email(self) -> bool:
        """Whether links are mailed on sign-up and email change, and unverified accounts are
        held back (``RHYTHM_EMAIL_VERIFICATION``; by default only in production)."""
        if self.email_verification is None:
            return self.is_production
        return self.email_verification


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    return "DATABASE_URL" if field == "database_url" else f"RHYTHM_{field.upper()}"


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = PROJECT_ROOT / ".env"
) -> Settings:
    """Read settings: the process environment wins over ``.env``; ``.env`` is optional."""
    source: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        source.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    source.update(os.environ if environ is None else environ)
    raw = _collect(source)
    try:
        settings = msgspec.convert(raw, Settings, strict=False, dec_hook=_decode_path)
    except msgspec.ValidationError as exc:
        raise SettingsError(_name_variable(str(exc))) from None
    _check(settings)
    return settings


def _decode_path(kind: type, value: Any) -> Any:
    if kind is Path and isinstance(value, str):
        return Path(value).expanduser().resolve()
    raise NotImplementedError(f"cannot read {kind} from {value!r}")


def _collect(source: Mapping[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for field in Settings.__struct_fields__:
        value = source.get(env_name(field))
        if value is None or value == "":
            continue
        raw[field] = _split(value) if field == "cors_origins" else value
    return raw


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _name_variable(message: str) -> str:
    # msgspec says "... - at `$.port`"; the user knows the variable, not our field name.
    text, _, path = message.rpartition(" - at `$.")
    if not text:
        return f"invalid settings: {message}"
    field = path.rstrip("`").split("[")[0].split(".")[0]
    return f"{env_name(field)}: {text}"


def _check(settings: Settings) -> None:
    if settings.db_pool_min > settings.db_pool_max:
        raise SettingsError(
            f"RHYTHM_DB_POOL_MIN: {settings.db_pool_min} is above "
            f"RHYTHM_DB_POOL_MAX ({settings.db_pool_max})"
        )
    for origin in settings.cors_origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise SettingsError(f"RHYTHM_CORS_ORIGINS: {origin!r} is not an http(s) origin")
    if settings.log_level.upper() not in {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"RHYTHM_LOG_LEVEL: unknown level {settings.log_level!r}")
    _check_jwt_keys(settings)
    if settings.mail_transport == "smtp" and not settings.smtp_host:
        raise SettingsError("RHYTHM_SMTP_HOST: required with RHYTHM_MAIL_TRANSPORT=smtp")
    if not settings.public_url.startswith(("http://", "https://")):
        raise SettingsError(f"RHYTHM_PUBLIC_URL: {settings.public_url!r} is not an http(s) URL")
    if settings.is_production:
        _check_production(settings)


def _check_jwt_keys(settings: Settings) -> None:
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        # A short HMAC key can be brute-forced offline from one token: refuse it everywhere.
        if len(settings.jwt_secret.encode()) < _MIN_SECRET_BYTES:
            raise SettingsError(
                f"RHYTHM_JWT_SECRET: needs at least {_MIN_SECRET_BYTES} bytes for HS256; generate "
                "one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return
    for field in ("jwt_private_key_file", "jwt_public_key_file"):
        path = getattr(settings, field)
        if path is None:
            raise SettingsError(
                f"{env_name(field)}: required with RHYTHM_JWT_ALGORITHM={settings.jwt_algorithm} "
                "(a PEM file; see docs/deploy.md for generating a key pair)"
            )
        if not path.is_file():
            raise SettingsError(f"{env_name(field)}: {path} is not a readable file")


def _check_production(settings: Settings) -> None:
    if not settings.database_url:
        raise SettingsError(
            "DATABASE_URL: required in production (the embedded PostgreSQL is for development); "
            "set it to postgresql://user:password@host:5432/dbname"
        )
    secret = settings.jwt_secret
    weak = secret == DEV_JWT_SECRET or len(secret.encode()) < _MIN_SECRET_BYTES
    if settings.jwt_algorithm is JwtAlgorithm.HS256 and weak:
        raise SettingsError(
            f"RHYTHM_JWT_SECRET: production needs a random secret of at least {_MIN_SECRET_BYTES} "
            "bytes; generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if "*" in settings.cors_origins:
        raise SettingsError("RHYTHM_CORS_ORIGINS: '*' is not allowed in production")
    _check_argon2(settings)
    if settings.mail_transport == "outbox":
        # The outbox logs every message in full: live reset and verification links in the logs.
        raise SettingsError(
            "RHYTHM_MAIL_TRANSPORT: production needs smtp (the outbox writes every mail, with "
            "its links, to the log); set RHYTHM_MAIL_TRANSPORT=smtp and RHYTHM_SMTP_HOST"
        )


def _check_argon2(settings: Settings) -> None:
    """Production hashes passwords at least as hard as OWASP's minimum for argon2id."""
    cost = settings.argon2_time_cost
    least = _ARGON2_MIN_MEMORY_KIB.get(cost, _ARGON2_MIN_MEMORY_KIB_ABOVE)
    if settings.argon2_memory_kib < least:
        raise SettingsError(
            f"RHYTHM_ARGON2_MEMORY_KIB: production needs at least {least} KiB with "
            f"RHYTHM_ARGON2_TIME_COST={cost} (OWASP's argon2id minimum); the default is 65536"
        )


def describe_database(url: str | None) -> str:
    """Where the database is, for logs: host, port and name, never the password."""
    if not url:
        return "embedded PostgreSQL"
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except Exception:
        return "(unparseable DATABASE_URL)"
    host = params.get("host") or "localhost"
    port = params.get("port") or 5432
    return f"{params.get('dbname', '?')} on {host}:{port}"

"""Access tokens from the settings: the issuer the services sign with, the web's verifier."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rhythm.app.settings import JwtAlgorithm, Settings
from rhythm.service.auth.access import AccessTokenIssuer
from rhythm.web.security import JwtConfig


def signing_key(settings: Settings) -> str:
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        return settings.jwt_secret
    assert settings.jwt_private_key_file is not None  # load_settings checked it
    return Path(settings.jwt_private_key_file).read_text()


def verification_key(settings: Settings) -> str:
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        return settings.jwt_secret
    assert settings.jwt_public_key_file is not None  # load_settings checked it
    return Path(settings.jwt_public_key_file).read_text()


def jwt_config(settings: Settings) -> JwtConfig:
    return JwtConfig(
        algorithm=settings.jwt_algorithm.value,
        verification_key=verification_key(settings),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


def access_token_issuer(settings: Settings) -> AccessTokenIssuer:
    return AccessTokenIssuer(
        signing_key=signing_key(settings),
        algorithm=settings.jwt_algorithm.value,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=timedelta(seconds=settings.access_token_ttl_s),
    )

"""Access-token verification (``AccessTokens``): PyJWT with the algorithm pinned and every
claim checked, and the memory of tokens that passed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from rhythm.service.identity import Actor, UserRole
from rhythm.web.security import JwtConfig
from rhythm.web.token_cache import AccessTokens, InvalidAccessTokenError

SECRET = "s" * 32
ISSUER, AUDIENCE = "rhythm-backend", "rhythm-api"
HS256 = JwtConfig("HS256", SECRET, ISSUER, AUDIENCE)
SID = uuid.uuid4()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "7",
        "role": "MODERATOR",
        "sid": str(SID),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed_by_hand(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    """HS256 over any bytes, as an attacker would (PyJWT refuses a PEM as an HMAC secret)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def test_a_valid_token_names_its_caller() -> None:
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    assert AccessTokens(HS256).actor(token) == Actor(7, UserRole.MODERATOR, SID)


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 1},
        {"nbf": int(time.time()) + 3600},
        {"iat": int(time.time()) + 3600},
        {"aud": "another-api"},
        {"aud": [AUDIENCE, "another-api"]},
        {"aud": [AUDIENCE]},
        {"iss": "someone-else"},
        {"sub": None},
        {"sub": 7},
        {"exp": None},
        {"iat": None},
        {"jti": None},
        {"iss": None},
        {"aud": None},
        {"sid": None},
        {"sid": "not-a-uuid"},
        {"role": None},
        {"role": "ROOT"},
        {"sub": "seven"},
    ],
    ids=lambda claims: ",".join(f"{k}={v}" for k, v in claims.items()),
)
def test_signed_tokens_with_bad_claims_are_refused(claims: dict[str, Any]) -> None:
    token = jwt.encode(_claims(**claims), SECRET, algorithm="HS256")
    with pytest.raises(InvalidAccessTokenError):
        AccessTokens(HS256).actor(token)


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(alg: str) -> None:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    unsigned = f"{header}.{_b64(json.dumps(_claims()).encode())}."
    with pytest.raises(InvalidAccessTokenError):
        AccessTokens(HS256).actor(unsigned)


def test_hs256_signed_with_the_rs256_public_key_is_refused() -> None:
    """The classic confusion: the server's public key, used as an HMAC secret."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    tokens = AccessTokens(JwtConfig("RS256", public.decode(), ISSUER, AUDIENCE))
    forged = _signed_by_hand({"alg": "HS256", "typ": "JWT"}, _claims(), public)
    with pytest.raises(InvalidAccessTokenError):
        tokens.actor(forged)
    genuine = jwt.encode(_claims(), private, algorithm="RS256")
    assert tokens.actor(genuine).user_id == 7  # the control: the pinned algorithm passes


def test_an_rs256_token_on_an_hs256_verifier_is_refused() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidAccessTokenError):
        AccessTokens(HS256).actor(jwt.encode(_claims(), private, algorithm="RS256"))


def test_another_secret_and_garbage_are_refused() -> None:
    tokens = AccessTokens(HS256)
    for token in (jwt.encode(_claims(), "t" * 32, algorithm="HS256"), "abc", "a.b.c", ""):
        with pytest.raises(InvalidAccessTokenError):
            tokens.actor(token)


class _CountingDecode:
    def __init__(self) -> None:
        self.calls = 0
        self._decode = jwt.decode

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._decode(*args, **kwargs)


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    decode = _CountingDecode()
    monkeypatch.setattr(jwt, "decode", decode)
    expires = int(time.time()) + 2
    token = jwt.encode(_claims(exp=expires), SECRET, algorithm="HS256")
    tokens = AccessTokens(HS256)
    assert tokens.actor(token) == tokens.actor(token)
    assert decode.calls == 1
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    with pytest.raises(InvalidAccessTokenError):
        tokens.actor(token)  # expired in memory: verified again, and refused
    assert decode.calls == 2


def test_refused_tokens_are_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    decode = _CountingDecode()
    monkeypatch.setattr(jwt, "decode", decode)
    tokens = AccessTokens(HS256)
    forged = jwt.encode(_claims(), "t" * 32, algorithm="HS256")
    for _ in range(2):
        with pytest.raises(InvalidAccessTokenError):
            tokens.actor(forged)
    assert decode.calls == 2


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    decode = _CountingDecode()
    monkeypatch.setattr(jwt, "decode", decode)
    tokens = AccessTokens(HS256, max_remembered=2)
    first, second, third = (jwt.encode(_claims(), SECRET, algorithm="HS256") for _ in range(3))
    for token in (first, second, third, third, second):
        tokens.actor(token)
    assert decode.calls == 3  # third and second were still remembered
    tokens.actor(first)
    assert decode.calls == 4  # the oldest had been let go

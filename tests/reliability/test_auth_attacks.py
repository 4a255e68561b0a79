"""Attacks on authentication, each a test: forged and replayed tokens, algorithm confusion,
tokens of accounts that are gone, brute force, cross-origin requests, missing headers.

tests/http/test_auth_api.py holds the basic HS256 forgeries; these go further, and run the
asymmetric algorithms (RS256, EdDSA) with key pairs made here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import jwt
import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.settings import JwtAlgorithm
from tests.conftest import settings_for
from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register, staff

ISSUER, AUDIENCE = "rhythm-backend", "rhythm-api"
ME = "/api/v1/users/me"

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def _pem_pair(key: PrivateKey) -> tuple[bytes, bytes]:
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def _new_key(algorithm: JwtAlgorithm) -> PrivateKey:
    if algorithm is JwtAlgorithm.RS256:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ed25519.Ed25519PrivateKey.generate()


class Server:
    """An app configured for one algorithm, with the keys an attacker may know (the public one)."""

    def __init__(self, client: Client, database_url: str, private: bytes, public: bytes) -> None:
        self.client, self.database_url = client, database_url
        self.private, self.public = private, public


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "1",
        "role": "ADMIN",
        "sid": str(uuid.uuid4()),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _hs256_by_hand(claims: dict[str, Any], secret: bytes) -> str:
    """HS256 signed with any bytes (PyJWT refuses a PEM as an HMAC secret; an attacker won't)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _unsigned(claims: dict[str, Any], alg: str) -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


async def _me(client: Client, token: str) -> Any:
    return await client.get(ME, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def app_for(database_url: str, tmp_path: Path) -> Callable[..., Any]:
    """``async with app_for(algorithm, **settings) as server``: an app signing with fresh keys."""

    def make(algorithm: JwtAlgorithm, **overrides: Any) -> Any:
        private, public = b"", b""
        keys: dict[str, Any] = {}
        if algorithm is not JwtAlgorithm.HS256:
            private, public = _pem_pair(_new_key(algorithm))
            (tmp_path / "private.pem").write_bytes(private)
            (tmp_path / "public.pem").write_bytes(public)
            keys = {
                "jwt_private_key_file": tmp_path / "private.pem",
                "jwt_public_key_file": tmp_path / "public.pem",
            }
        settings = settings_for(database_url, jwt_algorithm=algorithm, **keys, **overrides)
        return _Running(settings, database_url, private, public)

    return make


class _Running:
    def __init__(self, settings: Any, database_url: str, private: bytes, public: bytes) -> None:
        from rhythm.app.factory import create_app

        self.client: AsyncTestClient[Litestar] = AsyncTestClient(create_app(settings))
        self.server = Server(self.client, database_url, private, public)

    async def __aenter__(self) -> Server:
        await self.client.__aenter__()
        return self.server

    async def __aexit__(self, *exc: object) -> None:
        await self.client.__aexit__(*exc)


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[Client]:
    """The default HS256 app."""
    from rhythm.app.factory import create_app

    async with AsyncTestClient(create_app(settings_for(database_url))) as test_client:
        yield test_client


# --- the asymmetric algorithms work end to end ------------------------------------------------


@pytest.mark.parametrize("algorithm", [JwtAlgorithm.RS256, JwtAlgorithm.EDDSA])
async def test_login_and_authenticated_request_with_asymmetric_keys(
    app_for: Callable[..., Any], algorithm: JwtAlgorithm
) -> None:
    async with app_for(algorithm) as server:
        await register(server.client, "ada")
        login = await server.client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        assert jwt.get_unverified_header(token)["alg"] == algorithm.value
        claims = jwt.decode(token, server.public, algorithms=[algorithm.value], audience=AUDIENCE)
        assert claims["iss"] == ISSUER
        me = await _me(server.client, token)
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "ada@example.com"
        room = await server.client.post(
            "/api/v1/rooms", json={"name": "r"}, headers=bearer(login.json())
        )
        assert room.status_code == 201, room.text


# --- forged tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_alg_none_in_any_spelling_is_401(client: Client, alg: str) -> None:
    session = await register(client, "ada")
    real = jwt.decode(session["access_token"], options={"verify_signature": False})
    token = _unsigned({**real, "role": "ADMIN"}, alg)
    assert_problem(await _me(client, token), 401)
    # Nor does a genuine signature help once the header says "none".
    _, payload, signature = session["access_token"].split(".")
    forged_header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    assert_problem(await _me(client, f"{forged_header}.{payload}.{signature}"), 401)


@pytest.mark.parametrize("algorithm", [JwtAlgorithm.RS256, JwtAlgorithm.EDDSA])
async def test_hs256_token_signed_with_the_public_key_is_401(
    app_for: Callable[..., Any], algorithm: JwtAlgorithm
) -> None:
    """The classic confusion: the server's public key, used as an HMAC secret."""
    async with app_for(algorithm) as server:
        await register(server.client, "ada")
        for secret in (server.public, server.public.strip()):
            token = _hs256_by_hand(_claims(), secret)
            assert_problem(await _me(server.client, token), 401)


async def test_asymmetric_tokens_on_an_hs256_server_are_401(client: Client) -> None:
    await register(client, "ada")
    for algorithm in (JwtAlgorithm.RS256, JwtAlgorithm.EDDSA):
        private, _ = _pem_pair(_new_key(algorithm))
        token = jwt.encode(_claims(), private, algorithm=algorithm.value)
        assert_problem(await _me(client, token), 401)


async def test_the_other_asymmetric_algorithm_is_401(app_for: Callable[..., Any]) -> None:
    """An RS256 server refuses EdDSA (signed with the attacker's key, or its own)."""
    async with app_for(JwtAlgorithm.RS256) as server:
        await register(server.client, "ada")
        attacker, _ = _pem_pair(_new_key(JwtAlgorithm.EDDSA))
        assert_problem(await _me(server.client, jwt.encode(_claims(), attacker, "EdDSA")), 401)
        own_alg_other_key, _ = _pem_pair(_new_key(JwtAlgorithm.RS256))
        token = jwt.encode(_claims(), own_alg_other_key, algorithm="RS256")
        assert_problem(await _me(server.client, token), 401)


async def test_tampered_tokens_are_401(client: Client) -> None:
    session = await register(client, "ada")
    header, payload, signature = session["access_token"].split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert_problem(await _me(client, f"{header}.{payload}.{flipped}"), 401)
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    promoted = _b64(json.dumps({**claims, "role": "ADMIN"}).encode())
    assert_problem(await _me(client, f"{header}.{promoted}.{signature}"), 401)
    assert_problem(await _me(client, f"{header}.{payload}."), 401)
    assert_problem(await _me(client, f"{header}.{payload}"), 401)


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 5},
        {"nbf": int(time.time()) + 3600},
        {"aud": "another-api"},
        {"aud": [AUDIENCE, "another-api"]},
        {"iss": "someone-else"},
        {"sub": None},
        {"exp": None},
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-audience",
        "extra-audience",
        "wrong-issuer",
        "no-sub",
        "no-exp",
    ],
)
@pytest.mark.parametrize("algorithm", [JwtAlgorithm.RS256, JwtAlgorithm.EDDSA])
async def test_properly_signed_but_invalid_claims_are_401(
    app_for: Callable[..., Any], algorithm: JwtAlgorithm, claims: dict[str, Any]
) -> None:
    async with app_for(algorithm) as server:
        ada = await register(server.client, "ada")  # user 1: the claims below name an account
        # ... and her live session: a token must name one to get in.
        sid = jwt.decode(ada["access_token"], options={"verify_signature": False})["sid"]
        token = jwt.encode(_claims(sid=sid, **claims), server.private, algorithm=algorithm.value)
        assert_problem(await _me(server.client, token), 401)
        valid = jwt.encode(_claims(sid=sid), server.private, algorithm=algorithm.value)
        # The control: the same key and claims otherwise do authenticate.
        me = await _me(server.client, valid)
        assert me.status_code == 200, me.text


# --- tokens that outlive their account or session ----------------------------------------------


async def test_token_of_a_disabled_user_is_refused(client: Client, database_url: str) -> None:
    admin = await staff(client, database_url, "boss", "ADMIN")
    victim = await register(client, "mallory")
    disabled = await client.post(
        f"/api/v1/users/{victim['user']['id']}/disable", headers=bearer(admin)
    )
    assert disabled.status_code == 200, disabled.text
    assert_problem(await _me(client, victim["access_token"]), 401)
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": victim["refresh_token"]}
    )
    assert_problem(refresh, 401)
    login = await client.post(
        "/api/v1/auth/login", json={"email": "mallory@example.com", "password": PASSWORD}
    )
    assert login.status_code in (401, 403), login.text


async def test_token_of_a_deleted_user_is_refused(client: Client, database_url: str) -> None:
    victim = await register(client, "mallory")
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute("DELETE FROM users WHERE id = %s", (victim["user"]["id"],))
    assert_problem(await _me(client, victim["access_token"]), 401)
    created = await client.post("/api/v1/rooms", json={"name": "r"}, headers=bearer(victim))
    assert 400 <= created.status_code < 500, created.text
    assert_problem(created, created.status_code)
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": victim["refresh_token"]}
    )
    assert_problem(refresh, 401)


async def test_concurrent_reuse_of_one_refresh_token_yields_one_session(client: Client) -> None:
    session = await register(client, "ada")
    body = {"refresh_token": session["refresh_token"]}
    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/refresh", json=body) for _ in range(5))
    )
    winners = [a for a in answers if a.status_code == 200]
    assert len(winners) <= 1, [a.status_code for a in answers]
    for answer in answers:
        if answer.status_code != 200:
            assert_problem(answer, 401)
    # Reuse was seen, so the whole family is revoked, the winner's new token included.
    for winner in winners:
        again = {"refresh_token": winner.json()["refresh_token"]}
        assert_problem(await client.post("/api/v1/auth/refresh", json=again), 401)


async def test_refresh_token_reuse_after_several_rotations_revokes_the_family(
    client: Client,
) -> None:
    first = await register(client, "ada")
    tokens = [first["refresh_token"]]
    for _ in range(3):
        answer = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens[-1]})
        assert answer.status_code == 200, answer.text
        tokens.append(answer.json()["refresh_token"])
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens[1]}), 401
    )
    newest = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens[-1]})
    assert_problem(newest, 401)


# --- brute force ------------------------------------------------------------------------------


@pytest.fixture
async def limited(database_url: str) -> AsyncIterator[Client]:
    from rhythm.app.factory import create_app

    app = create_app(settings_for(database_url, login_rate_limit=5, login_rate_window_s=600))
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_brute_force_login_is_429_even_with_the_right_password(limited: Client) -> None:
    await register(limited, "ada")
    for attempt in range(5):
        wrong = {"email": "ada@example.com", "password": f"guess number {attempt}"}
        assert_problem(await limited.post("/api/v1/auth/login", json=wrong), 401)
    right = {"email": "ada@example.com", "password": PASSWORD}
    blocked = await limited.post("/api/v1/auth/login", json=right)
    assert_problem(blocked, 429)
    assert 1 <= int(blocked.headers["retry-after"]) <= 600
    assert "access_token" not in blocked.text


async def test_brute_force_across_many_emails_is_limited_per_client(limited: Client) -> None:
    statuses = []
    for n in range(8):
        guess = {"email": f"user{n}@example.com", "password": "password1"}
        statuses.append((await limited.post("/api/v1/auth/login", json=guess)).status_code)
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}


# --- browsers --------------------------------------------------------------------------------


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[Client]:
    from rhythm.app.factory import create_app

    app = create_app(settings_for(database_url, cors_origins=("https://game.example",)))
    async with AsyncTestClient(app) as test_client:
        yield test_client


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_cors_preflight_from_an_unknown_origin_is_refused(cors_client: Client) -> None:
    for origin in ("https://evil.example", "https://game.example.evil.example", "null"):
        answer = await cors_client.options("/api/v1/rooms", headers=_preflight(origin))
        assert answer.status_code >= 400, answer.headers
        assert "access-control-allow-origin" not in answer.headers
    allowed = await cors_client.options("/api/v1/rooms", headers=_preflight("https://game.example"))
    assert allowed.status_code in (200, 204)
    assert allowed.headers["access-control-allow-origin"] == "https://game.example"
    assert "access-control-allow-credentials" not in allowed.headers


async def test_no_cors_headers_without_configured_origins(client: Client) -> None:
    answer = await client.options("/api/v1/rooms", headers=_preflight("https://game.example"))
    assert "access-control-allow-origin" not in answer.headers
    simple = await client.get("/health/live", headers={"Origin": "https://game.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_security_headers_on_every_kind_of_response(
    client: Client, database_url: str
) -> None:
    session = await register(client, "ada")
    answers = [
        await client.get("/health/live"),
        await client.get("/health/ready"),
        await client.get("/schema/openapi.json"),
        await _me(client, session["access_token"]),
        await client.get(ME),  # 401
        await client.get("/api/v1/users", headers=bearer(session)),  # 403
        await client.get("/api/v1/rooms/999", headers=bearer(session)),  # 404
        await client.get("/no/such/path"),  # 404 outside the API
        await client.put("/api/v1/rooms", headers=bearer(session)),  # 405
        await client.options("/api/v1/rooms"),
        await client.post(
            "/api/v1/auth/login", content=b"{", headers={"content-type": "application/json"}
        ),
        await client.post("/api/v1/auth/register", content=b"x" * 2_000_000),  # 413
    ]
    for answer in answers:
        where = f"{answer.request.method} {answer.request.url.path} -> {answer.status_code}"
        assert answer.headers.get("x-content-type-options") == "nosniff", where
        assert answer.headers.get("x-frame-options") == "DENY", where
        assert answer.headers.get("referrer-policy") == "no-referrer", where
        assert answer.headers.get("cross-origin-opener-policy") == "same-origin", where
        assert answer.headers.get("x-request-id"), where
        assert "server" not in answer.headers or "uvicorn" not in answer.headers["server"], where
    statuses = {answer.status_code for answer in answers}
    assert {200, 401, 403, 404, 405, 400, 413} <= statuses


async def test_token_of_a_disabled_or_deleted_user_cannot_write(
    client: Client, database_url: str
) -> None:
    admin = await staff(client, database_url, "boss", "ADMIN")
    disabled = await register(client, "mallory")
    await client.post(f"/api/v1/users/{disabled['user']['id']}/disable", headers=bearer(admin))
    deleted = await register(client, "gone")
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute("DELETE FROM users WHERE id = %s", (deleted["user"]["id"],))
    for session in (disabled, deleted):
        created = await client.post("/api/v1/rooms", json={"name": "r"}, headers=bearer(session))
        assert_problem(created, 401)

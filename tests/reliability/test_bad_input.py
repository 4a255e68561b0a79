"""Bad input gets a precise 4xx problem, never a 500: malformed or mistyped bodies, unknown
fields, huge values, oversized bodies, invalid UTF-8, NUL, hostile text, bad path ids."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, staff

JSON = {"content-type": "application/json"}
BIG = 2**63  # one past PostgreSQL's bigint
HUGE = 10**40

# (method, path, a valid body): every operation that takes JSON; {room} is a room of the caller.
BODIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "POST",
        "/api/v1/auth/register",
        {"email": "x@example.com", "display_name": "x", "password": PASSWORD},
    ),
    ("POST", "/api/v1/auth/login", {"email": "ada@example.com", "password": PASSWORD}),
    ("POST", "/api/v1/auth/refresh", {"refresh_token": "r" * 43}),
    ("PATCH", "/api/v1/users/me", {"display_name": "Ada"}),
    ("PATCH", "/api/v1/users/{me}/role", {"role": "USER"}),
    ("POST", "/api/v1/rooms", {"name": "room"}),
    ("PATCH", "/api/v1/rooms/{room}", {"name": "room"}),
    ("POST", "/api/v1/rooms/{room}/join", {"invite_code": "x"}),
]
IDS = [f"{method} {path}" for method, path, _ in BODIES]


class Ctx:
    """A client with an admin (so staff routes get past their guard) who hosts one room."""

    def __init__(self, client: Client, session: dict[str, Any], room: int) -> None:
        self.client, self.session, self.room = client, session, room
        self.headers = bearer(session)

    def path(self, template: str) -> str:
        return template.format(room=self.room, me=self.session["user"]["id"])

    async def send(self, method: str, template: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, self.path(template), headers=headers, **kwargs)


@pytest.fixture
async def ctx(database_url: str) -> AsyncIterator[Ctx]:
    app: Litestar = create_app(settings_for(database_url, max_body_bytes=64 * 1024))
    async with AsyncTestClient(app) as client:
        session = await staff(client, database_url, "ada", "ADMIN")
        created = await client.post("/api/v1/rooms", json={"name": "home"}, headers=bearer(session))
        assert created.status_code == 201, created.text
        yield Ctx(client, session, created.json()["id"])


MALFORMED = [b"{not json", b'{"a": 1', b"", b"[]", b"null", b"42", b'"text"', b"{" * 10_000]


@pytest.mark.parametrize(("method", "path", "body"), BODIES, ids=IDS)
async def test_malformed_json_is_400(
    ctx: Ctx, method: str, path: str, body: dict[str, Any]
) -> None:
    for raw in MALFORMED:
        response = await ctx.send(method, path, content=raw, headers=JSON)
        if raw in (b"", b"null") and path.endswith("/join"):
            # join's body is optional: none means "no invite code"; the host is already in
            assert_problem(response, 409)
            continue
        assert_problem(response, 400)


# Real nesting: "{" * 10_000 above fails at byte 1; these overflowed the decoder's recursion.
NESTED = [
    b"[" * 1000,
    b'{"a":' * 1000,
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 1000 + b"1" + b"}" * 1000,
]


@pytest.mark.parametrize(("method", "path", "body"), BODIES, ids=IDS)
async def test_deeply_nested_json_is_400_without_a_trace(
    ctx: Ctx, method: str, path: str, body: dict[str, Any]
) -> None:
    for raw in NESTED:
        response = await ctx.send(method, path, content=raw, headers=JSON)
        assert_problem(response, 400)


async def test_integers_in_bodies_are_strict(ctx: Ctx) -> None:
    for number in [b'"4"', b"2.0", b"1E1", b"4.0e0"]:
        raw = b'{"name": "r", "max_players": ' + number + b"}"
        response = await ctx.send("POST", "/api/v1/rooms", content=raw, headers=JSON)
        assert "max_players" in str(assert_problem(response, 400)["errors"]), number


async def test_a_lone_surrogate_is_named(ctx: Ctx) -> None:
    raw = b'{"name": "\\ud83d"}'
    response = await ctx.send("POST", "/api/v1/rooms", content=raw, headers=JSON)
    assert "surrogate" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(("method", "path", "body"), BODIES, ids=IDS)
async def test_invalid_utf8_is_400(ctx: Ctx, method: str, path: str, body: dict[str, Any]) -> None:
    key = next(iter(body))
    raw = b'{"' + key.encode() + b'": "\xff\xfe\xc3("}'
    assert_problem(await ctx.send(method, path, content=raw, headers=JSON), 400)


@pytest.mark.parametrize(("method", "path", "body"), BODIES, ids=IDS)
async def test_unknown_field_is_400_naming_it(
    ctx: Ctx, method: str, path: str, body: dict[str, Any]
) -> None:
    response = await ctx.send(method, path, json={**body, "is_admin": True})
    problem = assert_problem(response, 400)
    assert "is_admin" in str(problem["errors"])


@pytest.mark.parametrize(("method", "path", "body"), BODIES, ids=IDS)
async def test_wrong_type_or_size_in_every_field_is_400(
    ctx: Ctx, method: str, path: str, body: dict[str, Any]
) -> None:
    for key, bad in itertools.product(body, [HUGE, -HUGE, 1.5, True, None, [], {}, "x" * 5_000]):
        if bad is None and (method == "PATCH" or key == "invite_code"):
            continue  # optional fields: null means "leave as is" / "no code"
        response = await ctx.send(method, path, json={**body, key: bad})
        problem = assert_problem(response, 400)
        assert key in str(problem.get("errors", "")) or key in problem["detail"], problem


@pytest.mark.parametrize(("method", "path", "body"), BODIES, ids=IDS)
async def test_nul_in_text_is_400_naming_the_field(
    ctx: Ctx, method: str, path: str, body: dict[str, Any]
) -> None:
    for key, value in body.items():
        if not isinstance(value, str) or "password" in key or key == "role":
            continue  # passwords are only hashed, never stored as text
        nul = value[:1] + "\x00" + value[1:]
        response = await ctx.send(method, path, json={**body, key: nul})
        if key == "refresh_token":  # only its hash is looked up: just a wrong token
            assert_problem(response, 401)
            continue
        assert key in str(assert_problem(response, 400)["errors"])


ROOM_FIELDS = [
    ("max_players", HUGE),
    ("max_players", BIG),
    ("max_players", 1),
    ("max_players", 17),
    ("visibility", "SECRET"),
    ("difficulty", "IMPOSSIBLE"),
    ("song_id", "s" * 129),
    ("name", " \t\n "),
]


async def test_out_of_range_room_fields_are_400(ctx: Ctx) -> None:
    for field, value in ROOM_FIELDS:
        response = await ctx.send("POST", "/api/v1/rooms", json={"name": "r", field: value})
        assert field in str(assert_problem(response, 400)["errors"])


async def test_body_over_the_limit_is_413_before_parsing(ctx: Ctx) -> None:
    over = b'{"name": "' + b"n" * (64 * 1024) + b'"}'
    response = await ctx.send("POST", "/api/v1/rooms", content=over, headers=JSON)
    assert_problem(response, 413)


async def test_wrong_content_type_is_a_4xx_problem(ctx: Ctx) -> None:
    response = await ctx.send(
        "POST", "/api/v1/rooms", content=b"name=x", headers={"content-type": "text/plain"}
    )
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)


PATHS = [
    ("/api/v1/rooms/999999", 404),
    ("/api/v1/users/999999", 404),
    (f"/api/v1/rooms/{2**63 - 1}", 404),
    (f"/api/v1/rooms/{BIG}", 400),
    (f"/api/v1/users/{HUGE}", 400),
    ("/api/v1/rooms/0", 400),
    ("/api/v1/rooms/-1", 400),
    ("/api/v1/rooms/abc", 404),  # not a room path at all: no route matches
    ("/api/v1/rooms/1.5", 404),
    ("/api/v1/rooms/1%00", 404),
    ("/api/v1/users/%27%20OR%201=1--", 404),
]


async def test_bad_path_ids(ctx: Ctx) -> None:
    for path, status in PATHS:
        assert_problem(await ctx.send("GET", path), status)
    for action in ["join", "leave", "ready", "unready", "start", "finish", "kick/1"]:
        assert_problem(await ctx.send("POST", f"/api/v1/rooms/999999/{action}"), 404)


QUERIES = [
    f"limit={HUGE}",
    "limit=0",
    "limit=abc",
    f"cursor={'9' * 20}",
    "cursor=-1",
    "cursor=1%20OR%201=1",
    "song_id=%00",
    f"song_id={'s' * 129}",
    "free_seats=maybe",
]


async def test_bad_query_parameters_are_400(ctx: Ctx) -> None:
    for query in QUERIES:
        assert_problem(await ctx.send("GET", f"/api/v1/rooms?{query}"), 400)
    assert_problem(await ctx.send("GET", "/api/v1/users?role=ROOT"), 400)
    assert_problem(await ctx.send("GET", "/api/v1/users?cursor=x"), 400)


INJECTIONS = [
    "'; DROP TABLE users; --",
    '" OR "1"="1',
    "1' OR '1'='1' /*",
    "$1; SELECT pg_sleep(10) --",
    "Robert'); DELETE FROM rooms;--",
    "\\x27 UNION SELECT password_hash FROM users --",
    "🎵 'ŝömé' ∑",  # bidi controls are refused in names: tests/http/test_hardening.py
]


@pytest.mark.parametrize("text", INJECTIONS)
async def test_hostile_text_is_stored_and_returned_verbatim(ctx: Ctx, text: str) -> None:
    name = text[:64]
    # Emails are printable ASCII (tests/http/test_hardening.py): the text's ASCII part goes there.
    email = f"{text.encode('ascii', 'ignore').decode().replace(' ', '_')[:40]}@example.com"
    registered = await ctx.client.post(
        "/api/v1/auth/register", json={"email": email, "display_name": name, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["user"]["display_name"] == name
    assert registered.json()["user"]["email"] == email
    user = bearer(registered.json())
    login = await ctx.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text

    patched = await ctx.client.patch("/api/v1/users/me", json={"display_name": name}, headers=user)
    assert patched.json()["display_name"] == name

    room = await ctx.client.post(
        "/api/v1/rooms",
        json={"name": name, "song_id": text, "visibility": "PRIVATE"},
        headers=user,
    )
    assert room.status_code == 201, room.text
    assert (room.json()["name"], room.json()["song_id"]) == (name, text)
    room_id = room.json()["id"]
    seen = await ctx.send("GET", f"/api/v1/rooms/{room_id}")
    assert (seen.json()["name"], seen.json()["members"][0]["display_name"]) == (name, name)

    changed = await ctx.client.patch(
        f"/api/v1/rooms/{room_id}", json={"visibility": "PUBLIC"}, headers=user
    )
    assert changed.status_code == 200, changed.text
    lobby = await ctx.client.get("/api/v1/rooms", params={"song_id": text}, headers=user)
    assert [r["id"] for r in lobby.json()["items"]] == [room_id]

    # As an invite code or a login, hostile text is only ever a wrong value.
    wrong_code = await ctx.send(
        "POST", f"/api/v1/rooms/{ctx.room}/join", json={"invite_code": text}
    )
    assert wrong_code.status_code in (403, 409), wrong_code.text
    bad_login = await ctx.client.post("/api/v1/auth/login", json={"email": email, "password": text})
    assert_problem(bad_login, 401)
    count = await ctx.send("GET", "/api/v1/users?limit=100")
    assert len(count.json()["items"]) == 2  # nothing dropped, nothing added

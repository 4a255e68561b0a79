"""HEAD is answered wherever GET is: GET's status and headers, no body, GET's authentication."""

from __future__ import annotations

from tests.http.helpers import Client, bearer, register


async def test_head_answers_like_get_without_the_body(client: Client) -> None:
    session = await register(client, "ada")
    for path in ("/health/live", "/api/v1/users/me", "/api/v1/rooms", "/schema/openapi.json"):
        get = await client.get(path, headers=bearer(session))
        head = await client.head(path, headers=bearer(session))
        assert get.status_code == 200, path
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))


async def test_head_is_authenticated_like_get(client: Client) -> None:
    head = await client.head("/api/v1/users/me")
    assert head.status_code == 401
    assert head.headers["www-authenticate"] == "Bearer"
    assert head.headers["content-type"] == "application/problem+json"
    assert head.content == b""


async def test_head_where_there_is_no_get_is_405(client: Client) -> None:
    session = await register(client, "bob")
    head = await client.head("/api/v1/auth/logout", headers=bearer(session))
    assert head.status_code == 405
    assert set(head.headers["allow"].split(", ")) == {"OPTIONS", "POST"}
    # Not a logout: the session still works.
    assert (await client.get("/api/v1/users/me", headers=bearer(session))).status_code == 200


async def test_a_405_lists_head_next_to_get(client: Client) -> None:
    response = await client.put("/health/live")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_options_lists_head_next_to_get(client: Client) -> None:
    session = await register(client, "cy")
    for path in ("/health/live", "/api/v1/users/me"):
        response = await client.options(path, headers=bearer(session))
        assert response.status_code == 204, path
        assert "HEAD" in response.headers["allow"].split(", "), path
    response = await client.options("/api/v1/auth/logout", headers=bearer(session))
    assert "HEAD" not in response.headers["allow"].split(", ")

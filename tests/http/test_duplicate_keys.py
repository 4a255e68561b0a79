"""A JSON object that names a key twice is a 400 naming the key, and changes nothing: which of
the two counts is up to each parser, so the request must not mean two things."""

from __future__ import annotations

from tests.http.helpers import Client, assert_problem, bearer, register


async def test_a_repeated_key_is_400_and_changes_nothing(client: Client) -> None:
    session = await register(client, "ada")
    response = await client.patch(
        "/api/v1/users/me",
        content=b'{"display_name": "first", "display_name": "second"}',
        headers={**bearer(session), "content-type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert body["errors"] == [
        {
            "message": "the key 'display_name' appears more than once",
            "key": "display_name",
            "source": "body",
        }
    ]
    me = await client.get("/api/v1/users/me", headers=bearer(session))
    assert me.json()["display_name"] == "ada"


async def test_a_repeated_key_creates_nothing(client: Client) -> None:
    session = await register(client, "bob")
    response = await client.post(
        "/api/v1/rooms",
        content=b'{"name": "one", "max_players": 4, "max_players": 2}',
        headers={**bearer(session), "content-type": "application/json"},
    )
    assert_problem(response, 400)
    lobby = await client.get("/api/v1/rooms", headers=bearer(session))
    assert lobby.json()["items"] == []


async def test_repeated_names_inside_a_string_are_fine(client: Client) -> None:
    session = await register(client, "carol")
    response = await client.post(
        "/api/v1/rooms",
        content=b'{"name": "{\\"name\\": 1, \\"name\\": 2}", "max_players": 4}',
        headers={**bearer(session), "content-type": "application/json"},
    )
    assert response.status_code == 201, response.text

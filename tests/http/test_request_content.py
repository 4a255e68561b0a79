"""Content an operation cannot take is refused before the handler runs: a body on an operation
without one, a body not declared as JSON (what a cross-site form sends without a preflight)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
ME = "/api/v1/users/me"


def _new_account(name: str) -> bytes:
    return (
        f'{{"email": "{name}@example.com", "display_name": "{name}", "password": "{PASSWORD}"}}'
    ).encode()


async def test_a_json_body_sent_as_text_plain_is_415_and_does_nothing(client: Client) -> None:
    # What an HTML form with enctype="text/plain" on another site can post without a preflight.
    for media in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = await client.post(
            REGISTER, content=_new_account("forged"), headers={"content-type": media}
        )
        body = assert_problem(response, 415)
        assert body["detail"] == "send the request body as application/json"
    response = await client.post(REGISTER, content=_new_account("forged"))  # no type at all
    assert_problem(response, 415)
    # None of them created the account: the address is still free.
    await register(client, "forged")


async def test_json_media_types_pass(client: Client) -> None:
    await register(client, "ada")
    login = f'{{"email": "ada@example.com", "password": "{PASSWORD}"}}'.encode()
    for media in ("application/json", "Application/JSON; charset=utf-8", "application/x+json"):
        response = await client.post(LOGIN, content=login, headers={"content-type": media})
        assert response.status_code == 200, (media, response.text)


async def test_a_body_on_an_operation_without_one_is_415_and_does_nothing(
    client: Client,
) -> None:
    session = await register(client, "bob")
    for content in (b"junk", b"{}", b'{"all": true}'):
        response = await client.post(
            "/api/v1/auth/logout",
            content=content,
            headers={**bearer(session), "content-type": "application/json"},
        )
        assert assert_problem(response, 415)["detail"] == (
            "this operation takes no request body; send none"
        )
    for path in (ME, "/schema/openapi.json"):  # the docs have a hook of their own
        response = await client.request("GET", path, content=b"{}", headers=bearer(session))
        assert_problem(response, 415)
    # The logouts did not happen: the session still works.
    assert (await client.get(ME, headers=bearer(session))).status_code == 200


async def test_a_chunked_body_on_an_operation_without_one_is_415(client: Client) -> None:
    session = await register(client, "carol")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 1000

    response = await client.post("/api/v1/auth/logout", content=chunks(), headers=bearer(session))
    assert_problem(response, 415)
    assert (await client.get(ME, headers=bearer(session))).status_code == 200


async def test_no_content_is_always_fine(client: Client) -> None:
    session = await register(client, "dave")
    headers = {**bearer(session), "content-type": "application/json"}
    created = await client.post("/api/v1/rooms", json={"name": "r"}, headers=bearer(session))
    assert created.status_code == 201
    leave = await client.post(f"/api/v1/rooms/{created.json()['id']}/leave", headers=headers)
    assert leave.status_code == 204
    response = await client.post("/api/v1/auth/logout", content=b"", headers=headers)
    assert response.status_code == 204


async def test_an_oversized_body_is_413_whatever_its_type(client: Client) -> None:
    response = await client.post(REGISTER, content=b"x" * 2_000_000)
    assert_problem(response, 413)

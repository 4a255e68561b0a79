"""Findings of a black-box probe, each pinned by a test: no-store on tokens, names and
passwords that show nothing refused, one spelling per email address, clear texts for absent
bodies and ended sessions, problem details under /schema. (Attempt limits:
tests/http/test_login_limits.py.)"""

from __future__ import annotations

import pytest

from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register

LOGIN = "/api/v1/auth/login"


async def test_token_responses_are_not_stored(client: Client) -> None:
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": "ada@example.com", "display_name": "Ada", "password": PASSWORD},
    )
    login = await client.post(LOGIN, json={"email": "ada@example.com", "password": PASSWORD})
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    for response in (registered, login, refreshed):
        assert response.status_code in (200, 201), response.text
        assert "access_token" in response.json()
        assert response.headers["cache-control"] == "no-store"


INVISIBLE_NAMES = ["\u200b", "\u180e", "\u200b\u200b", "\u3164", " \u2060 ", "\u00ad"]
BIDI_NAMES = ["\u202eRTL", "Ada\u202e", "a\u2066b\u2069", "x\u200fy"]
CONTROL_NAMES = ["Ada\n", "a\nb", "a\tb", "\x1b[2Jwiped", "red\x1b[31m", "a\x85b", "a\rb"]


@pytest.mark.parametrize("name", INVISIBLE_NAMES + BIDI_NAMES + CONTROL_NAMES)
async def test_names_that_show_nothing_or_reorder_text_are_refused(
    client: Client, name: str
) -> None:
    body = {"email": "ada@example.com", "display_name": name, "password": PASSWORD}
    problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 400)
    assert "display_name" in str(problem["errors"])
    session = await register(client, "bob")
    for method, path, field in [
        ("PATCH", "/api/v1/users/me", "display_name"),
        ("POST", "/api/v1/rooms", "name"),
    ]:
        response = await client.request(method, path, json={field: name}, headers=bearer(session))
        assert field in str(assert_problem(response, 400)["errors"])


async def test_names_with_invisible_characters_among_visible_ones_are_kept(
    client: Client,
) -> None:
    # A zero-width joiner belongs inside emoji sequences and some scripts.
    name = "Ada \U0001f469\u200d\U0001f4bb"
    body = {"email": "ada@example.com", "display_name": name, "password": PASSWORD}
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["user"]["display_name"] == name


@pytest.mark.parametrize("password", [" " * 8, "\x00" * 8, "\t \n \u3000 \x00 ", "\ufeff" * 9])
async def test_passwords_of_spaces_or_nul_only_are_refused(client: Client, password: str) -> None:
    body = {"email": "ada@example.com", "display_name": "Ada", "password": password}
    problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 400)
    assert "password" in str(problem["errors"])


@pytest.mark.parametrize(
    "email",
    ["u1@probe.test.", "a@b..test", "a@.test", f"{'l' * 65}@example.com", "a@test"],
)
async def test_emails_with_a_second_spelling_or_too_long_a_local_part_are_refused(
    client: Client, email: str
) -> None:
    body = {"email": email, "display_name": "Ada", "password": PASSWORD}
    problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 400)
    assert "email" in str(problem["errors"])


@pytest.mark.parametrize(
    "email",
    ["a\u200b@probe.test", "\uff41@probe.test", "ad\u0430@probe.test", "a@b\u00fccher.test"],
)
async def test_emails_outside_printable_ascii_are_refused(client: Client, email: str) -> None:
    """Invisible and look-alike characters would make accounts that read like another's."""
    body = {"email": email, "display_name": "Ada", "password": PASSWORD}
    problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 400)
    assert "email" in str(problem["errors"])


async def test_an_international_domain_in_its_xn_form_is_accepted(client: Client) -> None:
    body = {"email": "ada@xn--bcher-kva.test", "display_name": "Ada", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201


async def test_a_local_part_of_64_characters_is_accepted(client: Client) -> None:
    email = f"{'l' * 64}@example.com"
    body = {"email": email, "display_name": "Ada", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201


async def test_an_absent_body_says_a_body_is_required(client: Client) -> None:
    response = await client.post(LOGIN, content=b"", headers={"content-type": "application/json"})
    problem = assert_problem(response, 400)
    assert problem["errors"] == [
        {"message": "a JSON body is required", "key": "data", "source": "body"}
    ]


async def test_a_token_of_an_ended_session_gets_a_401_that_says_so(client: Client) -> None:
    session = await register(client, "ada")
    deleted = await client.post(
        "/api/v1/account/delete", json={"password": PASSWORD}, headers=bearer(session)
    )
    assert deleted.status_code == 204
    # The token is well signed; its session is gone, which the access check finds.
    response = await client.get("/api/v1/users/me", headers=bearer(session))
    problem = assert_problem(response, 401)
    assert "log in again" in problem["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/schema/redoc", "/schema/foo", "/schema/a/b", "/schema/x.html"])
async def test_unknown_docs_paths_are_404_problems(client: Client, path: str) -> None:
    problem = assert_problem(await client.get(path), 404)
    assert problem["instance"] == path


async def test_the_docs_still_answer(client: Client) -> None:
    for path in ("/schema", "/schema/swagger", "/schema/openapi.json", "/schema/openapi.yaml"):
        assert (await client.get(path)).status_code == 200, path

"""/api/v1/users over HTTP: profile, listing, roles, disable/enable, guards."""

from __future__ import annotations

from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register, staff


async def test_me(client: Client) -> None:
    session = await register(client, "ada")
    response = await client.get("/api/v1/users/me", headers=bearer(session))
    assert response.status_code == 200
    assert response.json()["id"] == session["user"]["id"]
    assert "password" not in response.text


async def test_me_without_a_token_is_401(client: Client) -> None:
    response = await client.get("/api/v1/users/me")
    assert_problem(response, 401)


async def test_update_display_name(client: Client) -> None:
    session = await register(client, "ada")
    response = await client.patch(
        "/api/v1/users/me", json={"display_name": "Countess"}, headers=bearer(session)
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Countess"


async def test_password_change_revokes_other_sessions(client: Client) -> None:
    this = await register(client, "ada")
    other = (
        await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
    ).json()
    wrong = await client.patch(
        "/api/v1/users/me",
        json={"current_password": "not it at all", "new_password": "brand new pass"},
        headers=bearer(this),
    )
    assert_problem(wrong, 403)
    response = await client.patch(
        "/api/v1/users/me",
        json={"current_password": PASSWORD, "new_password": "brand new pass"},
        headers=bearer(this),
    )
    assert response.status_code == 200
    dead = await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert_problem(dead, 401)
    alive = await client.post("/api/v1/auth/refresh", json={"refresh_token": this["refresh_token"]})
    assert alive.status_code == 200
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "brand new pass"}
    )
    assert login.status_code == 200


async def test_update_me_rejects_unknown_fields(client: Client) -> None:
    session = await register(client, "ada")
    response = await client.patch(
        "/api/v1/users/me", json={"role": "ADMIN"}, headers=bearer(session)
    )
    assert_problem(response, 400)


async def test_list_users_needs_staff(client: Client, database_url: str) -> None:
    user = await register(client, "ada")
    assert_problem(await client.get("/api/v1/users"), 401)
    assert_problem(await client.get("/api/v1/users", headers=bearer(user)), 403)


async def test_list_users_pages_with_a_cursor(client: Client, database_url: str) -> None:
    mod = await staff(client, database_url, "mod", "MODERATOR")
    for n in range(4):
        await register(client, f"user{n}")
    first = await client.get("/api/v1/users?limit=2&role=USER", headers=bearer(mod))
    assert first.status_code == 200
    page = first.json()
    assert [u["display_name"] for u in page["items"]] == ["user0", "user1"]
    second = await client.get(
        f"/api/v1/users?limit=2&role=USER&cursor={page['next']}", headers=bearer(mod)
    )
    page2 = second.json()
    assert [u["display_name"] for u in page2["items"]] == ["user2", "user3"]
    assert page2["next"] is None


async def test_list_users_bad_parameters(client: Client, database_url: str) -> None:
    mod = await staff(client, database_url, "mod", "MODERATOR")
    for query in ("limit=0", "limit=101", "role=KING", "cursor=abc", "limit=ten"):
        assert_problem(await client.get(f"/api/v1/users?{query}", headers=bearer(mod)), 400)


async def test_get_user(client: Client, database_url: str) -> None:
    ada = await register(client, "ada")
    bob = await register(client, "bob")
    mod = await staff(client, database_url, "mod", "MODERATOR")
    own = await client.get(f"/api/v1/users/{ada['user']['id']}", headers=bearer(ada))
    assert own.status_code == 200
    assert_problem(await client.get(f"/api/v1/users/{bob['user']['id']}", headers=bearer(ada)), 403)
    assert (
        await client.get(f"/api/v1/users/{bob['user']['id']}", headers=bearer(mod))
    ).status_code == 200
    assert_problem(await client.get("/api/v1/users/999999", headers=bearer(mod)), 404)
    assert_problem(await client.get("/api/v1/users/abc", headers=bearer(mod)), 404)


async def test_set_role_is_admin_only(client: Client, database_url: str) -> None:
    ada = await register(client, "ada")
    mod = await staff(client, database_url, "mod", "MODERATOR")
    admin = await staff(client, database_url, "root", "ADMIN")
    path = f"/api/v1/users/{ada['user']['id']}/role"
    assert_problem(await client.patch(path, json={"role": "MODERATOR"}), 401)
    assert_problem(await client.patch(path, json={"role": "MODERATOR"}, headers=bearer(mod)), 403)
    assert_problem(await client.patch(path, json={"role": "KING"}, headers=bearer(admin)), 400)
    response = await client.patch(path, json={"role": "MODERATOR"}, headers=bearer(admin))
    assert response.status_code == 200
    assert response.json()["role"] == "MODERATOR"
    own = f"/api/v1/users/{admin['user']['id']}/role"
    assert_problem(await client.patch(own, json={"role": "USER"}, headers=bearer(admin)), 403)
    missing = "/api/v1/users/999999/role"
    assert_problem(await client.patch(missing, json={"role": "USER"}, headers=bearer(admin)), 404)


async def test_disable_revokes_sessions_and_enable_restores(
    client: Client, database_url: str
) -> None:
    ada = await register(client, "ada")
    mod = await staff(client, database_url, "mod", "MODERATOR")
    user_id = ada["user"]["id"]
    assert_problem(await client.post(f"/api/v1/users/{user_id}/disable", headers=bearer(ada)), 403)
    response = await client.post(f"/api/v1/users/{user_id}/disable", headers=bearer(mod))
    assert response.status_code == 200
    assert response.json()["is_active"] is False

    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": ada["refresh_token"]}
    )
    assert_problem(refresh, 401)
    assert_problem(await client.get("/api/v1/users/me", headers=bearer(ada)), 401)
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert_problem(login, 403)

    enabled = await client.post(f"/api/v1/users/{user_id}/enable", headers=bearer(mod))
    assert enabled.json()["is_active"] is True
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200
    assert_problem(await client.post("/api/v1/users/999999/disable", headers=bearer(mod)), 404)

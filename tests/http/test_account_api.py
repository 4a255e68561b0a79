"""/api/v1/account over HTTP on PostgreSQL: my sessions, and deleting accounts."""

from __future__ import annotations

import jwt

from tests.http.helpers import PASSWORD, Client, assert_problem, bearer, register, staff
from tests.http.test_rooms_api import create_room

LOGIN = {"email": "ada@example.com", "password": PASSWORD}


def sid(session: dict[str, object]) -> str:
    claims = jwt.decode(str(session["access_token"]), options={"verify_signature": False})
    return str(claims["sid"])


async def test_list_my_sessions_and_end_one(client: Client) -> None:
    first = await register(client, "ada")
    second = (
        await client.post("/api/v1/auth/login", json=LOGIN, headers={"User-Agent": "phone/1"})
    ).json()
    await register(client, "bob")
    response = await client.get("/api/v1/account/sessions", headers=bearer(second))
    assert response.status_code == 200
    sessions = response.json()
    assert [(s["id"], s["current"]) for s in sessions] == [
        (sid(second), True),
        (sid(first), False),
    ]
    assert sessions[0]["user_agent"] == "phone/1"
    assert sessions[0]["created_at"] <= sessions[0]["last_used_at"]
    ended = await client.delete(f"/api/v1/account/sessions/{sid(first)}", headers=bearer(second))
    assert ended.status_code == 204
    refresh = {"refresh_token": first["refresh_token"]}
    assert_problem(await client.post("/api/v1/auth/refresh", json=refresh), 401)
    again = await client.delete(f"/api/v1/account/sessions/{sid(first)}", headers=bearer(second))
    assert_problem(again, 404)
    left = (await client.get("/api/v1/account/sessions", headers=bearer(second))).json()
    assert [s["id"] for s in left] == [sid(second)]
    assert_problem(await client.get("/api/v1/account/sessions"), 401)
    assert_problem(
        await client.delete("/api/v1/account/sessions/not-a-uuid", headers=bearer(second)), 400
    )


async def test_deleting_my_account(client: Client, database_url: str) -> None:
    admin = await staff(client, database_url, "root", "ADMIN")
    ada = await register(client, "ada")
    other = (await client.post("/api/v1/auth/login", json=LOGIN)).json()
    url = "/api/v1/account/delete"
    assert_problem(await client.post(url, json={}, headers=bearer(ada)), 400)
    wrong = {"password": "not the password"}
    assert_problem(await client.post(url, json=wrong, headers=bearer(ada)), 403)
    response = await client.post(url, json={"password": PASSWORD}, headers=bearer(ada))
    assert response.status_code == 204
    for session in (ada, other):  # every session ends at once, access and refresh tokens
        assert_problem(await client.get("/api/v1/users/me", headers=bearer(session)), 401)
        refresh = {"refresh_token": session["refresh_token"]}
        assert_problem(await client.post("/api/v1/auth/refresh", json=refresh), 401)
    assert_problem(await client.post("/api/v1/auth/login", json=LOGIN), 401)
    gone = await client.get(f"/api/v1/users/{ada['user']['id']}", headers=bearer(admin))
    assert_problem(gone, 404)
    listed = (await client.get("/api/v1/users/", headers=bearer(admin))).json()
    assert ada["user"]["id"] not in [u["id"] for u in listed["items"]]
    reborn = await register(client, "ada")  # the email is free again
    assert reborn["user"]["id"] != ada["user"]["id"]


async def test_a_deleted_host_hands_the_room_over(client: Client) -> None:
    ada = await register(client, "ada")
    bob = await register(client, "bob")
    room = await create_room(client, ada)
    joined = await client.post(f"/api/v1/rooms/{room['id']}/join", headers=bearer(bob))
    assert joined.status_code == 200, joined.text
    deleted = await client.post(
        "/api/v1/account/delete", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert deleted.status_code == 204
    now = (await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(bob))).json()
    assert now["host_id"] == bob["user"]["id"]
    assert [m["user_id"] for m in now["members"]] == [bob["user"]["id"]]


async def test_admins_delete_others_but_not_the_last_admin(
    client: Client, database_url: str
) -> None:
    root = await staff(client, database_url, "root", "ADMIN")
    mod = await staff(client, database_url, "mod", "MODERATOR")
    ada = await register(client, "ada")
    url = f"/api/v1/users/{ada['user']['id']}"
    assert_problem(await client.delete(url, headers=bearer(mod)), 403)
    assert (await client.delete(url, headers=bearer(root))).status_code == 204
    assert_problem(await client.delete(url, headers=bearer(root)), 404)
    mine = f"/api/v1/users/{root['user']['id']}"
    assert_problem(await client.delete(mine, headers=bearer(root)), 403)
    last = await client.post(
        "/api/v1/account/delete", json={"password": PASSWORD}, headers=bearer(root)
    )
    assert_problem(last, 409)
    audit = await client.get("/api/v1/audit?type=user.deleted", headers=bearer(root))
    (event,) = audit.json()["items"]
    assert (event["actor_id"], event["target_id"]) == (root["user"]["id"], ada["user"]["id"])
    assert event["details"] == {"by": "admin"}

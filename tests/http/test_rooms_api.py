"""/api/v1/rooms over HTTP: every endpoint and permission, as problem details on errors."""

from __future__ import annotations

from typing import Any

from tests.http.helpers import Client, assert_problem, bearer, register, staff


async def create_room(client: Client, host: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/rooms", json={"name": "Lobby", "max_players": 4, **body}, headers=bearer(host)
    )
    assert response.status_code == 201, response.text
    room: dict[str, Any] = response.json()
    return room


async def test_create_and_get(client: Client) -> None:
    host = await register(client, "host")
    room = await create_room(client, host, song_id="neon-tide", difficulty="HARD")
    assert room["host_id"] == host["user"]["id"]
    assert room["status"] == "OPEN"
    assert room["member_count"] == 1
    assert [m["user_id"] for m in room["members"]] == [host["user"]["id"]]
    assert room["invite_code"] is None
    other = await register(client, "other")
    got = await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(other))
    assert got.status_code == 200
    assert got.json()["song_id"] == "neon-tide"


async def test_create_validation(client: Client) -> None:
    host = await register(client, "host")
    for body in (
        {"name": ""},
        {"name": "x", "max_players": 1},
        {"name": "x", "max_players": 17},
        {"name": "x", "difficulty": "IMPOSSIBLE"},
        {"name": "x", "extra": 1},
    ):
        response = await client.post("/api/v1/rooms", json=body, headers=bearer(host))
        assert_problem(response, 400)
    assert_problem(await client.post("/api/v1/rooms", json={"name": "x"}), 401)


async def test_one_room_at_a_time(client: Client) -> None:
    host = await register(client, "host")
    await create_room(client, host)
    again = await client.post("/api/v1/rooms", json={"name": "Second"}, headers=bearer(host))
    assert "already in a room" in assert_problem(again, 409)["detail"]


async def test_lobby_lists_open_public_rooms_with_filters(client: Client) -> None:
    rooms = []
    for n in range(3):
        host = await register(client, f"host{n}")
        rooms.append(await create_room(client, host, song_id="a" if n else "b", max_players=2))
    private_host = await register(client, "hidden")
    await create_room(client, private_host, visibility="PRIVATE")
    joiner = await register(client, "joiner")
    await client.post(f"/api/v1/rooms/{rooms[0]['id']}/join", headers=bearer(joiner))

    everyone = (await client.get("/api/v1/rooms", headers=bearer(joiner))).json()
    assert [r["id"] for r in everyone["items"]] == [r["id"] for r in rooms]
    song = (await client.get("/api/v1/rooms?song_id=a", headers=bearer(joiner))).json()
    assert [r["id"] for r in song["items"]] == [rooms[1]["id"], rooms[2]["id"]]
    free = (await client.get("/api/v1/rooms?free_seats=true", headers=bearer(joiner))).json()
    assert [r["id"] for r in free["items"]] == [rooms[1]["id"], rooms[2]["id"]]
    page = (await client.get("/api/v1/rooms?limit=2", headers=bearer(joiner))).json()
    assert len(page["items"]) == 2
    rest = (
        await client.get(f"/api/v1/rooms?limit=2&cursor={page['next']}", headers=bearer(joiner))
    ).json()
    assert [r["id"] for r in rest["items"]] == [rooms[2]["id"]]
    assert rest["next"] is None


async def test_join_rules(client: Client) -> None:
    host = await register(client, "host")
    room = await create_room(client, host, max_players=2)
    guest = await register(client, "guest")
    joined = await client.post(f"/api/v1/rooms/{room['id']}/join", headers=bearer(guest))
    assert joined.status_code == 200
    assert joined.json()["member_count"] == 2
    late = await register(client, "late")
    full = await client.post(f"/api/v1/rooms/{room['id']}/join", headers=bearer(late))
    assert "full" in assert_problem(full, 409)["detail"]
    assert_problem(await client.post("/api/v1/rooms/999999/join", headers=bearer(late)), 404)


async def test_private_rooms_need_the_invite_code(client: Client, database_url: str) -> None:
    host = await register(client, "host")
    room = await create_room(client, host, visibility="PRIVATE")
    code = room["invite_code"]
    assert code
    guest = await register(client, "guest")
    assert_problem(await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(guest)), 404)
    path = f"/api/v1/rooms/{room['id']}/join"
    # Without its code, a private room is as absent as when viewed: its id tells nothing.
    missing = assert_problem(await client.post(path, headers=bearer(guest)), 404)
    assert missing["detail"] == f"room {room['id']} does not exist"
    assert_problem(
        await client.post(path, json={"invite_code": "wrong"}, headers=bearer(guest)), 404
    )
    ok = await client.post(path, json={"invite_code": code}, headers=bearer(guest))
    assert ok.status_code == 200
    assert ok.json()["invite_code"] == code
    mod = await staff(client, database_url, "mod", "MODERATOR")
    assert (await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(mod))).status_code == 200
    # Staff see the room, so they are told what is missing.
    assert (
        "invite code" in assert_problem(await client.post(path, headers=bearer(mod)), 403)["detail"]
    )


async def test_leave_hands_host_over_and_last_closes(client: Client) -> None:
    host = await register(client, "host")
    room = await create_room(client, host)
    a, b = await register(client, "a"), await register(client, "b")
    for user in (a, b):
        await client.post(f"/api/v1/rooms/{room['id']}/join", headers=bearer(user))
    left = await client.post(f"/api/v1/rooms/{room['id']}/leave", headers=bearer(host))
    assert left.status_code == 204
    now = (await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(a))).json()
    assert now["host_id"] == a["user"]["id"]
    assert now["member_count"] == 2
    assert_problem(
        await client.post(f"/api/v1/rooms/{room['id']}/leave", headers=bearer(host)), 404
    )
    for user in (a, b):
        await client.post(f"/api/v1/rooms/{room['id']}/leave", headers=bearer(user))
    closed = (await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(a))).json()
    assert closed["status"] == "CLOSED"
    assert closed["closed_at"] is not None
    assert closed["members"] == []
    # Everyone may open a new room now.
    await create_room(client, host)


async def test_ready_start_finish(client: Client) -> None:
    host = await register(client, "host")
    room = await create_room(client, host)
    rid = room["id"]
    guest = await register(client, "guest")
    outsider = await register(client, "outsider")
    assert_problem(await client.post(f"/api/v1/rooms/{rid}/start", headers=bearer(host)), 409)
    await client.post(f"/api/v1/rooms/{rid}/join", headers=bearer(guest))
    assert_problem(await client.post(f"/api/v1/rooms/{rid}/ready", headers=bearer(outsider)), 403)
    for user in (host, guest):
        response = await client.post(f"/api/v1/rooms/{rid}/ready", headers=bearer(user))
        assert response.status_code == 200
    await client.post(f"/api/v1/rooms/{rid}/unready", headers=bearer(guest))
    not_all = await client.post(f"/api/v1/rooms/{rid}/start", headers=bearer(host))
    assert "ready" in assert_problem(not_all, 409)["detail"]
    await client.post(f"/api/v1/rooms/{rid}/ready", headers=bearer(guest))
    assert_problem(await client.post(f"/api/v1/rooms/{rid}/start", headers=bearer(guest)), 403)
    started = await client.post(f"/api/v1/rooms/{rid}/start", headers=bearer(host))
    assert started.json()["status"] == "IN_MATCH"
    late = await register(client, "late")
    assert_problem(await client.post(f"/api/v1/rooms/{rid}/join", headers=bearer(late)), 409)
    assert_problem(await client.post(f"/api/v1/rooms/{rid}/ready", headers=bearer(host)), 409)
    finished = await client.post(f"/api/v1/rooms/{rid}/finish", headers=bearer(host))
    body = finished.json()
    assert body["status"] == "OPEN"
    assert not any(m["is_ready"] for m in body["members"])
    assert_problem(await client.post(f"/api/v1/rooms/{rid}/finish", headers=bearer(host)), 409)


async def test_update_settings(client: Client) -> None:
    host = await register(client, "host")
    room = await create_room(client, host, song_id="old")
    rid = room["id"]
    guest = await register(client, "guest")
    await client.post(f"/api/v1/rooms/{rid}/join", headers=bearer(guest))
    path = f"/api/v1/rooms/{rid}"
    assert_problem(await client.patch(path, json={"name": "x"}, headers=bearer(guest)), 403)
    below = await client.patch(path, json={"max_players": 2}, headers=bearer(host))
    assert below.status_code == 200
    assert_problem(await client.patch(path, json={"max_players": 1}, headers=bearer(host)), 400)
    third = await register(client, "third")
    assert_problem(await client.post(f"{path}/join", headers=bearer(third)), 409)
    private = await client.patch(
        path, json={"visibility": "PRIVATE", "difficulty": "EXPERT"}, headers=bearer(host)
    )
    body = private.json()
    assert body["visibility"] == "PRIVATE"
    assert body["invite_code"]
    assert body["difficulty"] == "EXPERT"
    assert body["song_id"] == "old"
    cleared = await client.patch(path, json={"song_id": None}, headers=bearer(host))
    assert cleared.json()["song_id"] is None


async def test_update_max_players_below_members_is_409(client: Client) -> None:
    host = await register(client, "host")
    room = await create_room(client, host, max_players=3)
    for name in ("a", "b"):
        await client.post(
            f"/api/v1/rooms/{room['id']}/join", headers=bearer(await register(client, name))
        )
    response = await client.patch(
        f"/api/v1/rooms/{room['id']}", json={"max_players": 2}, headers=bearer(host)
    )
    assert_problem(response, 409)


async def test_kick_and_close_permissions(client: Client, database_url: str) -> None:
    host = await register(client, "host")
    room = await create_room(client, host)
    rid = room["id"]
    guest, other = await register(client, "guest"), await register(client, "other")
    for user in (guest, other):
        await client.post(f"/api/v1/rooms/{rid}/join", headers=bearer(user))
    kick_other = f"/api/v1/rooms/{rid}/kick/{other['user']['id']}"
    assert_problem(await client.post(kick_other, headers=bearer(guest)), 403)
    assert (await client.post(kick_other, headers=bearer(host))).status_code == 204
    assert_problem(await client.post(kick_other, headers=bearer(host)), 404)
    self_kick = f"/api/v1/rooms/{rid}/kick/{host['user']['id']}"
    assert_problem(await client.post(self_kick, headers=bearer(host)), 422)
    mod = await staff(client, database_url, "mod", "MODERATOR")
    kick_guest = f"/api/v1/rooms/{rid}/kick/{guest['user']['id']}"
    assert (await client.post(kick_guest, headers=bearer(mod))).status_code == 204

    assert_problem(await client.delete(f"/api/v1/rooms/{rid}", headers=bearer(guest)), 403)
    assert (await client.delete(f"/api/v1/rooms/{rid}", headers=bearer(mod))).status_code == 204
    assert_problem(await client.delete(f"/api/v1/rooms/{rid}", headers=bearer(host)), 409)
    closed = (await client.get(f"/api/v1/rooms/{rid}", headers=bearer(host))).json()
    assert closed["status"] == "CLOSED"

"""The server's answers match the document: every status it gives is documented for that
operation, and every body validates against the documented schema (JSON Schema 2020-12).

A walk through the API as a game client and a moderator use it, including the usual errors.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.contract.conftest import DOCUMENT

PASSWORD = "correct horse battery staple"


class Contract:
    """Calls operations by id and checks each answer against the document."""

    def __init__(self, client: AsyncTestClient[Litestar], document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self.by_id = {
            op["operationId"]: (path, method, op)
            for path, item in document["paths"].items()
            for method, op in item.items()
        }
        self.seen: set[tuple[str, int]] = set()

    async def call(
        self,
        operation_id: str,
        token: str | None = None,
        body: Any = None,
        expect: int | None = None,
        query: dict[str, Any] | None = None,
        **path_params: int,
    ) -> Any:
        path, method, op = self.by_id[operation_id]
        url = re.sub(r"\{(\w+)\}", lambda m: str(path_params[m.group(1)]), path)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.request(
            method.upper(), url, json=body, headers=headers, params=query
        )
        status = response.status_code
        where = f"{operation_id} answered {status}: {response.text[:300]}"
        if expect is not None:
            assert status == expect, where
        documented = op["responses"].get(str(status))
        assert documented is not None, f"{where}; undocumented status"
        self.seen.add((operation_id, status))
        if "$ref" in documented:
            documented = self._resolve(documented["$ref"])
        if status == 204:
            assert response.content == b"", where
            return None
        media = response.headers["content-type"].split(";")[0]
        assert media in documented.get("content", {}), f"{where}; undocumented {media}"
        schema = documented["content"][media]["schema"]
        body_json = response.json()
        self.validate(schema, body_json, where)
        return body_json

    def validate(self, schema: dict[str, Any], instance: Any, where: str) -> None:
        root = {**schema, "components": self.document["components"]}
        errors = sorted(Draft202012Validator(root).iter_errors(instance), key=str)
        assert not errors, f"{where}; not as documented: {errors[0].message}"

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict)
        return node


@pytest.fixture
def contract(client: AsyncTestClient[Litestar]) -> Contract:
    return Contract(client, yaml.safe_load(DOCUMENT.read_text()))


async def _register(api: Contract, name: str) -> dict[str, Any]:
    body = {"email": f"{name}@example.com", "display_name": name.title(), "password": PASSWORD}
    session: dict[str, Any] = await api.call("register", body=body, expect=201)
    return session


async def test_auth_and_users_answer_as_documented(contract: Contract) -> None:
    api = contract
    await api.call("healthLive", expect=200)
    await api.call("healthReady", expect=200)
    ada = await _register(api, "ada")
    token = ada["access_token"]
    await api.call(
        "register",
        body={"email": "ada@example.com", "display_name": "A", "password": PASSWORD},
        expect=409,
    )
    bad = await api.call("register", body={"email": "nope", "password": "x"}, expect=400)
    assert bad["errors"], bad
    await api.call("register", body={"unknown": 1}, expect=400)
    await api.call("login", body={"email": "ada@example.com", "password": "wrong!"}, expect=401)
    await api.call("login", body={"email": "ada@example.com", "password": PASSWORD}, expect=200)
    await api.call("getMe", expect=401)
    await api.call("getMe", token="not-a-jwt", expect=401)
    await api.call("getMe", token=token, expect=200)
    await api.call("updateMe", token=token, body={"display_name": "Ada L."}, expect=200)
    await api.call("updateMe", token=token, body={"display_name": ""}, expect=400)
    await api.call("getUser", token=token, user_id=ada["user"]["id"], expect=200)
    await api.call("getUser", token=token, user_id=0, expect=400)
    await api.call("listUsers", token=token, expect=403)
    await api.call("refreshSession", body={"refresh_token": ada["refresh_token"]}, expect=200)
    await api.call("refreshSession", body={"refresh_token": ada["refresh_token"]}, expect=401)
    await api.call("refreshSession", body={"refresh_token": "short"}, expect=400)
    # The reuse above ended ada's first session (and its access tokens): fresh sessions now.
    for operation in ("logout", "logoutAll"):
        fresh = await api.call(
            "login", body={"email": "ada@example.com", "password": PASSWORD}, expect=200
        )
        await api.call(operation, token=fresh["access_token"], expect=204)


async def test_rooms_answer_as_documented(contract: Contract) -> None:
    api = contract
    host = (await _register(api, "host"))["access_token"]
    guest_session = await _register(api, "guest")
    guest = guest_session["access_token"]
    room = await api.call(
        "createRoom", token=host, body={"name": "Friday", "max_players": 2}, expect=201
    )
    rid = room["id"]
    await api.call("createRoom", token=host, body={"name": "x", "max_players": 99}, expect=400)
    await api.call("listRooms", token=guest, expect=200)
    await api.call("listRooms", token=guest, query={"cursor": "x"}, expect=400)
    await api.call("getRoom", token=guest, room_id=rid, expect=200)
    await api.call("getRoom", token=guest, room_id=999_999, expect=404)
    await api.call("joinRoom", token=guest, room_id=rid, expect=200)
    await api.call("joinRoom", token=guest, room_id=rid)  # already in: documented either way
    await api.call("updateRoom", token=guest, room_id=rid, body={"name": "mine"}, expect=403)
    await api.call(
        "updateRoom", token=host, room_id=rid, body={"song_id": None, "difficulty": "EASY"}
    )
    await api.call("startMatch", token=host, room_id=rid, expect=409)
    await api.call("setReady", token=host, room_id=rid, expect=200)
    await api.call("setReady", token=guest, room_id=rid, expect=200)
    await api.call("setUnready", token=guest, room_id=rid, expect=200)
    await api.call("setReady", token=guest, room_id=rid, expect=200)
    await api.call("startMatch", token=host, room_id=rid, expect=200)
    await api.call("finishMatch", token=host, room_id=rid, expect=200)
    guest_id = guest_session["user"]["id"]
    await api.call("kickMember", token=guest, room_id=rid, user_id=guest_id)
    await api.call("kickMember", token=host, room_id=rid, user_id=guest_id)
    await api.call("leaveRoom", token=host, room_id=rid)
    await api.call("closeRoom", token=host, room_id=rid)
    operations = {operation for operation, _ in api.seen}
    rooms = {op for op, (path, _, _) in api.by_id.items() if path.startswith("/api/v1/rooms")}
    assert rooms <= operations, f"not exercised: {sorted(rooms - operations)}"

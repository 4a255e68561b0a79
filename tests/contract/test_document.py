"""What the committed document promises, checked as rules, and its security against the server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.contract.conftest import DOCUMENT

METHODS = ("get", "put", "post", "delete", "patch")
PUBLIC = {"register", "login", "refreshSession", "healthLive", "healthReady"}
PUBLIC |= {"requestPasswordReset", "resetPassword"}
Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text())
    return loaded


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_operations_are_named_tagged_and_summarised(document: dict[str, Any]) -> None:
    declared = {tag["name"] for tag in document["tags"]}
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        # Litestar's made-up ids are PascalCase paths: camelCase means someone chose it.
        assert re.fullmatch(r"[a-z][A-Za-z0-9]*", op["operationId"]), where
        assert op.get("summary"), f"{where}: no summary"
        assert len(op.get("tags", [])) == 1, where
        assert op["tags"][0] in declared, where


def test_security_public_and_protected(document: dict[str, Any]) -> None:
    assert document["security"] == [{"BearerToken": []}]
    scheme = document["components"]["securitySchemes"]["BearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        if op["operationId"] in PUBLIC:
            assert op.get("security") == [], where
        else:
            assert "security" not in op, f"{where} must inherit the bearer requirement"
            assert "401" in op["responses"], f"{where}: a protected operation answers 401"


def test_every_error_is_problem_details(document: dict[str, Any]) -> None:
    shared = document["components"]["responses"]
    for name, response in shared.items():
        assert response["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, name
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        statuses = {int(status) for status in op["responses"]}
        assert 500 in statuses, where
        if "requestBody" in op:
            assert {400, 413} <= statuses, where
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert response["$ref"] == f"#/components/responses/Problem{status}", where
            elif int(status) != 204:
                schema = response["content"]["application/json"]["schema"]
                assert schema, f"{where}: {status} has no schema"


def test_query_parameters_are_never_null(document: dict[str, Any]) -> None:
    for path, method, op in operations(document):
        for parameter in op.get("parameters", []):
            text = yaml.safe_dump(parameter["schema"])
            assert "null" not in text, f"{method.upper()} {path} {parameter['name']}"


def test_request_bodies_are_closed_as_the_server_is(document: dict[str, Any]) -> None:
    """The server refuses unknown fields in every request body: the document must say so."""
    schemas = document["components"]["schemas"]
    bodies = 0
    for path, method, operation in operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            for ref in re.findall(r"#/components/schemas/(\w+)", str(media["schema"])):
                bodies += 1
                closed = schemas[ref].get("additionalProperties")
                assert closed is False, f"{method.upper()} {path}: {ref} allows extra fields"
    assert bodies >= 8


def test_no_dangling_references(document: dict[str, Any]) -> None:
    text = DOCUMENT.read_text()
    for kind, name in set(re.findall(r"#/components/(\w+)/(\w+)", text)):
        assert name in document["components"][kind], f"{kind}/{name}"


def test_socket_messages_are_typed(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert {"SnapshotMessage", "RoomEvent", "RoomSocketMessage"} <= set(schemas)
    assert schemas["SnapshotMessage"]["properties"]["type"] == {"enum": ["snapshot"]}


def _call_path(path: str) -> str:
    return re.sub(r"\{\w+\}", "1", path)


async def test_the_server_enforces_the_documented_security(
    client: AsyncTestClient[Litestar], document: dict[str, Any]
) -> None:
    """Without a token, protected operations answer 401 and public ones do not."""
    for path, method, op in operations(document):
        response = await client.request(method.upper(), _call_path(path))
        where = f"{method.upper()} {path}: {response.status_code}"
        if op["operationId"] in PUBLIC:
            assert response.status_code != 401, where
        else:
            assert response.status_code == 401, where
            assert response.headers["content-type"] == "application/problem+json", where
            assert response.headers["www-authenticate"] == "Bearer", where


def test_changes_that_could_leave_no_admin_document_their_409(document: dict[str, Any]) -> None:
    by_id = {op["operationId"]: op for _, _, op in operations(document)}
    for operation_id in ("setUserRole", "disableUser", "deleteUser"):
        assert "409" in by_id[operation_id]["responses"], operation_id

"""Refusals every operation can give, whatever its route says, are in the document too."""

from __future__ import annotations

from tests.http.helpers import Client

METHODS = ("get", "put", "post", "delete", "patch")


async def test_every_operation_lists_the_edge_refusals(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert len(operations) > 30
    for path, method, operation in operations:
        for status in ("415", "431"):
            reference = operation["responses"][status]["$ref"]
            assert reference == f"#/components/responses/Problem{status}", (path, method)
    shared = document["components"]["responses"]
    assert shared["Problem431"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }

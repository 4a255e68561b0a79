"""Schemathesis hooks for the fuzz run (loaded by name from schemathesis.toml).

Two checks of our own on top of the built-in ones, and one stated stopgap for the document.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis import CheckContext, HookContext, Response
from schemathesis.generation.case import Case

PROBLEM = "application/problem+json"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _header(response: Response, name: str) -> str | None:
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return None


@schemathesis.check
def problem_details_for_errors(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx/5xx is an RFC 9457 body whose status is the response's own."""
    if response.status_code < 400:
        return None
    content_type = (_header(response, "content-type") or "").split(";")[0].strip()
    if content_type != PROBLEM:
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not {PROBLEM}")
    body = json.loads(response.content)
    if not (isinstance(body, dict) and body.get("status") == response.status_code):
        raise AssertionError(f"problem body does not state status {response.status_code}")
    if not (isinstance(body.get("title"), str) and isinstance(body.get("type"), str)):
        raise AssertionError("problem body lacks type or title")
    if "Traceback" in response.content.decode(errors="replace"):
        raise AssertionError("a stack trace reached the client")
    return True


@schemathesis.check
def security_headers(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """The headers web/middleware.py promises, and a request id, on every response."""
    for name, value in SECURITY_HEADERS.items():
        if _header(response, name) != value:
            raise AssertionError(f"{name} is {_header(response, name)!r}, expected {value!r}")
    if not _header(response, "x-request-id"):
        raise AssertionError("no X-Request-ID")
    return True


# Request bodies are msgspec Structs with forbid_unknown_fields (an unknown field is a 400),
# but Litestar does not write `additionalProperties: false` for them. Until the document says
# it (web/openapi/finalize.py), say it here, or every extra field the fuzzer adds reads as
# "valid data rejected". Once the document states it this does nothing.
PATCHED: list[str] = []


@schemathesis.hook
def before_load_schema(context: HookContext, raw_schema: dict[str, Any]) -> None:
    components = raw_schema.get("components", {}).get("schemas", {})
    for name in sorted(_request_body_schemas(raw_schema)):
        schema = components.get(name)
        if isinstance(schema, dict) and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
            PATCHED.append(name)


def _request_body_schemas(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                names.update(_refs(media.get("schema", {})))
    return names


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = set()
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for key in ("oneOf", "anyOf", "allOf"):
            for child in node.get(key, ()):
                found |= _refs(child)
        return found
    return set()

"""The last pass over the OpenAPI document: facts Litestar cannot state, stated exactly.

Each rule holds for every operation of this server, so a new endpoint gets it without anyone
remembering to: public paths say ``security: []``, protected ones list 401, every error is
problem details, optional query parameters are never null, integer bounds are integers.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from rhythm.web.problems import PROBLEM_DESCRIPTIONS, PROBLEM_MEDIA_TYPE

Node = dict[str, Any]

BEARER = "BearerToken"
METHODS = frozenset(("get", "put", "post", "delete", "options", "head", "patch", "trace"))
PROBLEM_REF = "#/components/schemas/Problem"
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
# Litestar writes bounds as floats; float(2**63 - 1) rounds up to 2**63, PostgreSQL's bigint
# limit plus one, so a maximum of exactly 2**63 can only mean le=2**63 - 1.
_BIGINT_MAX = 2**63 - 1
_NOISE = (("deprecated", False), ("allowEmptyValue", False), ("allowReserved", False))
_HEADERS: dict[int, dict[str, Node]] = {
    401: {
        "WWW-Authenticate": {
            "description": "Bearer: the access token is missing, invalid or expired",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}
_HEADERS[503] = _HEADERS[429]


def finalize(
    document: Mapping[str, Any],
    *,
    public_paths: Sequence[str],
    extra_schemas: Mapping[str, Any] | None = None,
    closed: Collection[str] = (),
) -> Node:
    """A corrected deep copy of ``document``; applying it twice changes nothing more.

    ``extra_schemas`` join ``components.schemas`` where Litestar has none of that name (types
    that no operation uses, such as WebSocket messages). The schemas named in ``closed`` get
    ``additionalProperties: false``: the server refuses unknown fields there, and Litestar does
    not say so.
    """
    doc: Node = copy.deepcopy(dict(document))
    public = [re.compile(pattern) for pattern in public_paths]
    errors: set[int] = set()
    for path, item in doc.get("paths", {}).items():
        is_public = any(pattern.search(path) for pattern in public)
        for method, operation in item.items():
            if method in METHODS:
                _operation(operation, is_public=is_public, errors=errors)
    components = doc.setdefault("components", {})
    components["responses"] = _problem_responses(errors)
    schemas = components.setdefault("schemas", {})
    for name, schema in (extra_schemas or {}).items():
        schemas.setdefault(name, copy.deepcopy(schema))
    for name in closed:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    if "Problem" not in components.get("schemas", {}):
        raise ValueError("the Problem schema is missing: no operation uses web.problems")
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Access token from login, register or refresh: "
        "`Authorization: Bearer <access_token>`",
    }
    doc["security"] = [{BEARER: []}]
    for schema in components.get("schemas", {}).values():
        # Litestar copies the default of the first field it meets onto the shared enum schema,
        # where it would claim a default for every other use; defaults belong to fields.
        if "enum" in schema:
            schema.pop("default", None)
    for schema in _all_schemas(doc):
        _schema(schema)
    return doc


def _operation(operation: Node, *, is_public: bool, errors: set[int]) -> None:
    # Litestar drops an empty security list; the server's real rule is the JWT exclude list.
    if is_public:
        operation["security"] = []
    else:
        operation.pop("security", None)
    _drop_noise(operation)
    parameters = operation.get("parameters", [])
    for parameter in parameters:
        _drop_noise(parameter)
        if not parameter.get("required", False):
            _drop_null(parameter.get("schema", {}))
    _request_body(operation.get("requestBody"))
    responses: Node = operation.setdefault("responses", {})
    # 415: content the operation cannot take (any, without a body; not JSON, with one).
    # 431: a request head over the limit (web/edge.py), refused before routing.
    needed = {415, 431, 500}
    if not is_public:
        needed.add(401)
    if parameters or "requestBody" in operation:
        needed.add(400)
    if "requestBody" in operation:
        needed.add(413)
    for status in needed:
        responses.setdefault(str(status), {})
    for status_text, response in responses.items():
        status = int(status_text)
        if not response.get("headers"):
            response.pop("headers", None)
        if status >= 400:
            responses[status_text] = _problem(response, status)
            errors.add(status)


def _request_body(body: Node | None) -> None:
    """``JSONBody[T | None] = None`` takes no body at all; Litestar still marks it required."""
    if body is None:
        return
    schemas = [media.get("schema", {}) for media in body.get("content", {}).values()]
    if any({"type": "null"} in schema.get("oneOf", []) for schema in schemas):
        body["required"] = False


def _problem(response: Node, status: int) -> Node:
    """Every 4xx and 5xx body is problem details, whatever Litestar guessed: a reference to
    the shared response, keeping an operation's own description where it gave one."""
    ours = PROBLEM_MEDIA_TYPE in response.get("content", {})
    description = response.get("description") if ours else None
    reference: Node = {"$ref": f"#/components/responses/{problem_name(status)}"}
    if description and description != _problem_description(status):
        reference["description"] = description
    return reference


def problem_name(status: int) -> str:
    """``Problem404``: sorted with the others, and not tied to a reason phrase's wording."""
    return f"Problem{status}"


def _problem_description(status: int) -> str:
    return PROBLEM_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase


def _problem_responses(statuses: set[int]) -> Node:
    shared: Node = {}
    for status in sorted(statuses):
        response: Node = {
            "description": _problem_description(status),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
        }
        if status in _HEADERS:
            response["headers"] = copy.deepcopy(_HEADERS[status])
        shared[problem_name(status)] = response
    return shared


def _drop_noise(node: Node) -> None:
    for key, default in _NOISE:
        if node.get(key, not default) == default:
            del node[key]


def _drop_null(schema: Node) -> None:
    """A query parameter is absent or has a value: JSON null cannot be sent in a URL."""
    branches = schema.get("oneOf")
    if isinstance(branches, list):
        schema["oneOf"] = [b for b in branches if b != {"type": "null"}]


def _all_schemas(doc: Node) -> Iterator[Node]:
    """Every schema object, innermost first, so a parent sees its children already fixed."""
    roots: list[Node] = list(doc.get("components", {}).get("schemas", {}).values())
    for item in doc.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            roots += [p["schema"] for p in operation.get("parameters", []) if "schema" in p]
            bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
            for body in bodies:
                for media in body.get("content", {}).values():
                    if "schema" in media:
                        roots.append(media["schema"])
    for root in roots:
        yield from _nested(root)


def _nested(schema: Node) -> Iterator[Node]:
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            yield from _nested(schema[key])
    for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
        for child in schema.get(key, []):
            yield from _nested(child)
    for child in schema.get("properties", {}).values():
        yield from _nested(child)
    yield schema


def _schema(schema: Node) -> None:
    # An optional msgspec field (``T | UNSET``) comes out as a oneOf of one branch.
    branches = schema.get("oneOf")
    if isinstance(branches, list) and len(branches) == 1:
        del schema["oneOf"]
        for key, value in branches[0].items():
            schema.setdefault(key, value)
    if schema.get("required") == []:
        del schema["required"]
    for key in _BOUNDS:
        value = schema.get(key)
        if isinstance(value, float) and value.is_integer():
            schema[key] = int(value)
    if schema.get("maximum") == _BIGINT_MAX + 1:
        schema["maximum"] = _BIGINT_MAX

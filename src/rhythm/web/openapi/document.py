"""The OpenAPI document: how Litestar builds it, how it is served, its export to ``api/``.

The document served at ``/schema/openapi.{json,yaml}`` and the file written by
``rhythm openapi export`` go through the same ``finalize``, so what the docs show, what the
TypeScript types say and what the server does are one thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import yaml
from litestar import Litestar, Router
from litestar.enums import OpenAPIMediaType
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Tag

from rhythm.service.rooms.events import EVENT_CLASSES
from rhythm.web.bodies import check_content
from rhythm.web.fields import Strict
from rhythm.web.openapi.finalize import finalize
from rhythm.web.openapi.ui import DocumentPlugin, SwaggerUIPlugin
from rhythm.web.params import AnyRequest
from rhythm.web.rooms.schemas import SnapshotMessage
from rhythm.web.security import PUBLIC_PATHS

API_TITLE = "rhythm-backend"
API_VERSION = "1.0.0"
DOCS_PATH = "/schema"

DESCRIPTION = """\
REST JSON under `/api/v1`, for the rhythm game's frontend.

- **Auth**: `register` or `login` return an access token (JWT, minutes) and a refresh token
  (opaque, single use). Send `Authorization: Bearer <access_token>`; trade the refresh token
  at `refreshSession` for a new pair before the access token expires.
- **Errors** are RFC 9457 problem details (`application/problem+json`), with per-field
  `errors` on validation failures (400).
- **X-Request-ID**: every response carries one (yours if you sent a sane one); errors repeat
  it as `request_id`.
- **Room events**: WebSocket `/api/v1/rooms/{room_id}/events?token=<access_token>`; the first
  message is a snapshot, then events with a per-room `seq` (see docs/frontend.md).
"""

TAGS = [
    Tag(name="auth", description="Sessions: register, login, refresh, logout"),
    Tag(name="users", description="Your profile, and account administration for staff"),
    Tag(name="rooms", description="Game rooms: create, find, join, play"),
    Tag(name="health", description="For orchestrators and load balancers; no token"),
    Tag(name="account", description="Your sessions, and deleting an account"),
    Tag(name="audit", description="The security audit trail, for admins"),
]


def socket_schemas() -> dict[str, Any]:
    """The room events WebSocket's messages. OpenAPI cannot describe a socket, but clients
    need the types, so they ride along in ``components.schemas``."""
    refs, schemas = msgspec.json.schema_components(
        (SnapshotMessage, *EVENT_CLASSES), ref_template="#/components/schemas/{name}"
    )
    events = list(refs[1:])
    schemas["RoomEvent"] = {
        "description": "An event of a room, with seq growing by one per event; `type` says "
        "which, and `data` has the fields of that type",
        "oneOf": events,
        # An explicit mapping: without it, TypeScript generators use the schema names as tags.
        "discriminator": {
            "propertyName": "type",
            "mapping": {
                str(cls.__struct_config__.tag): ref["$ref"]
                for cls, ref in zip(EVENT_CLASSES, events, strict=True)
            },
        },
    }
    schemas["RoomSocketMessage"] = {
        "description": "A message of WebSocket /api/v1/rooms/{room_id}/events: one snapshot "
        "first, then events with seq growing by one (tell them apart by `type`)",
        "oneOf": [refs[0], {"$ref": "#/components/schemas/RoomEvent"}],
    }
    return schemas


def closed_schemas() -> frozenset[str]:
    """Names of the request Structs that refuse unknown fields (the server answers 400)."""
    found: set[str] = set()
    pending: list[type[Strict]] = [Strict]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not Strict and cls.__struct_config__.forbid_unknown_fields:
            found.add(cls.__name__)
    return frozenset(found)


def final_document(schema: Mapping[str, Any]) -> dict[str, Any]:
    builtins = msgspec.to_builtins(schema)
    assert isinstance(builtins, dict)
    return finalize(
        builtins,
        public_paths=PUBLIC_PATHS,
        extra_schemas=socket_schemas(),
        closed=closed_schemas(),
    )


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so the descriptions read as written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(document: Mapping[str, Any]) -> bytes:
    """Sorted keys and fixed options: the same document gives the same bytes."""
    text = yaml.dump(dict(document), Dumper=_Dumper, sort_keys=True, allow_unicode=True, width=100)
    return text.encode()


def dump_json(document: Mapping[str, Any]) -> bytes:
    return msgspec.json.encode(document, order="sorted")


async def _docs_request(request: AnyRequest) -> None:
    """Litestar answers unknown paths under the docs with an HTML page from a catch-all route
    (``/{path:str}``, the router's only route with a ``path`` parameter): refuse them before
    it runs, so they get the API's 404 problem details like every other unknown path. This
    hook replaces the app's for the docs, so it also applies the app's content rule."""
    if "path" in request.path_params:
        raise NotFoundException()
    await check_content(request)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title=API_TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        tags=TAGS,
        path=DOCS_PATH,
        openapi_router=Router(
            DOCS_PATH,
            route_handlers=[],
            include_in_schema=False,
            before_request=_docs_request,
        ),
        # The first plugin also answers at /schema itself.
        render_plugins=[
            SwaggerUIPlugin(),
            DocumentPlugin(
                path="/openapi.json",
                media_type=OpenAPIMediaType.OPENAPI_JSON,
                finalize=final_document,
                dump=dump_json,
            ),
            DocumentPlugin(
                path="/openapi.yaml",
                media_type=OpenAPIMediaType.OPENAPI_YAML,
                finalize=final_document,
                dump=dump_yaml,
            ),
        ],
    )


def document_of(app: Litestar) -> dict[str, Any]:
    """The finalized document of ``app``, as served."""
    return final_document(app.openapi_schema.to_schema())


def export_document(app: Litestar, output: Path) -> None:
    """Write the app's OpenAPI document as YAML, byte for byte the same for the same code."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(dump_yaml(document_of(app)))

"""JSON request bodies: decoded once, strictly, straight into the handler's ``data`` type.

Litestar decodes a body into plain Python objects and then converts them with lax rules (for
path and query strings), so a body's ``"4"``, ``2.0`` or ``1E1`` passed as an integer, and a
deeply nested document overflowed the decoder's recursion (a 500). ``JsonBodyRequest`` decodes
the bytes with msgspec in strict mode into the declared type; the signature model then receives
an instance of that type and passes it through unchanged. The app sets it as its request class.

``check_content`` (the app's ``before_request``) refuses content an operation cannot take, and
``decode_body`` refuses an object that repeats a key.
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, SerializationException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.serialization import default_deserializer
from litestar.types import Empty

# A \uD800-\uDFFF escape not part of a pair: msgspec reports it as "truncated" input.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_AT = " - at `"
# application/json, or a structured suffix of it (application/merge-patch+json), any parameters.
_JSON_MEDIA = re.compile(r"application/([\w.-]+\+)?json[ \t]*(;.*)?", re.IGNORECASE)
_NO_BODY = "this operation takes no request body; send none"
_NOT_JSON = "send the request body as application/json"


class JsonBodyRequest(Request[Any, Any, Any]):
    """A request whose JSON body is decoded strictly into the route's ``data`` annotation."""

    async def json(self) -> Any:
        if self._json is Empty:
            field = self.route_handler.parsed_data_field
            target: Any = Any if field is None else field.annotation
            self._json = decode_body(
                await self.body(),
                target,
                dec_hook=partial(
                    default_deserializer, type_decoders=self.route_handler.resolve_type_decoders()
                ),
                where=f"{self.method} {self.url.path}",
            )
        return self._json


async def check_content(request: Request[Any, Any, Any]) -> None:
    """Refuse content the operation cannot take, before the handler runs (415).

    Content on an operation without a body was ignored, so a client's mistake went unseen; a
    body not declared as JSON is the kind a cross-site HTML form can send without a CORS
    preflight (``text/plain``), so only JSON passes. A body over the size limit stays a 413
    whatever its type; no content at all (no length, or length 0) is always fine.
    """
    length, chunked, media = _content_headers(request.scope["headers"])
    if length == 0 and not chunked:
        return
    limit = request.route_handler.resolve_request_max_body_size()
    if limit is not None and length > limit:
        raise RequestEntityTooLarge
    if request.route_handler.parsed_data_field is None:
        raise ClientException(_NO_BODY, status_code=415)
    if not _JSON_MEDIA.fullmatch(media):
        raise ClientException(_NOT_JSON, status_code=415)


def _content_headers(headers: Any) -> tuple[int, bool, str]:
    """Content-Length (0 when absent), whether Transfer-Encoding is set, the Content-Type.

    The server has already refused a malformed or repeated Content-Length.
    """
    length, chunked, media = 0, False, ""
    for name, value in headers:
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = True
        elif name == b"content-type":
            media = value.decode("latin-1")
    return length, chunked, media


def decode_body(raw: bytes, target: Any, *, dec_hook: Any = None, where: str = "") -> Any:
    """``raw`` as ``target``, strictly: a malformed body is a ``SerializationException`` and a
    mistyped one a ``ValidationException`` naming the field (both answer 400)."""
    try:
        value = msgspec.json.decode(raw or b"null", type=target, strict=True, dec_hook=dec_hook)
    except msgspec.ValidationError as exc:
        raise ValidationException(
            detail=f"Validation failed for {where}", extra=[field_error(str(exc))]
        ) from None
    except msgspec.DecodeError as exc:
        raise SerializationException(_malformed(raw, str(exc))) from None
    except RecursionError:
        # Raised by the decoder on nesting deeper than the interpreter's recursion limit.
        raise SerializationException("JSON is malformed: nested too deeply") from None
    if b"{" in raw and (key := _repeated_key(raw)) is not None:
        # RFC 8259 leaves which of two equal names counts to each parser (the decoder keeps the
        # last, a proxy or a log reader may see the first): a request must not mean two things.
        raise ValidationException(
            detail=f"Validation failed for {where}",
            extra=[
                {"message": f"the key {key!r} appears more than once", "key": key, "source": "body"}
            ],
        )
    return value


def _repeated_key(raw: bytes) -> str | None:
    """The first name an object of ``raw`` (well-formed JSON) repeats, else None."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> None:
        seen: set[str] = set()
        for name, _ in items:
            if name in seen and not repeated:
                repeated.append(name)
            seen.add(name)

    try:
        # Numbers are left as text: only the names matter here.
        json.loads(raw, object_pairs_hook=pairs, parse_int=str, parse_float=str)
    except (RecursionError, ValueError):
        return None
    return repeated[0] if repeated else None


def field_error(message: str) -> dict[str, str]:
    """msgspec's "<reason> - at `$.a.b`" as the item Litestar gives for a body field."""
    reason, _, path = message.partition(_AT)
    path = path.rstrip("`")
    key = path[2:] if path.startswith("$.") else "data" + path[1:]
    return {"message": reason, "key": key, "source": "body"}


def _malformed(raw: bytes, message: str) -> str:
    if _LONE_SURROGATE.search(raw):
        return "JSON is malformed: a \\u escape is half of a UTF-16 surrogate pair, not a character"
    return message

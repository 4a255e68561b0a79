"""sqlc's JSON ``GenerateRequest`` and ``GenerateResponse``, decoded and encoded with msgspec.

Only the fields the plugin reads are declared: msgspec skips the rest without building
objects for them, which keeps decoding of the ~1 MB request (it carries ``pg_catalog``) fast.
"""

from __future__ import annotations

import msgspec


class Identifier(msgspec.Struct, frozen=True):
    catalog: str = ""
    schema: str = ""
    name: str = ""


class Column(msgspec.Struct, frozen=True):
    name: str = ""
    not_null: bool = False
    is_array: bool = False
    comment: str = ""
    is_named_param: bool = False
    is_func_call: bool = False
    table: Identifier | None = None
    table_alias: str = ""
    type: Identifier | None = None
    is_sqlc_slice: bool = False
    embed_table: Identifier | None = None
    original_name: str = ""
    array_dims: int = 0


class Parameter(msgspec.Struct, frozen=True):
    number: int
    column: Column


class Query(msgspec.Struct, frozen=True):
    text: str
    name: str
    cmd: str
    filename: str
    columns: list[Column] = []
    params: list[Parameter] = []
    comments: list[str] = []
    insert_into_table: Identifier | None = None


class Enum(msgspec.Struct, frozen=True):
    name: str
    vals: list[str] = []
    comment: str = ""


class Table(msgspec.Struct, frozen=True):
    rel: Identifier
    columns: list[Column] = []
    comment: str = ""


class CompositeType(msgspec.Struct, frozen=True):
    name: str
    comment: str = ""


class Schema(msgspec.Struct, frozen=True):
    name: str
    tables: list[Table] = []
    enums: list[Enum] = []
    composite_types: list[CompositeType] = []
    comment: str = ""


class Catalog(msgspec.Struct, frozen=True):
    default_schema: str = "public"
    schemas: list[Schema] = []


class Codegen(msgspec.Struct, frozen=True):
    out: str = ""
    plugin: str = ""
    options: str = ""  # base64 of the JSON `options:` mapping


class Settings(msgspec.Struct, frozen=True):
    engine: str = ""
    schema: list[str] = []
    queries: list[str] = []
    codegen: Codegen | None = None


class GenerateRequest(msgspec.Struct, frozen=True):
    settings: Settings
    catalog: Catalog
    queries: list[Query] = []
    sqlc_version: str = ""
    plugin_options: str = ""  # base64 of the JSON `options:` mapping


class File(msgspec.Struct, frozen=True):
    name: str
    contents: bytes  # msgspec encodes bytes as base64, which is what sqlc expects


class GenerateResponse(msgspec.Struct, frozen=True):
    files: list[File]


_decoder = msgspec.json.Decoder(GenerateRequest)
_encoder = msgspec.json.Encoder()


def decode_request(data: bytes) -> GenerateRequest:
    """Decode the request; raises msgspec errors, which the caller turns into messages."""
    return _decoder.decode(data)


def encode_response(response: GenerateResponse) -> bytes:
    return _encoder.encode(response)

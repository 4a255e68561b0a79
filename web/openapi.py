"""The OpenAPI document: how Litestar builds it, and its export to ``api/openapi/``."""

from __future__ import annotations

from pathlib import Path

import msgspec
import yaml
from litestar import Litestar
from litestar.openapi import OpenAPIConfig

API_TITLE = "rhythm-backend"
API_VERSION = "1.0.0"


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(title=API_TITLE, version=API_VERSION)


def export_document(app: Litestar, output: Path) -> None:
    """Write the app's OpenAPI document as YAML, byte for byte the same for the same code."""
    schema = msgspec.to_builtins(app.openapi_schema.to_schema())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(yaml.safe_dump(schema, sort_keys=True, allow_unicode=True))

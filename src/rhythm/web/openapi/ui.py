"""Serving the document: JSON, YAML and Swagger UI, all from this process, no CDN.

Swagger UI's files come from the pinned ``swagger-ui-py`` wheel (never copied into the
repository) and are served under the docs router, so the page works on a machine with no
internet. The JSON and YAML routes serve the finalized document, the same as the export.
"""

from __future__ import annotations

import html
import importlib.metadata
import importlib.util
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType, OpenAPIMediaType
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

from rhythm.web.params import AnyRequest

Finalizer = Callable[[Mapping[str, Any]], dict[str, Any]]
Dumper = Callable[[Mapping[str, Any]], bytes]

SWAGGER_DIST = "swagger-ui-py"


def swagger_assets() -> tuple[Path, str]:
    """The wheel's static folder and its version (found without importing the package)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{SWAGGER_DIST} is not installed (it is a dependency of the app)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder, importlib.metadata.version(SWAGGER_DIST)


class _Cached:
    """Finalize and encode once: Litestar hands every render the same cached dict."""

    def __init__(self, finalize: Finalizer, dump: Dumper) -> None:
        self._finalize = finalize
        self._dump = dump
        self._source: Mapping[str, Any] | None = None
        self._rendered = b""

    def __call__(self, schema: Mapping[str, Any]) -> bytes:
        if schema is not self._source:
            self._rendered = self._dump(self._finalize(schema))
            self._source = schema
        return self._rendered


class DocumentPlugin(OpenAPIRenderPlugin):
    """``/schema/openapi.json`` or ``/schema/openapi.yaml``: the finalized document."""

    def __init__(
        self, *, path: str, media_type: OpenAPIMediaType, finalize: Finalizer, dump: Dumper
    ) -> None:
        super().__init__(path=path, media_type=media_type)
        self._render = _Cached(finalize, dump)

    def render(self, request: AnyRequest, openapi_schema: dict[str, Any]) -> bytes:
        return self._render(openapi_schema)


class SwaggerUIPlugin(OpenAPIRenderPlugin):
    """Swagger UI from local files; it loads the document from the JSON route."""

    def __init__(self, *, path: str = "/swagger") -> None:
        super().__init__(path=path, media_type=MediaType.HTML)
        self._folder, version = swagger_assets()
        self._assets_path = f"/assets/swagger-ui-{version}"
        self._assets_url = self._assets_path

    def receive_router(self, router: Router) -> None:
        # The version is in the path, so browsers may keep the files for long.
        router.register(
            create_static_files_router(
                path=self._assets_path,
                directories=[self._folder],
                name="swagger-ui-assets",
                cache_control=CacheControlHeader(max_age=86400, public=True),
                include_in_schema=False,
            )
        )
        self._assets_url = router.path.rstrip("/") + self._assets_path

    def render(self, request: AnyRequest, openapi_schema: dict[str, Any]) -> bytes:
        root = request.scope.get("root_path", "")
        assets = html.escape(root + self._assets_url)
        title = html.escape(str(openapi_schema["info"]["title"]))
        # json.dumps gives a JS string literal; "<" is escaped so it cannot close the script.
        spec_url = json.dumps(root + self.get_openapi_json_route(request)).replace("<", "\\u003c")
        return _PAGE.format(title=title, assets=assets, spec_url=spec_url).encode()


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<style>body {{ margin: 0 }}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: {spec_url},
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  displayOperationId: true,
  defaultModelsExpandDepth: 1,
  presets: [SwaggerUIBundle.presets.apis],
}});
</script>
</body>
</html>
"""

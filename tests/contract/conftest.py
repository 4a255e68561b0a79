"""The API contract's tests: what they need from outside Python, and a live server.

``make test`` installs the npm packages (``api/node_modules``) first, and Debian's Chromium
where it can (root and apt-get). Missing npm packages fail with the command that installs them;
a machine with no Chromium or Chrome skips the one test that renders the docs page, and says so
in the summary (``RHYTHM_CHROMIUM`` names a browser elsewhere on the machine).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.server_process import ROOT, serve

API = ROOT / "api"
DOCUMENT = API / "openapi" / "openapi.yaml"
TYPES = API / "openapi" / "schema.d.ts"
NODE_BIN = API / "node_modules" / ".bin"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def node_tool(name: str) -> Path:
    tool = NODE_BIN / name
    if not tool.exists() or shutil.which("node") is None:
        pytest.fail(f"{tool} is missing: run 'make api-deps' (npm ci in api/)")
    return tool


def chromium() -> Path:
    """The browser that renders the docs page: ``RHYTHM_CHROMIUM``, else one on PATH."""
    named = os.environ.get("RHYTHM_CHROMIUM")
    if named:
        if not Path(named).is_file():
            pytest.fail(f"RHYTHM_CHROMIUM={named} is not a file")
        return Path(named)
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        pytest.skip(
            "no Chromium or Chrome on this machine: the docs page was not rendered "
            "(install chromium, or set RHYTHM_CHROMIUM)"
        )
    return Path(found)


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """``rhythm serve`` on a free port and a fresh database; yields its base URL."""
    with serve(database_url) as server:
        yield server.url


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(create_app(settings_for(database_url))) as test_client:
        yield test_client

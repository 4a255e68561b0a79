"""The API contract's tests: what they need from outside Python, and a live server.

``make test`` installs the npm packages (``api/node_modules``) and Debian's Chromium first;
run by hand, a missing one fails with the command that installs it, never a silent skip.
"""

from __future__ import annotations

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
CHROMIUM = Path("/usr/bin/chromium")


def node_tool(name: str) -> Path:
    tool = NODE_BIN / name
    if not tool.exists() or shutil.which("node") is None:
        pytest.fail(f"{tool} is missing: run 'make api-deps' (npm ci in api/)")
    return tool


def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run 'make browser' (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """``rhythm serve`` on a free port and a fresh database; yields its base URL."""
    with serve(database_url) as server:
        yield server.url


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(create_app(settings_for(database_url))) as test_client:
        yield test_client

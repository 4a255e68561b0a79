"""An app client on a fresh migrated database, with the lifespan (pool open/close) running."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(settings_for(database_url))
    async with AsyncTestClient(app) as test_client:
        yield test_client

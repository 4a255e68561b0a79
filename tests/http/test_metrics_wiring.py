"""/metrics in the real app: off by default; on, behind its token, with the app's figures."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from tests.conftest import settings_for
from tests.http.helpers import Client, register


async def test_metrics_are_off_by_default(client: Client) -> None:
    assert (await client.get("/metrics")).status_code == 404


async def test_metrics_on_behind_a_token(database_url: str) -> None:
    settings = settings_for(database_url, metrics_enabled=True, metrics_token="s3cret-scrape")
    async with AsyncTestClient(create_app(settings)) as client:
        await register(client, "ada")
        assert (await client.get("/metrics")).status_code == 401
        response = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert response.status_code == 200
        text = response.text
        route = 'route="/api/v1/auth/register",status="201"'
        assert f'rhythm_http_requests_total{{method="POST",{route}}}' in text
        assert "rhythm_db_pool_size" in text
        assert "rhythm_websocket_connections" in text
        # The scrape itself is not in the document clients read.
        schema = (await client.get("/schema/openapi.json")).json()
        assert "/metrics" not in schema["paths"]

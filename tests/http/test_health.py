"""Health endpoints: live, ready, and ready following the database down and back up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from rhythm.app.factory import create_app
from rhythm.store.embedded import EmbeddedPostgres
from rhythm.store.migrate import Migrator
from tests.conftest import MIGRATIONS, settings_for


async def test_live(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_on_migrated_database(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["migration"] == max(p.name.split("_")[0] for p in MIGRATIONS.glob("*.sql"))


async def test_not_ready_when_migrations_are_missing(blank_database_url: str) -> None:
    async with AsyncTestClient(create_app(settings_for(blank_database_url))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert "newest is" in body["detail"]
    assert response.headers["retry-after"] == "1"


async def test_not_ready_when_migrations_are_behind(
    blank_database_url: str, tmp_path: Path
) -> None:
    newest = sorted(MIGRATIONS.glob("*.sql"))[-1]
    partial = tmp_path / "migrations"
    partial.mkdir()
    for path in sorted(MIGRATIONS.glob("*.sql"))[:-1]:
        (partial / path.name).write_text(path.read_text())
    Migrator(blank_database_url, partial).up()
    async with AsyncTestClient(create_app(settings_for(blank_database_url))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert newest.name.split("_")[0] in response.json()["detail"]


@pytest.fixture
async def own_client(own_server: EmbeddedPostgres) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = settings_for(own_server.url("rhythm"), db_pool_timeout_s=1.0)
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def _status_within(
    client: AsyncTestClient[Litestar], path: str, want: int, seconds: float
) -> float:
    started = time.monotonic()
    while True:
        if (await client.get(path)).status_code == want:
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{path} did not answer {want} within {seconds}s")
        await asyncio.sleep(0.1)


async def test_ready_follows_the_database_down_and_up(
    own_server: EmbeddedPostgres,
    own_client: AsyncTestClient[Litestar],
) -> None:
    assert (await own_client.get("/health/ready")).status_code == 200

    await asyncio.to_thread(own_server.stop, "immediate")
    await _status_within(own_client, "/health/ready", 503, seconds=2.0)
    down = await own_client.get("/health/ready")
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["detail"] == "the database does not answer"
    assert (await own_client.get("/health/live")).status_code == 200

    await asyncio.to_thread(own_server.start)
    await _status_within(own_client, "/health/ready", 200, seconds=5.0)

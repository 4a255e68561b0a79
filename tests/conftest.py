"""Shared fixtures: one real PostgreSQL per test session, a fresh database per test.

A migrated template database is built once; each test's database is a copy of it
(``CREATE DATABASE ... TEMPLATE``), which takes milliseconds. pytest-postgresql's janitor
creates and drops them. The server is the embedded PostgreSQL (it drops root by itself), or an
existing one named by RHYTHM_TEST_DATABASE_URL.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from rhythm.app.settings import PROJECT_ROOT, Environment, Settings
from rhythm.store.embedded import EmbeddedPostgres
from rhythm.store.migrate import Migrator
from rhythm.store.pool import StorePool
from tests.pg import PgServer, embedded, external_server, server_of

MIGRATIONS = PROJECT_ROOT / "migrations"
TEMPLATE_DBNAME = "rhythm_template"


@pytest.fixture(scope="session")
def pg_root() -> Iterator[Path]:
    """A private folder for PostgreSQL data directories.

    Not pytest's tmp_path: a pytest session that starts meanwhile (another checkout, an IDE)
    resets the mode of pytest's shared temporary root to 0700, and the unprivileged server
    user would lose access to its own files mid-run.
    """
    root = Path(tempfile.mkdtemp(prefix="rhythm-test-pg-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_dir(pg_root: Path) -> Path:
    """A fresh, empty folder under ``pg_root`` for this test's own server or state."""
    return Path(tempfile.mkdtemp(dir=pg_root))


@pytest.fixture
def own_server(pg_dir: Path) -> Iterator[EmbeddedPostgres]:
    """A migrated server of this test alone, to stop and start without disturbing others."""
    server = embedded(pg_dir / "data")
    server.start()
    server.ensure_database("rhythm")
    Migrator(server.url("rhythm"), MIGRATIONS).up()
    try:
        yield server
    finally:
        server.stop(mode="immediate")


@pytest.fixture(scope="session")
def pg_server(pg_root: Path) -> Iterator[PgServer]:
    external = external_server()
    if external is not None:
        yield external
        return
    pg = embedded(pg_root / "session" / "data")
    pg.start()
    try:
        yield server_of(pg)
    finally:
        pg.stop(mode="immediate")


def _janitor(server: PgServer, dbname: str, **kwargs: Any) -> DatabaseJanitor:
    return DatabaseJanitor(
        user=server.user,
        host=server.host,
        port=server.port,
        password=server.password,
        dbname=dbname,
        **kwargs,
    )


@pytest.fixture(scope="session")
def migrated_template(pg_server: PgServer) -> Iterator[str]:
    """The name of a template database with every migration applied."""
    janitor = _janitor(pg_server, TEMPLATE_DBNAME, as_template=True)
    janitor.drop()
    janitor.init()
    Migrator(pg_server.url(TEMPLATE_DBNAME), MIGRATIONS).up()
    try:
        yield TEMPLATE_DBNAME
    finally:
        janitor.drop()


@pytest.fixture
def database_url(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    """A fresh, fully migrated database of this test's own."""
    dbname = f"test_{uuid.uuid4().hex[:12]}"
    with _janitor(pg_server, dbname, template_dbname=migrated_template):
        yield pg_server.url(dbname)


@pytest.fixture
def blank_database_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database of this test's own (no migrations)."""
    dbname = f"blank_{uuid.uuid4().hex[:12]}"
    with _janitor(pg_server, dbname):
        yield pg_server.url(dbname)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[StorePool]:
    async with StorePool(database_url, min_size=1, max_size=4, open=False) as opened:
        yield opened


def settings_for(database_url: str | None, **overrides: Any) -> Settings:
    """Test settings: no .env, no embedded server, the given database."""
    values: dict[str, Any] = {
        "env": Environment.TEST,
        "database_url": database_url,
        "migrations_dir": MIGRATIONS,
        "state_dir": Path("/nonexistent-state-dir"),
        # The same argon2id code path at a test-friendly cost.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "argon2_parallelism": 1,
    }
    values.update(overrides)
    return Settings(**values)

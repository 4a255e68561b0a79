"""Every migration applies, rolls back, and applies again (dbmate against a real server)."""

from __future__ import annotations

import psycopg
import pytest

from rhythm.store.migrate import MigrationError, Migrator, dbmate_url, latest_version
from tests.conftest import MIGRATIONS


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {row[0] for row in rows} - {"schema_migrations"}


def _applied(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    return [row[0] for row in rows]


def test_up_down_up_round_trip(blank_database_url: str) -> None:
    migrator = Migrator(blank_database_url, MIGRATIONS)
    files = sorted(p.name.split("_")[0] for p in MIGRATIONS.glob("*.sql"))
    assert files, "no migrations found"

    migrator.up()
    assert _applied(blank_database_url) == files
    schema_after_up = _tables(blank_database_url)
    assert {"users", "refresh_tokens"} <= schema_after_up

    for remaining in range(len(files) - 1, -1, -1):
        migrator.down()
        assert _applied(blank_database_url) == files[:remaining]
    assert _tables(blank_database_url) == set()

    migrator.up()
    assert _tables(blank_database_url) == schema_after_up
    assert "Applied: " in migrator.status()


def test_latest_version_is_the_newest_file() -> None:
    newest = max(p.name.split("_")[0] for p in MIGRATIONS.glob("*.sql"))
    assert latest_version(MIGRATIONS) == newest


def test_failure_is_reported_with_dbmate_output(tmp_path: object) -> None:
    migrator = Migrator("postgresql://nobody@127.0.0.1:1/none", MIGRATIONS, wait_timeout_s=1)
    with pytest.raises(MigrationError, match="dbmate up failed"):
        migrator.up()


def test_new_rejects_bad_names() -> None:
    with pytest.raises(MigrationError, match="lower-case"):
        Migrator("postgresql:///x", MIGRATIONS).new("Drop Table; --")


@pytest.mark.parametrize(
    ("conninfo", "expected"),
    [
        ("postgresql://u:p@db:5432/app", "postgres://u:p@db:5432/app?sslmode=prefer"),
        (
            "postgresql://u@/app?host=/run/pg&port=5433",
            "postgres://u@/app?port=5433&socket=%2Frun%2Fpg&sslmode=disable",
        ),
        (
            "host=db dbname=app user=u password=a@b sslmode=require",
            "postgres://u:a%40b@db/app?sslmode=require",
        ),
    ],
)
def test_dbmate_url(conninfo: str, expected: str) -> None:
    assert dbmate_url(conninfo) == expected

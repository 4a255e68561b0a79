"""Test PostgreSQL servers: the embedded binaries, or an existing one named by the environment."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict

from rhythm.store.embedded import SUPERUSER, EmbeddedPostgres

EXTERNAL_URL_VARIABLE = "RHYTHM_TEST_DATABASE_URL"


@dataclass(frozen=True, slots=True)
class PgServer:
    """Where a test server listens; ``url(dbname)`` gives a psycopg conninfo URL."""

    host: str
    port: int
    user: str
    password: str | None = None

    def url(self, dbname: str) -> str:
        auth = self.user if not self.password else f"{self.user}:{quote(self.password, safe='')}"
        if self.host.startswith("/"):
            return (
                f"postgresql://{auth}@/{dbname}?host={quote(self.host, safe='')}&port={self.port}"
            )
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def embedded(data_dir: Path) -> EmbeddedPostgres:
    return EmbeddedPostgres(data_dir, free_port())


def server_of(pg: EmbeddedPostgres) -> PgServer:
    return PgServer(host=str(pg.socket_dir), port=pg.port, user=SUPERUSER)


def external_server() -> PgServer | None:
    """A server given by RHYTHM_TEST_DATABASE_URL (a superuser, or a role that may create DBs)."""
    url = os.environ.get(EXTERNAL_URL_VARIABLE)
    if not url:
        return None
    params = conninfo_to_dict(url)
    return PgServer(
        host=str(params.get("host", "localhost")),
        port=int(str(params.get("port", 5432))),
        user=str(params.get("user", "postgres")),
        password=str(params["password"]) if params.get("password") else None,
    )

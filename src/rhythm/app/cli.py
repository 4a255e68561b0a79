"""The ``rhythm`` command: serve, migrate, users create-admin, openapi export."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import msgspec
from loguru import logger
from psycopg import AsyncConnection

from rhythm.app.database import database
from rhythm.app.factory import create_app, drain
from rhythm.app.logs import configure_logging
from rhythm.app.server import APP_FACTORY, run_server
from rhythm.app.services import hasher_for
from rhythm.app.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from rhythm.service.accounts.users import UsersService
from rhythm.service.errors import DomainError
from rhythm.service.identity import User
from rhythm.store.embedded import EmbeddedPostgresError
from rhythm.store.errors import StoreError
from rhythm.store.migrate import MigrationError, Migrator
from rhythm.web.openapi.document import export_document

EXIT_CONFIG = 2
EXIT_FAILURE = 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"rhythm: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    try:
        if args.command == "serve":
            return serve(settings)
        if args.command == "users":
            return create_admin(settings, args.email, args.display_name)
        if args.command == "openapi":
            return export_openapi(settings, args.output)
        return migrate(settings, args.action, args.name)
    except (MigrationError, EmbeddedPostgresError) as exc:
        logger.error("{}", exc)
        return EXIT_FAILURE
    except (DomainError, StoreError) as exc:
        print(f"rhythm: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 0


def serve(settings: Settings) -> int:
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets the
    # embedded server and everything else we started stop in their ``finally`` blocks.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with database(settings, supervise=True) as resolved:
        if resolved.migrate_on_start:
            Migrator(resolved.database_url or "", resolved.migrations_dir).up()
            logger.info("migrations applied from {}", resolved.migrations_dir)
        if resolved.workers > 1:
            # Each worker builds its own app from the environment: hand it the database.
            os.environ["DATABASE_URL"] = resolved.database_url or ""
            run_server(APP_FACTORY, **_server_options(resolved))
        else:
            app = create_app(resolved)
            run_server(app, on_shutdown=partial(drain, app), **_server_options(resolved))
    return 0


def _server_options(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "shutdown_timeout_s": settings.shutdown_timeout_s,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "log_level": settings.log_level,
        "request_read_timeout_s": settings.request_read_timeout_s,
    }


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def migrate(settings: Settings, action: str, name: str | None) -> int:
    if action == "new":
        if not name:
            print("rhythm migrate new: give the migration a NAME", file=sys.stderr)
            return EXIT_CONFIG
        print(Migrator("postgresql:///unused", settings.migrations_dir).new(name), end="")
        return 0
    with database(settings) as resolved:
        migrator = Migrator(resolved.database_url or "", resolved.migrations_dir)
        output = {"up": migrator.up, "down": migrator.down, "status": migrator.status}[action]()
    print(output, end="")
    return 0


def read_password(stdin: TextIO = sys.stdin) -> str:
    """From a prompt on a terminal, else the first line of stdin; never from the arguments."""
    if stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise DomainError("the passwords differ")
        return first
    return stdin.readline().rstrip("\n")


def create_admin(settings: Settings, email: str, display_name: str | None) -> int:
    password = read_password()
    with database(settings) as resolved:
        name = display_name or email.split("@")[0]
        user = asyncio.run(_create_admin(resolved, email, name, password))
    print(f"admin {user.email} created with id {user.id}")
    return 0


async def _create_admin(settings: Settings, email: str, display_name: str, password: str) -> User:
    hasher = hasher_for(settings)
    async with await AsyncConnection.connect(settings.database_url or "") as conn:
        service = UsersService(conn, hasher=hasher)
        return await service.create_admin(email=email, display_name=display_name, password=password)


def export_openapi(settings: Settings, output: Path) -> int:
    # The document depends on code only: a placeholder database URL is never connected to.
    app = create_app(msgspec.structs.replace(settings, database_url="postgresql:///unused"))
    export_document(app, output)
    print(f"wrote {output}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rhythm", description="rhythm-backend service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP server (embedded PostgreSQL by default)")
    mig = commands.add_parser("migrate", help="apply, roll back or inspect migrations (dbmate)")
    mig.add_argument("action", choices=["up", "down", "status", "new"])
    mig.add_argument("name", nargs="?", help="name of the new migration (with 'new')")
    users = commands.add_parser("users", help="manage accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    admin = users_commands.add_parser(
        "create-admin", help="create an admin (password from a prompt, or stdin when piped)"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--display-name")
    openapi = commands.add_parser("openapi", help="the API contract")
    openapi_commands = openapi.add_subparsers(dest="openapi_command", required=True)
    export = openapi_commands.add_parser("export", help="write the OpenAPI document (YAML)")
    export.add_argument("--output", type=Path, default=PROJECT_ROOT / "api/openapi/openapi.yaml")
    return parser


if __name__ == "__main__":
    sys.exit(main())

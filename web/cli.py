"""The ``rhythm`` command: serve, migrate."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

import uvicorn
from loguru import logger

from store.embedded import EmbeddedPostgresError
from store.migrate import MigrationError, Migrator
from web.app import create_app
from web.logs import configure_logging
from web.runtime import database
from web.settings import Settings, SettingsError, load_settings

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
        return migrate(settings, args.action, args.name)
    except (MigrationError, EmbeddedPostgresError) as exc:
        logger.error("{}", exc)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 0


def serve(settings: Settings) -> int:
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets the
    # embedded server and everything else we started stop in their ``finally`` blocks.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with database(settings) as resolved:
        if resolved.migrate_on_start:
            Migrator(resolved.database_url or "", resolved.migrations_dir).up()
            logger.info("migrations applied from {}", resolved.migrations_dir)
        config = uvicorn.Config(
            create_app(resolved),
            host=resolved.host,
            port=resolved.port,
            workers=None,
            log_config=None,
            access_log=False,
            lifespan="on",
            server_header=False,
            timeout_graceful_shutdown=10,
        )
        uvicorn.Server(config).run()
    return 0


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rhythm", description="rhythm-backend service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP server (embedded PostgreSQL by default)")
    mig = commands.add_parser("migrate", help="apply, roll back or inspect migrations (dbmate)")
    mig.add_argument("action", choices=["up", "down", "status", "new"])
    mig.add_argument("name", nargs="?", help="name of the new migration (with 'new')")
    return parser


if __name__ == "__main__":
    sys.exit(main())

"""``create_app(settings)``: the Litestar application, its pool and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from loguru import logger
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from rhythm.app.channels_backend import ReconnectingPsycopgBackend
from rhythm.app.mail import mailer
from rhythm.app.settings import Settings, describe_database
from rhythm.app.tokens import access_token_issuer, jwt_config
from rhythm.service.accounts import AccountService
from rhythm.service.audit import AuditService, AuditTrail
from rhythm.service.auth import AuthPolicy, AuthService
from rhythm.service.health import HealthService
from rhythm.service.password_reset import PasswordResetService, ResetPolicy
from rhythm.service.passwords import Argon2Params, PasswordHasher
from rhythm.service.rooms import RoomsService
from rhythm.service.users import UsersService
from rhythm.store.migrate import latest_version
from rhythm.store.pool import create_pool
from rhythm.web.account.controllers import AccountController
from rhythm.web.account.password_reset import PasswordResetController
from rhythm.web.audit.context import audit_context_middleware
from rhythm.web.audit.controllers import AuditController
from rhythm.web.auth.controllers import AuthController
from rhythm.web.health import HealthController
from rhythm.web.metrics import metrics_middleware, metrics_routes
from rhythm.web.middleware import request_context_middleware
from rhythm.web.openapi.document import openapi_config
from rhythm.web.problems import EXCEPTION_HANDLERS
from rhythm.web.rooms.channels import channels_plugin
from rhythm.web.rooms.controllers import RoomsController
from rhythm.web.rooms.socket import OpenSockets, room_events
from rhythm.web.security import jwt_auth
from rhythm.web.users.controllers import UsersController


def create_app(settings: Settings) -> Litestar:
    """The application for ``settings``; ``settings.database_url`` must be resolved already."""
    if not settings.database_url:
        raise ValueError("create_app needs settings.database_url (start the embedded server first)")
    pool = create_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout_s=settings.db_pool_timeout_s,
    )
    hasher = PasswordHasher(
        Argon2Params(
            time_cost=settings.argon2_time_cost,
            memory_cost_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
    )
    audit = AuditTrail()
    users = UsersService(pool, hasher=hasher, audit=audit)
    mail = mailer(settings)
    state = State(
        {
            "settings": settings,
            "pool": pool,
            "health": HealthService(
                pool, latest_version(settings.migrations_dir), settings.ready_timeout_s
            ),
            "auth": AuthService(
                pool,
                hasher=hasher,
                issuer=access_token_issuer(settings),
                policy=AuthPolicy(
                    refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_s),
                    login_limit=settings.login_rate_limit,
                    login_window_s=settings.login_rate_window_s,
                ),
                audit=audit,
            ),
            "users": users,
            "audit": AuditService(pool),
            "accounts": AccountService(pool, hasher=hasher, audit=audit, forget=users.forget),
            "password_reset": PasswordResetService(
                pool,
                hasher=hasher,
                mailer=mail,
                audit=audit,
                policy=ResetPolicy(
                    link_base=f"{settings.public_url.rstrip('/')}/reset-password",
                    limit=settings.password_reset_rate_limit,
                    window_s=settings.password_reset_rate_window_s,
                ),
            ),
            "rooms": RoomsService(pool),
            "sockets": OpenSockets(),
            "mailer": mail,
        }
    )
    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            UsersController,
            RoomsController,
            AuditController,
            AccountController,
            PasswordResetController,
            room_events,
            *(metrics_routes(settings.metrics_token) if settings.metrics_enabled else []),
        ],
        on_app_init=[jwt_auth(jwt_config(settings)).on_app_init],
        middleware=[audit_context_middleware],
        plugins=[channels_plugin(ReconnectingPsycopgBackend(settings.database_url))],
        state=state,
        lifespan=[_pool_lifespan(pool, settings)],
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=_cors(settings),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
        logging_config=None,
        debug=False,
    )
    # Outside Litestar's router, so 404s, 405s and CORS preflights get an id and a log line too.
    handler = metrics_middleware(app.asgi_handler) if settings.metrics_enabled else app.asgi_handler
    app.asgi_handler = request_context_middleware(handler)
    return app


async def drain(app: Litestar) -> None:
    """First step of a graceful shutdown: report not ready, close room sockets with 1001.

    The server calls it as soon as it is told to stop (so load balancers and clients learn
    early); the lifespan calls it again at the end, which is harmless.
    """
    health: HealthService = app.state.health
    health.begin_draining()
    sockets: OpenSockets = app.state.sockets
    if len(sockets):
        logger.info("closing {} room sockets", len(sockets))
    await sockets.close_all()


def _cors(settings: Settings) -> CORSConfig | None:
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        allow_credentials=False,
        max_age=600,
    )


def _pool_lifespan(
    pool: AsyncConnectionPool[AsyncConnection[Any]], settings: Settings
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # wait=False: the app starts (and /health/live answers) even while the database is down.
        await pool.open(wait=False)
        logger.info(
            "rhythm serving on http://{}:{} (database: {})",
            settings.host,
            settings.port,
            describe_database(settings.database_url),
        )
        try:
            yield
        finally:
            await drain(app)
            await pool.close()
            logger.info("database pool closed")

    return lifespan

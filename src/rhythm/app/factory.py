"""``create_app(settings)``: the Litestar application, its services and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from loguru import logger

from rhythm.app.channels_backend import ReconnectingPsycopgBackend
from rhythm.app.scaling import listen_url
from rhythm.app.services import STATE_KEY, Services, build_services, services_of
from rhythm.app.settings import Settings, describe_database
from rhythm.app.tokens import jwt_config
from rhythm.web.account.controllers import AccountController
from rhythm.web.account.email import EmailController
from rhythm.web.account.password_reset import PasswordResetController
from rhythm.web.audit.controllers import AuditController
from rhythm.web.auth.controllers import AuthController
from rhythm.web.authentication import authentication
from rhythm.web.bodies import JsonBodyRequest, check_content
from rhythm.web.edge import cors_problem_middleware
from rhythm.web.health import HealthController
from rhythm.web.metrics import METRICS, metrics_middleware, metrics_routes
from rhythm.web.middleware import request_context_middleware
from rhythm.web.openapi.document import openapi_config
from rhythm.web.problems import EXCEPTION_HANDLERS
from rhythm.web.rooms.channels import channels_plugin
from rhythm.web.rooms.controllers import RoomsController
from rhythm.web.rooms.socket import room_events
from rhythm.web.token_cache import AccessTokens
from rhythm.web.users.controllers import users_controller


def create_app(settings: Settings) -> Litestar:
    """The application for ``settings``; ``settings.database_url`` must be resolved already."""
    if not settings.database_url:
        raise ValueError("create_app needs settings.database_url (start the embedded server first)")
    backend = ReconnectingPsycopgBackend(listen_url(settings))
    services = build_services(settings, settings.database_url, backend)
    scale = services.shared
    metrics = (
        metrics_routes(settings.metrics_token, METRICS, services.pool.get_stats)
        if settings.metrics_enabled
        else []
    )
    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            users_controller(services.users, services.accounts),
            RoomsController,
            AuditController,
            AccountController,
            PasswordResetController,
            EmailController,
            room_events,
            *metrics,
        ],
        dependencies=services.dependencies(),
        # The only middleware on the routes: one layer between the router and the handlers.
        middleware=[authentication(AccessTokens(jwt_config(settings)), scale.access)],
        plugins=[channels_plugin(backend)],
        state=State({STATE_KEY: services}),
        lifespan=[_pool_lifespan(services, settings), scale.upkeep],
        on_startup=[scale.feed.start],
        on_shutdown=[scale.feed.stop],
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        before_request=check_content,
        cors_config=_cors(settings),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
        logging_config=None,
        debug=False,
    )
    # Outside Litestar's router, so 404s, 405s and CORS preflights get an id and a log line too.
    handler = metrics_middleware(app.asgi_handler) if settings.metrics_enabled else app.asgi_handler
    if settings.cors_origins:
        handler = cors_problem_middleware(handler)
    app.asgi_handler = request_context_middleware(handler)
    return app


async def drain(app: Litestar) -> None:
    """First step of a graceful shutdown: report not ready, close room sockets with 1001.

    The server calls it as soon as it is told to stop (so load balancers and clients learn
    early); the lifespan calls it again at the end, which is harmless.
    """
    services = services_of(app)
    services.health.begin_draining()
    if len(services.sockets):
        logger.info("closing {} room sockets", len(services.sockets))
    await services.sockets.close_all()


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
    services: Services, settings: Settings
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # wait=False: the app starts (and /health/live answers) even while the database is down.
        await services.pool.open(wait=False)
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
            await services.pool.close()
            logger.info("database pool closed")

    return lifespan

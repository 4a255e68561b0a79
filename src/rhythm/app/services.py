"""The services of one application, built once from the settings and handed out typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from litestar import Litestar
from litestar.di import Provide

from rhythm.app.mail import mailer
from rhythm.app.scaling import Shared, shared
from rhythm.app.settings import Settings
from rhythm.app.tokens import access_token_issuer
from rhythm.service.accounts.account import AccountService
from rhythm.service.accounts.email import EmailService, VerificationPolicy
from rhythm.service.accounts.mail import Mailer
from rhythm.service.accounts.password_reset import PasswordResetService, ResetPolicy
from rhythm.service.accounts.users import UsersService
from rhythm.service.audit import AuditService, AuditTrail
from rhythm.service.auth.passwords import Argon2Params, PasswordHasher
from rhythm.service.auth.ratelimit import AttemptLimiter, SharedAttempts
from rhythm.service.auth.service import AuthPolicy, AuthService
from rhythm.service.health import HealthService
from rhythm.service.rooms.service import RoomsService
from rhythm.store.migrate import latest_version
from rhythm.store.pool import StorePool, create_pool
from rhythm.web.revocation import ConnectionHealth
from rhythm.web.rooms.socket import OpenSockets

STATE_KEY = "services"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the handlers and the lifespan use; one instance per application."""

    pool: StorePool
    health: HealthService
    auth: AuthService
    users: UsersService
    rooms: RoomsService
    sockets: OpenSockets
    shared: Shared
    audit: AuditService
    accounts: AccountService
    password_reset: PasswordResetService
    email: EmailService
    mailer: Mailer

    def dependencies(self) -> dict[str, Provide]:
        """The handlers' named dependencies. Each is resolved once and cached: a request pays
        a dictionary lookup, not a call. (The users controller takes its services as typed
        attributes instead: ``web.users.controllers.users_controller``.)"""
        values = {
            "health": self.health,
            "auth": self.auth,
            "rooms": self.rooms,
            "sockets": self.sockets,
            "audit": self.audit,
            "accounts": self.accounts,
            "resets": self.password_reset,
            "emails": self.email,
        }
        return {
            name: Provide(_constant(value), use_cache=True, sync_to_thread=False)
            for name, value in values.items()
        }


def _constant(value: T) -> Callable[[], T]:
    def provide() -> T:
        return value

    return provide


def hasher_for(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        Argon2Params(
            time_cost=settings.argon2_time_cost,
            memory_cost_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
    )


def build_services(settings: Settings, database_url: str, listener: ConnectionHealth) -> Services:
    pool = create_pool(
        database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout_s=settings.db_pool_timeout_s,
        prepare=settings.db_prepare,
    )
    scale = shared(settings, pool, listener)
    hasher = scale.hasher
    policy = AuthPolicy(
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_s),
        login_limit=settings.login_rate_limit,
        login_window_s=settings.login_rate_window_s,
    )
    audit = AuditTrail()
    wrong_passwords = scale.login_attempts  # re-checks of a password count like logins
    users = UsersService(pool, hasher=hasher, audit=audit, password_attempts=wrong_passwords)
    mail = mailer(settings)
    email = email_service(settings, pool, hasher, mail, audit, wrong_passwords)
    return Services(
        pool=pool,
        health=HealthService(
            pool, latest_version(settings.migrations_dir), settings.ready_timeout_s
        ),
        auth=AuthService(
            pool,
            hasher=hasher,
            issuer=access_token_issuer(settings),
            policy=policy,
            login_attempts=scale.login_attempts,
            registrations=scale.registrations,
            audit=audit,
            on_registered=email.on_registered,
        ),
        users=users,
        rooms=RoomsService(pool, verified_email=settings.requires_verified_email),
        sockets=OpenSockets(scale.access, recheck_s=settings.revocation_untrusted_s),
        shared=scale,
        audit=AuditService(pool),
        accounts=AccountService(
            pool,
            hasher=hasher,
            audit=audit,
            forget=scale.access.forget_user,
            password_attempts=wrong_passwords,
        ),
        password_reset=PasswordResetService(
            pool,
            hasher=hasher,
            mailer=mail,
            audit=audit,
            policy=ResetPolicy(
                link_base=f"{settings.public_url.rstrip('/')}/reset-password",
                limit=settings.password_reset_rate_limit,
                window_s=settings.password_reset_rate_window_s,
            ),
            attempts=SharedAttempts(
                pool, settings.password_reset_rate_limit, settings.password_reset_rate_window_s
            ),
        ),
        email=email,
        mailer=mail,
    )


def email_service(
    settings: Settings,
    pool: StorePool,
    hasher: PasswordHasher,
    mail: Mailer,
    audit: AuditTrail,
    password_attempts: AttemptLimiter | None = None,
) -> EmailService:
    policy = VerificationPolicy(
        link_base=f"{settings.public_url.rstrip('/')}/verify-email",
        required=settings.requires_verified_email,
        ttl=timedelta(seconds=settings.email_verification_ttl_s),
        limit=settings.email_verification_rate_limit,
        window_s=settings.email_verification_rate_window_s,
    )
    limit = SharedAttempts(pool, policy.limit, policy.window_s)
    return EmailService(
        pool,
        hasher=hasher,
        mailer=mail,
        policy=policy,
        audit=audit,
        attempts=limit,
        password_attempts=password_attempts,
    )


def services_of(app: Litestar) -> Services:
    """The services ``create_app`` stored on ``app``; the one key of its state."""
    services = app.state.get(STATE_KEY)
    if not isinstance(services, Services):
        raise TypeError("this application was not built by create_app")
    return services

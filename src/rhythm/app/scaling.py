"""What several workers and instances share, wired from the settings: attempt limits in
PostgreSQL, the bound on password hashing, session and role checks invalidated by NOTIFY,
and the periodic upkeep."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from litestar import Litestar

from rhythm.app.settings import Settings
from rhythm.app.tasks import upkeep_lifespan
from rhythm.service.auth.hash_gate import GatedPasswordHasher
from rhythm.service.auth.passwords import Argon2Params
from rhythm.service.auth.ratelimit import SharedAttempts
from rhythm.service.auth.revocation import SessionAccess
from rhythm.service.auth.upkeep import Upkeep
from rhythm.store.pool import StorePool
from rhythm.web.revocation import AccessListener, ConnectionHealth, RevocationFeed


@dataclass(frozen=True, slots=True)
class Shared:
    hasher: GatedPasswordHasher
    login_attempts: SharedAttempts
    registrations: SharedAttempts
    access: SessionAccess
    feed: RevocationFeed
    upkeep: Callable[[Litestar], AbstractAsyncContextManager[None]]


def listen_url(settings: Settings) -> str:
    """LISTEN needs a session of its own: a direct URL when the pool goes through PgBouncer."""
    url = settings.listen_database_url or settings.database_url
    assert url is not None  # create_app checked it
    return url


def shared(settings: Settings, pool: StorePool, listener_connection: ConnectionHealth) -> Shared:
    listener = AccessListener(listener_connection)
    access = SessionAccess(pool, listener=listener, untrusted_s=settings.revocation_untrusted_s)
    upkeep = Upkeep(
        pool,
        refresh_grace_s=settings.refresh_prune_grace_s,
        attempts_keep_s=settings.longest_attempt_window_s,
    )
    return Shared(
        hasher=GatedPasswordHasher(
            Argon2Params(
                time_cost=settings.argon2_time_cost,
                memory_cost_kib=settings.argon2_memory_kib,
                parallelism=settings.argon2_parallelism,
            ),
            slots=settings.hash_concurrency,
            max_waiting=settings.hash_max_waiting,
            max_wait_s=settings.hash_max_wait_s,
        ),
        login_attempts=SharedAttempts(
            pool, settings.login_rate_limit, settings.login_rate_window_s
        ),
        registrations=SharedAttempts(
            pool, settings.register_rate_limit, settings.register_rate_window_s
        ),
        access=access,
        feed=RevocationFeed(access, listener),
        upkeep=upkeep_lifespan(upkeep, settings.upkeep_interval_s),
    )

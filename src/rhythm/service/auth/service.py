"""Authentication: register, login, refresh-token rotation with reuse detection, logout.

Each operation is one transaction. Password hashing happens before the transaction begins, so
a slow hash never holds a database connection.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic

from rhythm.db import auth as auth_db
from rhythm.db import users as users_db
from rhythm.service.audit import AuditEvent, AuditTrail, AuditType
from rhythm.service.auth.access import (
    AccessToken,
    AccessTokenIssuer,
    hash_refresh_token,
    new_refresh_token,
)
from rhythm.service.auth.passwords import PasswordHasher, check_password
from rhythm.service.auth.ratelimit import (
    LOGIN_LIMIT,
    LOGIN_WINDOW_S,
    AttemptLimiter,
    MemoryAttempts,
    account_key,
)
from rhythm.service.database import BEGIN, DB, TOKENS, USERS, Begin
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    InvalidCredentialsError,
    InvalidTokenError,
    RateLimitedError,
)
from rhythm.service.identity import User
from rhythm.store.errors import UniqueViolationError

UsersQueriesFactory = Callable[[DB], users_db.Querier]
AuthQueriesFactory = Callable[[DB], auth_db.Querier]
OnRegistered = Callable[[DB, users_db.User], Awaitable[Callable[[], None]]]
"""Runs in the sign-up's transaction; what it returns runs after the commit (e.g. a mail)."""

MAX_USER_AGENT = 512


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Who is calling, recorded with each refresh token."""

    address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """What a successful register, login or refresh hands back."""

    user: User
    access: AccessToken
    refresh_token: str
    refresh_expires_at: datetime
    session_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """``login_limit`` failures per window for a client address, and for an email from one
    address; an email from all addresses together gets ``login_email_factor`` times as many."""

    refresh_ttl: timedelta
    login_limit: int = LOGIN_LIMIT
    login_window_s: float = LOGIN_WINDOW_S
    login_email_factor: int = 10
    register_limit: int = 20
    register_window_s: float = 3600.0


class AuthService(Generic[DB]):
    def __init__(
        self,
        db: DB,
        *,
        hasher: PasswordHasher,
        issuer: AccessTokenIssuer,
        policy: AuthPolicy,
        users: UsersQueriesFactory[DB] = USERS,
        tokens: AuthQueriesFactory[DB] = TOKENS,
        begin: Begin[DB] = BEGIN,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        login_attempts: AttemptLimiter | None = None,
        registrations: AttemptLimiter | None = None,
        audit: AuditTrail[DB] | None = None,
        on_registered: OnRegistered[DB] | None = None,
    ) -> None:
        self._db = db
        self._on_registered = on_registered
        self._audit: AuditTrail[DB] = audit if audit is not None else AuditTrail()
        self._hasher = hasher
        self._issuer = issuer
        self._policy = policy
        self._users = users
        self._tokens = tokens
        self._begin = begin
        self._clock = clock
        # The composition root passes limits shared by every process; alone, count in memory.
        self._login_attempts = login_attempts or MemoryAttempts(
            policy.login_limit, policy.login_window_s
        )
        self._email_attempts = self._login_attempts.with_limit(
            policy.login_limit * policy.login_email_factor
        )
        self._registrations = registrations or MemoryAttempts(
            policy.register_limit, policy.register_window_s
        )

    async def register(
        self, *, email: str, display_name: str, password: str, client: ClientInfo
    ) -> Session:
        check_password(password)
        key = (f"register:client:{client.address}",)
        if (wait := await self._registrations.take(key)) is not None:
            raise RateLimitedError("too many registrations from this address; try later", wait)
        try:
            password_hash = await self._hasher.hash(password)
        except BaseException:
            await self._registrations.forgive(key)  # "busy" costs no quota
            raise
        try:
            async with self._begin(self._db) as conn:
                user = await self._users(conn).create_user(
                    email=email.strip(),
                    display_name=display_name.strip(),
                    password_hash=password_hash,
                    role=users_db.UserRole.USER,
                )
                assert user is not None  # INSERT ... RETURNING always returns the row
                session, _ = await self._open_session(conn, user, uuid.uuid4(), client)
                after = await self._on_registered(conn, user) if self._on_registered else None
        except UniqueViolationError as exc:
            raise ConflictError("an account with this email already exists") from exc
        if after is not None:
            after()
        return session

    async def login(self, *, email: str, password: str, client: ClientInfo) -> Session:
        user = await self._users(self._db).get_user_by_email(email=email.strip())
        keys = _login_keys(email, user, client)
        await self._take_login_attempt(keys)
        try:
            # Verify even when there is no such user: the answer and its timing stay the same.
            valid = await self._hasher.verify(user.password_hash if user else None, password)
        except BaseException:
            await self._login_attempts.forgive(keys)  # never judged: "busy" costs no quota
            raise
        if user is None or not valid:
            await self._login_failed(user, "unknown email" if user is None else "wrong password")
            raise InvalidCredentialsError("wrong email or password")
        await self._login_attempts.forgive((keys[0], keys[2]))  # only failures count
        await self._login_attempts.reset(keys[1])
        if not user.is_active:
            await self._login_failed(user, "account disabled")
            raise ForbiddenError("this account is disabled")
        new_hash = await self._rehashed(user.password_hash, password)
        async with self._begin(self._db) as conn:
            if new_hash is not None:
                await self._users(conn).update_password_hash(id=user.id, password_hash=new_hash)
            session, _ = await self._open_session(conn, user, uuid.uuid4(), client)
            event = AuditEvent(AuditType.LOGIN_SUCCEEDED, user.id, user.id, session.session_id)
            await self._audit.record(conn, event)
            return session

    async def _take_login_attempt(self, keys: tuple[str, str, str]) -> None:
        """Count this attempt as a failure until it proves right; 429 when this address failed
        too often (any email, or this email), or this email failed far more often from every
        address: a guesser spread over many addresses is bounded, yet failures from elsewhere
        do not lock the owner out at the normal limit."""
        client, pair, everywhere = keys
        wait = await self._login_attempts.take((client, pair))
        if wait is None and (wait := await self._email_attempts.take((everywhere,))) is not None:
            await self._login_attempts.forgive((client, pair))  # a refusal counts nowhere
        if wait is not None:
            raise RateLimitedError("too many login attempts; try again later", wait)

    async def _login_failed(self, user: users_db.User | None, reason: str) -> None:
        target = None if user is None else user.id
        event = AuditEvent(AuditType.LOGIN_FAILED, target_id=target, details={"reason": reason})
        await self._audit.record(self._db, event)

    async def _rehashed(self, password_hash: str, password: str) -> str | None:
        """A hash at today's argon2 cost when ``password_hash`` was made at another one: the
        password is known only at login, so that is when a changed cost reaches old accounts."""
        if not self._hasher.needs_rehash(password_hash):
            return None
        return await self._hasher.hash(password)

    async def refresh(self, *, refresh_token: str, client: ClientInfo) -> Session:
        """Rotate ``refresh_token``; presenting a rotated token again revokes its family."""
        token_hash = hash_refresh_token(refresh_token)
        refused = False
        async with self._begin(self._db) as conn:
            tokens = self._tokens(conn)
            row = await tokens.get_refresh_token_by_hash_for_update(token_hash=token_hash)
            if row is None or row.revoked_at is not None:
                raise InvalidTokenError("the refresh token is not valid")
            user = await self._users(conn).get_user_by_id(id=row.user_id)
            if row.rotated_at is not None or user is None or not user.is_active:
                # A rotated token seen again means it leaked, and a disabled account has no
                # sessions: either way, end every session of this family.
                await tokens.revoke_refresh_token_family(family_id=row.family_id)
                if row.rotated_at is not None:
                    reuse = AuditEvent(AuditType.REFRESH_REUSED, None, row.user_id, row.family_id)
                    await self._audit.record(conn, reuse)
                refused = True
            elif row.expires_at <= self._clock():
                raise InvalidTokenError("the refresh token has expired")
            else:
                session, new_id = await self._open_session(conn, user, row.family_id, client)
                rotated = await tokens.rotate_refresh_token(id=row.id, replaced_by_id=new_id)
                assert rotated == 1  # we hold the row lock, nobody else can have rotated it
                return session
        # Outside the block: the revocation above is committed before we refuse.
        assert refused
        raise InvalidTokenError("the refresh token is not valid")

    async def logout(self, *, session_id: uuid.UUID, user_id: int | None = None) -> None:
        async with self._begin(self._db) as conn:
            await self._tokens(conn).revoke_refresh_token_family(family_id=session_id)
            event = AuditEvent(AuditType.LOGOUT, user_id, user_id, session_id)
            await self._audit.record(conn, event)

    async def logout_all(self, *, user_id: int, session_id: uuid.UUID | None = None) -> int:
        async with self._begin(self._db) as conn:
            ended = await self._tokens(conn).revoke_user_refresh_tokens(user_id=user_id)
            details = {"sessions": str(ended)}
            event = AuditEvent(AuditType.LOGOUT_ALL, user_id, user_id, session_id, details)
            await self._audit.record(conn, event)
            return ended

    async def _open_session(
        self, conn: DB, user: users_db.User, family: uuid.UUID, client: ClientInfo
    ) -> tuple[Session, int]:
        token, token_hash = new_refresh_token()
        expires_at = self._clock() + self._policy.refresh_ttl
        row = await self._tokens(conn).insert_refresh_token(
            auth_db.InsertRefreshTokenParams(
                user_id=user.id,
                token_hash=token_hash,
                family_id=family,
                expires_at=expires_at,
                user_agent=(client.user_agent or "")[:MAX_USER_AGENT] or None,
                ip_address=_address(client.address),
            )
        )
        assert row is not None  # INSERT ... RETURNING always returns the row
        access = self._issuer.issue(user_id=user.id, role=user.role.value, session_id=family)
        return Session(user, access, token, expires_at, family), row.id


def _login_keys(email: str, user: users_db.User | None, client: ClientInfo) -> tuple[str, str, str]:
    """The counters a failed login adds to: this address, this account from this address, and
    this account from anywhere."""
    address, account = client.address, account_key(email, user)
    return (
        f"login:client:{address}",
        f"login:pair:{address}:{account}",
        f"login:email:{account}",
    )


def _address(
    address: str | None,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not address:
        return None
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None  # test clients and proxies may send names; the column keeps addresses only

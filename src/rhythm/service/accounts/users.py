"""Users: profile, password change, and the moderation rules on roles and disabling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, Protocol

from rhythm.db import auth as auth_db
from rhythm.db import users as users_db
from rhythm.service.audit import AuditEvent, AuditTrail, AuditType
from rhythm.service.auth.passwords import PasswordHasher, check_password
from rhythm.service.auth.ratelimit import AttemptLimiter
from rhythm.service.auth.recheck import PasswordRecheck
from rhythm.service.database import BEGIN, DB, TOKENS, USERS, Begin
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
)
from rhythm.service.identity import STAFF, Actor, User, UserRole, require_admin, require_staff
from rhythm.service.paging import Page, keyset_page, page_size
from rhythm.store.errors import UniqueViolationError


class Profile(User, Protocol):
    """The caller's own account: also whether its address is verified."""

    @property
    def email_verified_at(self) -> datetime | None: ...


class UsersService(Generic[DB]):
    def __init__(
        self,
        db: DB,
        *,
        hasher: PasswordHasher,
        users: Callable[[DB], users_db.Querier] = USERS,
        tokens: Callable[[DB], auth_db.Querier] = TOKENS,
        begin: Begin[DB] = BEGIN,
        audit: AuditTrail[DB] | None = None,
        password_attempts: AttemptLimiter | None = None,
    ) -> None:
        self._db = db
        self._audit: AuditTrail[DB] = audit if audit is not None else AuditTrail()
        self._hasher = hasher
        self._recheck = PasswordRecheck(
            db, hasher=hasher, audit=self._audit, attempts=password_attempts
        )
        self._users = users
        self._tokens = tokens
        self._begin = begin

    async def me(self, actor: Actor) -> Profile:
        return await self._active_row(actor)

    async def _active_row(self, actor: Actor) -> users_db.User:
        user = await self._users(self._db).get_user_by_id(id=actor.user_id)
        if user is None or not user.is_active:
            raise NotAuthenticatedError("this account no longer exists or is disabled")
        return user

    async def update_profile(
        self,
        actor: Actor,
        *,
        display_name: str | None = None,
        current_password: str | None = None,
        new_password: str | None = None,
    ) -> User:
        """Change the display name and/or the password; a new password ends the other sessions."""
        user = await self._active_row(actor)
        new_hash = None
        if new_password is not None:
            check_password(new_password)
            # 403, not 401: the caller is authenticated, and a 401 would send clients to refresh.
            if current_password is None:
                raise ForbiddenError("changing the password needs the current password")
            await self._recheck.require(actor, user, current_password, action="password change")
            new_hash = await self._hasher.hash(new_password)
        async with self._begin(self._db) as conn:
            users = self._users(conn)
            if display_name is not None:
                updated = await users.update_display_name(id=user.id, display_name=display_name)
                user = updated or user
            if new_hash is not None:
                await users.update_password_hash(id=user.id, password_hash=new_hash)
                await self._end_other_sessions(conn, actor)
                changed = AuditEvent(AuditType.PASSWORD_CHANGED, user.id, user.id, actor.session_id)
                await self._audit.record(conn, changed)
                refreshed = await users.get_user_by_id(id=user.id)
                user = refreshed or user
        return user

    async def list(
        self, actor: Actor, *, role: UserRole | None, after: int, limit: int
    ) -> Page[User]:
        require_staff(actor)
        size = page_size(limit)
        rows = await self._users(self._db).list_users(
            after_id=after, role=_db_role(role), page_size=size + 1
        )
        return keyset_page(rows, size)

    async def get(self, actor: Actor, user_id: int) -> User:
        if actor.user_id != user_id:
            require_staff(actor)
        user = await self._users(self._db).get_user_by_id(id=user_id)
        if user is None:
            raise NotFoundError(f"user {user_id} does not exist")
        return user

    async def set_role(self, actor: Actor, user_id: int, role: UserRole) -> User:
        require_admin(actor, "change roles")
        if actor.user_id == user_id:
            raise ForbiddenError("an admin cannot change their own role")
        async with self._begin(self._db) as conn:
            if role is not UserRole.ADMIN:
                await _keep_an_admin(self._users(conn), user_id)
            user = await self._users(conn).update_role(id=user_id, role=users_db.UserRole(role))
            if user is not None:
                event = AuditEvent(
                    AuditType.ROLE_CHANGED,
                    actor.user_id,
                    user_id,
                    actor.session_id,
                    {"role": role.value},
                )
                await self._audit.record(conn, event)
        if user is None:
            raise NotFoundError(f"user {user_id} does not exist")
        return user

    async def set_active(self, actor: Actor, user_id: int, *, active: bool) -> User:
        """Enable or disable an account; disabling revokes every session in the same commit."""
        require_staff(actor)
        if actor.user_id == user_id:
            raise ForbiddenError("you cannot enable or disable your own account")
        async with self._begin(self._db) as conn:
            users = self._users(conn)
            if not active:
                await _keep_an_admin(users, user_id)
            target = await users.get_user_by_id(id=user_id)
            if target is None:
                raise NotFoundError(f"user {user_id} does not exist")
            if UserRole(target.role) in STAFF:
                require_admin(actor, "enable or disable staff accounts")
            user = await users.set_active(id=user_id, is_active=active)
            assert user is not None  # the row exists: we just read it in this transaction
            if not active:
                await self._tokens(conn).revoke_user_refresh_tokens(user_id=user_id)
            kind = AuditType.USER_ENABLED if active else AuditType.USER_DISABLED
            await self._audit.record(
                conn, AuditEvent(kind, actor.user_id, user_id, actor.session_id)
            )
        return user

    async def create_admin(self, *, email: str, display_name: str, password: str) -> User:
        check_password(password)
        password_hash = await self._hasher.hash(password)
        try:
            async with self._begin(self._db) as conn:
                user = await self._users(conn).create_user(
                    email=email.strip(),
                    display_name=display_name.strip(),
                    password_hash=password_hash,
                    role=users_db.UserRole.ADMIN,
                )
        except UniqueViolationError as exc:
            raise ConflictError(f"an account with email {email} already exists") from exc
        assert user is not None
        return user

    async def _end_other_sessions(self, conn: DB, actor: Actor) -> None:
        tokens = self._tokens(conn)
        if actor.session_id is None:
            await tokens.revoke_user_refresh_tokens(user_id=actor.user_id)
        else:
            await tokens.revoke_other_refresh_tokens(
                user_id=actor.user_id, keep_family_id=actor.session_id
            )


def _db_role(role: UserRole | None) -> users_db.UserRole | None:
    return None if role is None else users_db.UserRole(role)


async def _keep_an_admin(users: users_db.Querier, user_id: int) -> None:
    """Before ``user_id`` stops being an active admin: lock the active admins (as deleting an
    account does, so such changes run one after the other) and refuse to leave none."""
    if await users.lock_active_admins() == [user_id]:
        raise ConflictError("the last active admin must stay one; make another admin first")

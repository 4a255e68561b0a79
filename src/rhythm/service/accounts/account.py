"""An account's own affairs: its sessions, and deleting it (by its owner or by an admin).

Deleting keeps an anonymous tombstone row (docs/accounts.md says what stays and why): the
email, name and password hash go, the sessions and their recorded addresses go, the user leaves
their room through the rooms service's own leave (host hand-over or close, with the events),
all in one transaction with the audit event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic

from rhythm.db import accounts as accounts_db
from rhythm.db import auth as auth_db
from rhythm.db import rooms as rooms_db
from rhythm.db import users as users_db
from rhythm.service.audit import AuditEvent, AuditTrail, AuditType
from rhythm.service.auth.passwords import PasswordHasher
from rhythm.service.auth.ratelimit import AttemptLimiter
from rhythm.service.auth.recheck import PasswordRecheck
from rhythm.service.database import ACCOUNTS, BEGIN, DB, ROOMS, TOKENS, USERS, Begin
from rhythm.service.errors import (
    ConflictError,
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
)
from rhythm.service.identity import Actor, UserRole
from rhythm.service.rooms.service import RoomsService


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One live session (refresh-token family) as its owner sees it."""

    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None
    address: str | None
    current: bool


class AccountService(Generic[DB]):
    def __init__(
        self,
        db: DB,
        *,
        hasher: PasswordHasher,
        audit: AuditTrail[DB] | None = None,
        users: Callable[[DB], users_db.Querier] = USERS,
        tokens: Callable[[DB], auth_db.Querier] = TOKENS,
        rooms: Callable[[DB], rooms_db.Querier] = ROOMS,
        links: Callable[[DB], accounts_db.Querier] = ACCOUNTS,
        begin: Begin[DB] = BEGIN,
        forget: Callable[[int], None] = lambda _: None,
        password_attempts: AttemptLimiter | None = None,
    ) -> None:
        """``forget(user_id)`` drops what the access check remembers of a deleted account;
        ``password_attempts`` counts wrong passwords (the login limiter)."""
        self._db = db
        self._audit: AuditTrail[DB] = audit if audit is not None else AuditTrail()
        self._recheck = PasswordRecheck(
            db, hasher=hasher, audit=self._audit, attempts=password_attempts
        )
        self._users = users
        self._tokens = tokens
        self._rooms = rooms
        self._links = links
        self._begin = begin
        self._forget = forget

    async def sessions(self, actor: Actor) -> list[SessionInfo]:
        rows = await self._tokens(self._db).list_user_sessions(user_id=actor.user_id)
        return [
            SessionInfo(
                id=row.family_id,
                created_at=row.created_at,
                last_used_at=row.last_used_at,
                expires_at=row.expires_at,
                user_agent=row.user_agent,
                address=None if row.ip_address is None else str(row.ip_address),
                current=row.family_id == actor.session_id,
            )
            for row in rows
        ]

    async def end_session(self, actor: Actor, session_id: uuid.UUID) -> None:
        """End one of the caller's sessions (its refresh tokens stop working)."""
        async with self._begin(self._db) as conn:
            ended = await self._tokens(conn).revoke_user_session(
                user_id=actor.user_id, family_id=session_id
            )
            if ended == 0:
                raise NotFoundError(f"you have no live session {session_id}")
            event = AuditEvent(AuditType.SESSION_ENDED, actor.user_id, actor.user_id, session_id)
            await self._audit.record(conn, event)

    async def delete_own(self, actor: Actor, password: str) -> None:
        user = await self._users(self._db).get_user_by_id(id=actor.user_id)
        if user is None:
            raise NotAuthenticatedError("this account no longer exists")
        await self._recheck.require(actor, user, password, action="account deletion")
        await self._erase(actor, user.id, by="self")

    async def delete_user(self, actor: Actor, user_id: int) -> None:
        if actor.role is not UserRole.ADMIN:
            raise ForbiddenError("only an admin can delete another account")
        if actor.user_id == user_id:
            raise ForbiddenError("delete your own account with your password (deleteMyAccount)")
        await self._erase(actor, user_id, by="admin")

    async def _erase(self, actor: Actor, user_id: int, *, by: str) -> None:
        async with self._begin(self._db) as conn:
            users = self._users(conn)
            # Locked first: concurrent deletions of admins run one after the other.
            admins = await users.lock_active_admins()
            target = await users.get_user_by_id(id=user_id)
            if target is None:
                raise NotFoundError(f"user {user_id} does not exist")
            if admins == [user_id]:
                raise ConflictError("the last admin cannot be deleted; make another admin first")
            await self._leave_room(conn, target)
            await self._tokens(conn).delete_user_refresh_tokens(user_id=user_id)
            await self._links(conn).delete_user_email_verifications(user_id=user_id)
            await self._links(conn).delete_user_password_resets(user_id=user_id)
            erased = await users.erase_user(id=user_id)
            assert erased is not None  # the row exists: we just read it in this transaction
            event = AuditEvent(
                AuditType.USER_DELETED, actor.user_id, user_id, actor.session_id, {"by": by}
            )
            await self._audit.record(conn, event)
        self._forget(user_id)

    async def _leave_room(self, conn: DB, user: users_db.User) -> None:
        room_id = await self._rooms(conn).get_member_room(user_id=user.id)
        if room_id is not None:
            rooms = RoomsService(conn, rooms=self._rooms, begin=self._begin)
            await rooms.leave(Actor(user_id=user.id, role=UserRole(user.role)), room_id)

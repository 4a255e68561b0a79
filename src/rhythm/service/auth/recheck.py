"""The current password, asked again before a change that needs it (new password, new email,
deleting the account).

The caller is authenticated, so this is not a login, but a stolen access token must not become
an unlimited password oracle: wrong answers count against the account in the same attempt
store as logins (one limit for every process), 429 with Retry-After past it, and each is
audited like a failed login.
"""

from __future__ import annotations

from typing import Generic

from rhythm.db import users as users_db
from rhythm.service.audit import AuditEvent, AuditTrail, AuditType
from rhythm.service.auth.passwords import PasswordHasher
from rhythm.service.auth.ratelimit import (
    LOGIN_LIMIT,
    LOGIN_WINDOW_S,
    AttemptLimiter,
    MemoryAttempts,
)
from rhythm.service.database import DB
from rhythm.service.errors import ForbiddenError, RateLimitedError
from rhythm.service.identity import Actor


class PasswordRecheck(Generic[DB]):
    def __init__(
        self,
        db: DB,
        *,
        hasher: PasswordHasher,
        audit: AuditTrail[DB],
        attempts: AttemptLimiter | None = None,
    ) -> None:
        """``attempts``: the login limiter (the composition root passes the shared one)."""
        self._db = db
        self._hasher = hasher
        self._audit = audit
        self._attempts = attempts or MemoryAttempts(LOGIN_LIMIT, LOGIN_WINDOW_S)

    async def require(
        self, actor: Actor, user: users_db.User, password: str, *, action: str
    ) -> None:
        """Pass when ``password`` is ``user``'s; else 403 (audited), or 429 once too many
        wrong answers for this account are in the window."""
        key = (f"password-check:user:{user.id}",)
        # Counted as wrong until it proves right, so concurrent guesses cannot all pass.
        if (wait := await self._attempts.take(key)) is not None:
            raise RateLimitedError("too many wrong passwords; try again later", wait)
        try:
            right = await self._hasher.verify(user.password_hash, password)
        except BaseException:
            await self._attempts.forgive(key)
            raise
        if right:
            await self._attempts.forgive(key)
            return
        event = AuditEvent(
            AuditType.PASSWORD_CHECK_FAILED,
            actor.user_id,
            user.id,
            actor.session_id,
            {"action": action},
        )
        await self._audit.record(self._db, event)
        # 403, not 401: the caller is authenticated, and a 401 would send clients to refresh.
        raise ForbiddenError("the password is wrong")

"""Password reset by email: a single-use link valid 30 minutes, stored only as a hash.

Asking gives the same answer whether the address has an account or not; asking is limited per
client address and per email. The mail is handed to the mailer after the transaction commits.
Resetting sets the new password and ends every session, in one transaction. The link is looked
up before the new password is hashed, so a made-up token costs a lookup and no hash; using a
link is limited per client address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic

from rhythm.db import accounts as accounts_db
from rhythm.db import auth as auth_db
from rhythm.db import users as users_db
from rhythm.service.accounts.email import mark_verified
from rhythm.service.accounts.links import LinkMaker, link_token_hash
from rhythm.service.accounts.mail import Mail, MailQueue
from rhythm.service.audit import AuditEvent, AuditTrail, AuditType
from rhythm.service.auth.passwords import PasswordHasher, check_password
from rhythm.service.auth.ratelimit import AttemptLimiter, MemoryAttempts, account_key
from rhythm.service.database import ACCOUNTS, BEGIN, DB, TOKENS, USERS, Begin
from rhythm.service.errors import RateLimitedError, RuleViolationError

_DEAD_LINK = "this reset link is unknown, used or expired"


@dataclass(frozen=True, slots=True)
class ResetPolicy:
    link_base: str  # the page that takes ?token=..., e.g. https://app.example/reset-password
    ttl: timedelta = timedelta(minutes=30)
    limit: int = 5
    window_s: float = 3600.0
    confirm_limit: int = 20  # uses of a link per client address within the window


class PasswordResetService(Generic[DB]):
    def __init__(
        self,
        db: DB,
        *,
        hasher: PasswordHasher,
        mailer: MailQueue,
        policy: ResetPolicy,
        audit: AuditTrail[DB] | None = None,
        users: Callable[[DB], users_db.Querier] = USERS,
        tokens: Callable[[DB], auth_db.Querier] = TOKENS,
        resets: Callable[[DB], accounts_db.Querier] = ACCOUNTS,
        begin: Begin[DB] = BEGIN,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        attempts: AttemptLimiter | None = None,
    ) -> None:
        self._db = db
        self._hasher = hasher
        self._mailer = mailer
        self._maker = LinkMaker(policy.link_base, policy.ttl)
        self._audit: AuditTrail[DB] = audit if audit is not None else AuditTrail()
        self._users = users
        self._tokens = tokens
        self._resets = resets
        self._begin = begin
        self._clock = clock
        # Shared by every process when given (production); this process's memory otherwise.
        self._attempts = attempts or MemoryAttempts(policy.limit, policy.window_s)
        self._confirms = self._attempts.with_limit(policy.confirm_limit)

    async def request(self, *, email: str, client_address: str | None) -> None:
        """Mail a reset link if ``email`` has an enabled account; answer the same either way."""
        user = await self._users(self._db).get_user_by_email(email=email.strip())
        keys = (f"reset-client:{client_address}", f"reset-email:{account_key(email, user)}")
        if (wait := await self._attempts.take(keys)) is not None:
            raise RateLimitedError("too many reset requests; try again later", wait)
        if user is None or not user.is_active:
            return
        link = self._maker.new(self._clock())
        async with self._begin(self._db) as conn:
            await self._resets(conn).insert_password_reset(
                user_id=user.id, token_hash=link.token_hash, expires_at=link.expires_at
            )
        self._mailer.send(self._mail(user, link.url))

    async def reset(
        self, *, token: str, new_password: str, client_address: str | None = None
    ) -> None:
        """Set ``new_password`` with a reset token; every session of the account ends."""
        check_password(new_password)
        key = (f"reset-confirm-client:{client_address}",)
        if (wait := await self._confirms.take(key)) is not None:
            raise RateLimitedError("too many password resets; try again later", wait)
        token_hash = link_token_hash(token)
        # The hash is the costly step (a bounded pool every login shares): only for a live link.
        if await self._resets(self._db).live_password_reset(token_hash=token_hash) is None:
            raise RuleViolationError(_DEAD_LINK)
        new_hash = await self._hasher.hash(new_password)
        async with self._begin(self._db) as conn:
            resets = self._resets(conn)
            # Still atomic: of two uses of one link racing here, one gets the user.
            user_id = await resets.consume_password_reset(token_hash=token_hash)
            if user_id is None:
                raise RuleViolationError(_DEAD_LINK)
            await resets.expire_password_resets(user_id=user_id)
            users = self._users(conn)
            await users.update_password_hash(id=user_id, password_hash=new_hash)
            await self._tokens(conn).revoke_user_refresh_tokens(user_id=user_id)
            await self._audit.record(conn, AuditEvent(AuditType.PASSWORD_RESET, None, user_id))
            # The link reached the current address (changing it ends older links): proven.
            await mark_verified(users, self._audit, conn, user_id, by="password reset")

    def _mail(self, user: users_db.User, link: str) -> Mail:
        body = (
            f"Hello {user.display_name},\n\n"
            f"Someone asked to reset the password of this account. To choose a new one, open\n"
            f"{link}\n\nThe link works once, for {self._maker.lifetime}. If you did not ask, "
            "ignore this message: your password stays as it is.\n"
        )
        return Mail(to=user.email, subject="Reset your rhythm password", body=body)

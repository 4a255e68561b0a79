"""The account's email address: proving it (verification links) and changing it.

A verification link is single-use, stored only as a hash, and names the address it was mailed
to: once the account has another address, the link verifies nothing. When verification is
required (the setting), a link is mailed on sign-up and on every change of address, and an
unverified account may not create or join rooms (docs/accounts.md). Changing the address needs
the current password, makes the account unverified, ends the reset links mailed to the old
address, and tells the old address. Every mail is handed over after its transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic

from rhythm.db import accounts as accounts_db
from rhythm.db import users as users_db
from rhythm.service.accounts.links import LinkMaker, link_token_hash
from rhythm.service.accounts.mail import Mail, MailQueue
from rhythm.service.accounts.users import Profile
from rhythm.service.audit import AuditEvent, AuditTrail, AuditType
from rhythm.service.auth.passwords import PasswordHasher
from rhythm.service.auth.ratelimit import AttemptLimiter, MemoryAttempts
from rhythm.service.auth.recheck import PasswordRecheck
from rhythm.service.database import ACCOUNTS, BEGIN, DB, USERS, Begin
from rhythm.service.errors import (
    ConflictError,
    NotAuthenticatedError,
    RateLimitedError,
    RuleViolationError,
)
from rhythm.service.identity import Actor
from rhythm.store.errors import UniqueViolationError

AfterCommit = Callable[[], None]


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    link_base: str  # the page that takes ?token=..., e.g. https://app.example/verify-email
    required: bool = False
    ttl: timedelta = timedelta(hours=48)
    limit: int = 3  # mails a user may ask again for within the window
    window_s: float = 3600.0


class EmailService(Generic[DB]):
    def __init__(
        self,
        db: DB,
        *,
        hasher: PasswordHasher,
        mailer: MailQueue,
        policy: VerificationPolicy,
        audit: AuditTrail[DB] | None = None,
        users: Callable[[DB], users_db.Querier] = USERS,
        links: Callable[[DB], accounts_db.Querier] = ACCOUNTS,
        begin: Begin[DB] = BEGIN,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        attempts: AttemptLimiter | None = None,
        password_attempts: AttemptLimiter | None = None,
    ) -> None:
        """``attempts`` limits verification mails; ``password_attempts`` counts wrong
        passwords (the login limiter)."""
        self._db = db
        self._mailer = mailer
        self._policy = policy
        self._maker = LinkMaker(policy.link_base, policy.ttl)
        self._audit: AuditTrail[DB] = audit if audit is not None else AuditTrail()
        self._users = users
        self._links = links
        self._begin = begin
        self._clock = clock
        self._attempts = attempts or MemoryAttempts(policy.limit, policy.window_s)
        self._recheck = PasswordRecheck(
            db, hasher=hasher, audit=self._audit, attempts=password_attempts
        )

    async def on_registered(self, conn: DB, user: users_db.User) -> AfterCommit:
        """In the sign-up's transaction: store a link if verification is required. The caller
        runs the returned callable once that transaction has committed; it mails the link."""
        if not self._policy.required:
            return _nothing
        mail = await self._issue(conn, user)
        return lambda: self._mailer.send(mail)

    async def resend(self, actor: Actor) -> None:
        """Mail a new link to the caller's current address (limited per account)."""
        key = (f"verify-user:{actor.user_id}",)
        if (wait := await self._attempts.retry_after(key)) is not None:
            raise RateLimitedError("too many verification mails; try again later", wait)
        user = await self._active_row(actor)
        if user.email_verified_at is not None:
            raise ConflictError("this address is already verified")
        await self._attempts.hit(key)
        async with self._begin(self._db) as conn:
            mail = await self._issue(conn, user)
        self._mailer.send(mail)

    async def verify(self, actor: Actor, *, token: str) -> None:
        """Use a verification link of the caller's: the address it was mailed to is verified."""
        async with self._begin(self._db) as conn:
            used = await self._links(conn).consume_email_verification(
                token_hash=link_token_hash(token), user_id=actor.user_id
            )
            if used == 0:
                raise RuleViolationError(
                    "this verification link is unknown, used, expired, for another address "
                    "or for another account"
                )
            await mark_verified(self._users(conn), self._audit, conn, actor.user_id, by="link")

    async def change_email(self, actor: Actor, *, new_email: str, password: str) -> Profile:
        """Move the account to ``new_email`` (unverified until its link is used)."""
        user = await self._active_row(actor)
        await self._recheck.require(actor, user, password, action="email change")
        new_email = new_email.strip()
        if new_email.lower() == user.email.lower():
            raise RuleViolationError("this is already the account's address")
        try:
            async with self._begin(self._db) as conn:
                changed = await self._users(conn).change_email(id=user.id, email=new_email)
                if changed is None:
                    raise NotAuthenticatedError("this account no longer exists")
                # Reset links went to the old address; a reset must prove the current one.
                await self._links(conn).expire_password_resets(user_id=user.id)
                link = await self._issue(conn, changed) if self._policy.required else None
                event = AuditEvent(AuditType.EMAIL_CHANGED, user.id, user.id, actor.session_id)
                await self._audit.record(conn, event)
        except UniqueViolationError as exc:
            raise ConflictError("an account with this email already exists") from exc
        self._mailer.send(_changed_notice(user, new_email))
        if link is not None:
            self._mailer.send(link)
        return changed

    async def _active_row(self, actor: Actor) -> users_db.User:
        user = await self._users(self._db).get_user_by_id(id=actor.user_id)
        if user is None or not user.is_active:
            raise NotAuthenticatedError("this account no longer exists or is disabled")
        return user

    async def _issue(self, conn: DB, user: users_db.User) -> Mail:
        """Store a link to the user's current address; the mail that carries it."""
        link = self._maker.new(self._clock())
        await self._links(conn).insert_email_verification(
            user_id=user.id,
            email=user.email,
            token_hash=link.token_hash,
            expires_at=link.expires_at,
        )
        body = (
            f"Hello {user.display_name},\n\n"
            f"To confirm that this address is yours, open\n{link.url}\n\n"
            f"The link works once, for {self._maker.lifetime}. If you did not create an "
            "account or change its address, ignore this message.\n"
        )
        return Mail(to=user.email, subject="Confirm your email address for rhythm", body=body)


async def mark_verified(
    users: users_db.Querier, audit: AuditTrail[DB], conn: DB, user_id: int, *, by: str
) -> None:
    """Mark the account's current address verified; audited when it was not already. The
    actor is the account itself: only its owner holds the link (or the reset link)."""
    if await users.mark_email_verified(id=user_id) is not None:
        event = AuditEvent(AuditType.EMAIL_VERIFIED, user_id, user_id, details={"by": by})
        await audit.record(conn, event)


def _changed_notice(user: users_db.User, new_email: str) -> Mail:
    body = (
        f"Hello {user.display_name},\n\n"
        f"The email address of your rhythm account was changed to {new_email}. This address "
        "gets no more mail for it. If you did not make this change, someone else has your "
        "password: contact the operators of this service.\n"
    )
    return Mail(to=user.email, subject="Your rhythm email address was changed", body=body)


def _nothing() -> None:
    return None

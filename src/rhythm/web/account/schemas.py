"""API shapes of the caller's sessions, account deletion, password reset, the email address."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from rhythm.service.accounts.account import SessionInfo
from rhythm.web.fields import Instant, Strict
from rhythm.web.users.schemas import AnyPassword, Email, Password


class SessionInfoOut(msgspec.Struct, kw_only=True):
    id: Annotated[uuid.UUID, msgspec.Meta(description="The session id (sid of access tokens)")]
    created_at: Annotated[Instant, msgspec.Meta(description="Login time")]
    last_used_at: Annotated[Instant, msgspec.Meta(description="Last login or refresh")]
    expires_at: Annotated[Instant, msgspec.Meta(description="When it ends unless refreshed")]
    user_agent: Annotated[str | None, msgspec.Meta(description="At the last login or refresh")]
    address: Annotated[str | None, msgspec.Meta(description="Client address, same moment")]
    current: Annotated[bool, msgspec.Meta(description="true: the session of this request")]

    @classmethod
    def of(cls, info: SessionInfo) -> SessionInfoOut:
        return msgspec.convert(info, cls, from_attributes=True)


class DeleteAccountRequest(Strict):
    password: Annotated[AnyPassword, msgspec.Meta(description="The current password")]


class PasswordResetRequest(Strict):
    email: Email


class PasswordResetConfirm(Strict):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=128, description="From the link")]
    new_password: Password


class ChangeEmailRequest(Strict):
    new_email: Email
    password: Annotated[AnyPassword, msgspec.Meta(description="The current password")]


class VerifyEmailRequest(Strict):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=128, description="From the link")]


class VerificationSent(msgspec.Struct, kw_only=True):
    detail: Annotated[str, msgspec.Meta(examples=["a verification link is on its way"])]


class PasswordResetAccepted(msgspec.Struct, kw_only=True):
    detail: Annotated[
        str,
        msgspec.Meta(examples=["if an account has this address, a reset link is on its way"]),
    ]

"""``/api/v1/account/password-reset``: ask for a reset link by email, and use it (no token)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from rhythm.service.accounts.password_reset import PasswordResetService
from rhythm.web.account.schemas import (
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
)
from rhythm.web.params import client_address
from rhythm.web.problems import responses

Resets = NamedDependency[PasswordResetService]


class PasswordResetController(Controller):
    path = "/api/v1/account/password-reset"
    tags = ["account"]  # noqa: RUF012

    @post(
        "/",
        operation_id="requestPasswordReset",
        summary="Mail a password-reset link (same answer whether the account exists)",
        description="The link works once, for 30 minutes.",
        status_code=HTTP_202_ACCEPTED,
        responses=responses(
            400, 429, notes={429: "Too many requests for this address or email; see Retry-After"}
        ),
        security=[],
    )
    async def request_reset(
        self, data: JSONBody[PasswordResetRequest], request: Request[Any, Any, Any], resets: Resets
    ) -> PasswordResetAccepted:
        await resets.request(email=data.email, client_address=client_address(request))
        return PasswordResetAccepted(
            detail="if an account has this address, a reset link is on its way"
        )

    @post(
        "/confirm",
        operation_id="resetPassword",
        summary="Set a new password with the token of a reset link; every session ends",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(
            400,
            422,
            429,
            notes={
                422: "The link is unknown, used or expired, or the new password is too weak",
                429: "Too many resets from this address; see Retry-After",
            },
        ),
        security=[],
    )
    async def confirm_reset(
        self,
        data: JSONBody[PasswordResetConfirm],
        request: Request[Any, Any, Any],
        resets: Resets,
    ) -> None:
        await resets.reset(
            token=data.token,
            new_password=data.new_password,
            client_address=client_address(request),
        )

"""``/api/v1/account/email``: change the caller's address, and prove it with a mailed link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from rhythm.service.accounts.email import EmailService
from rhythm.web.account.schemas import ChangeEmailRequest, VerificationSent, VerifyEmailRequest
from rhythm.web.problems import responses
from rhythm.web.security import current_actor
from rhythm.web.users.schemas import ProfileOut

AnyRequest = Request[Any, Any, Any]
Emails = NamedDependency[EmailService]


class EmailController(Controller):
    path = "/api/v1/account/email"
    tags = ["account"]  # noqa: RUF012

    @put(
        "/",
        operation_id="changeMyEmail",
        summary="Change the caller's email address (needs the current password)",
        description="The new address is unverified until its link is used; the old address "
        "is told of the change, and reset links mailed to it stop working.",
        responses=responses(
            400,
            401,
            403,
            409,
            422,
            429,
            notes={
                403: "The password is wrong",
                409: "Another account has this address",
                422: "This is already the account's address",
                429: "Too many wrong passwords for this account; see Retry-After",
            },
        ),
    )
    async def change(
        self, data: JSONBody[ChangeEmailRequest], request: AnyRequest, emails: Emails
    ) -> ProfileOut:
        user = await emails.change_email(
            current_actor(request), new_email=data.new_email, password=data.password
        )
        return ProfileOut.of_profile(user)

    @post(
        "/verification",
        operation_id="sendEmailVerification",
        summary="Mail a new verification link to the caller's address",
        status_code=HTTP_202_ACCEPTED,
        responses=responses(
            401,
            409,
            429,
            notes={
                409: "The address is already verified",
                429: "Too many verification mails; see Retry-After",
            },
        ),
    )
    async def resend(self, request: AnyRequest, emails: Emails) -> VerificationSent:
        await emails.resend(current_actor(request))
        return VerificationSent(detail="a verification link is on its way")

    @post(
        "/verify",
        operation_id="verifyMyEmail",
        summary="Prove the caller's address with the token of a verification link",
        description="Called by the link's page as the logged-in owner of the account.",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(
            400,
            401,
            422,
            notes={422: "The link is unknown, used, expired, or not for this account's address"},
        ),
    )
    async def verify(
        self, data: JSONBody[VerifyEmailRequest], request: AnyRequest, emails: Emails
    ) -> None:
        await emails.verify(current_actor(request), token=data.token)

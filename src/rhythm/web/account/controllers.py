"""``/api/v1/account``: the caller's sessions and deleting the caller's account."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from rhythm.service.accounts.account import AccountService
from rhythm.web.account.schemas import DeleteAccountRequest, SessionInfoOut
from rhythm.web.problems import responses
from rhythm.web.security import current_actor

AnyRequest = Request[Any, Any, Any]
SessionId = Annotated[uuid.UUID, Parameter(description="Session id (`id` of listMySessions)")]
Accounts = NamedDependency[AccountService]


class AccountController(Controller):
    path = "/api/v1/account"
    tags = ["account"]  # noqa: RUF012

    @get(
        "/sessions",
        operation_id="listMySessions",
        summary="The caller's live sessions, most recently used first",
        responses=responses(401),
    )
    async def sessions(self, request: AnyRequest, accounts: Accounts) -> list[SessionInfoOut]:
        found = await accounts.sessions(current_actor(request))
        return [SessionInfoOut.of(info) for info in found]

    @delete(
        "/sessions/{session_id:str}",
        operation_id="endMySession",
        summary="End one of the caller's sessions (its refresh token stops working)",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(400, 401, 404, notes={404: "No live session of yours has this id"}),
    )
    async def end_session(
        self, session_id: SessionId, request: AnyRequest, accounts: Accounts
    ) -> None:
        await accounts.end_session(current_actor(request), session_id)

    @post(
        "/delete",
        operation_id="deleteMyAccount",
        summary="Delete the caller's account (needs the current password)",
        description="Ends every session, leaves the caller's room and removes the personal "
        "data; the email address can be registered again.",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(
            400,
            401,
            403,
            409,
            429,
            notes={
                403: "The password is wrong",
                409: "You are the last admin",
                429: "Too many wrong passwords for this account; see Retry-After",
            },
        ),
    )
    async def delete_me(
        self, data: JSONBody[DeleteAccountRequest], request: AnyRequest, accounts: Accounts
    ) -> None:
        await accounts.delete_own(current_actor(request), data.password)

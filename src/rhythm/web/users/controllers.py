"""``/api/v1/users``: the caller's profile, and staff administration of accounts."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, Parameter, QueryParameter

from rhythm.service.users import Role, UsersService
from rhythm.web.account.controllers import ACCOUNTS, Accounts
from rhythm.web.paging import CURSOR, parse_cursor
from rhythm.web.problems import responses
from rhythm.web.security import ADMIN_ONLY, STAFF_ONLY, current_actor
from rhythm.web.users.schemas import RoleChangeRequest, UpdateMeRequest, UserOut, UserPageOut

UserId = Annotated[int, Parameter(ge=1, le=2**63 - 1, description="User id")]
AnyRequest = Request[Any, Any, Any]
Users = NamedDependency[UsersService]
_STAFF_403 = "Not staff; or your own account; or a staff account and you are not an admin"
_GONE = "Missing, invalid or expired token, or the account is gone or disabled"


def provide_users(state: State) -> UsersService:
    service: UsersService = state.users
    return service


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["users"]  # noqa: RUF012
    dependencies = {"users": Provide(provide_users, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/me",
        operation_id="getMe",
        summary="The caller's profile",
        responses=responses(401, notes={401: _GONE}),
    )
    async def me(self, request: AnyRequest, users: Users) -> UserOut:
        return UserOut.of(await users.me(current_actor(request)))

    @patch(
        "/me",
        operation_id="updateMe",
        summary="Change display name and/or password",
        description="A password change needs current_password and ends every other session.",
        responses=responses(
            400,
            401,
            403,
            422,
            notes={
                403: "A password change with current_password missing or wrong",
                422: "The new password is too weak",
            },
        ),
    )
    async def update_me(
        self,
        data: JSONBody[UpdateMeRequest],
        request: AnyRequest,
        users: Users,
    ) -> UserOut:
        user = await users.update_profile(
            current_actor(request),
            display_name=data.display_name,
            current_password=data.current_password,
            new_password=data.new_password,
        )
        return UserOut.of(user)

    @get(
        "/",
        operation_id="listUsers",
        summary="List accounts (moderator or admin), by id, a page at a time",
        guards=[STAFF_ONLY],
        responses=responses(400, 401, 403),
    )
    async def list_users(
        self,
        request: AnyRequest,
        users: Users,
        role: Annotated[Role | None, QueryParameter(description="Only this role")] = None,
        cursor: Annotated[
            str | None, QueryParameter(pattern=CURSOR, description="`next` of the previous page")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100, description="Page size")] = 50,
    ) -> UserPageOut:
        page = await users.list(
            current_actor(request), role=role, after=parse_cursor(cursor), limit=limit
        )
        return UserPageOut(
            items=[UserOut.of(user) for user in page.users],
            next=None if page.next_after is None else str(page.next_after),
        )

    @get(
        "/{user_id:int}",
        operation_id="getUser",
        summary="One account (yourself, or anyone for moderators and admins)",
        responses=responses(400, 401, 403, 404, notes={403: "Another's account, and not staff"}),
    )
    async def get_user(self, user_id: UserId, request: AnyRequest, users: Users) -> UserOut:
        return UserOut.of(await users.get(current_actor(request), user_id))

    @patch(
        "/{user_id:int}/role",
        operation_id="setUserRole",
        summary="Change an account's role (admin)",
        guards=[ADMIN_ONLY],
        responses=responses(400, 401, 403, 404, notes={403: "Not an admin, or your own role"}),
    )
    async def set_role(
        self,
        user_id: UserId,
        data: JSONBody[RoleChangeRequest],
        request: AnyRequest,
        users: Users,
    ) -> UserOut:
        return UserOut.of(await users.set_role(current_actor(request), user_id, data.role))

    @post(
        "/{user_id:int}/disable",
        operation_id="disableUser",
        summary="Disable an account and end its sessions (moderator or admin)",
        guards=[STAFF_ONLY],
        status_code=200,
        responses=responses(400, 401, 403, 404, notes={403: _STAFF_403}),
    )
    async def disable(self, user_id: UserId, request: AnyRequest, users: Users) -> UserOut:
        return UserOut.of(await users.set_active(current_actor(request), user_id, active=False))

    @post(
        "/{user_id:int}/enable",
        operation_id="enableUser",
        summary="Enable a disabled account (moderator or admin)",
        guards=[STAFF_ONLY],
        status_code=200,
        responses=responses(400, 401, 403, 404, notes={403: _STAFF_403}),
    )
    async def enable(self, user_id: UserId, request: AnyRequest, users: Users) -> UserOut:
        return UserOut.of(await users.set_active(current_actor(request), user_id, active=True))

    @delete(
        "/{user_id:int}",
        operation_id="deleteUser",
        summary="Delete another account (admin)",
        description="As deleteMyAccount, without a password; not your own account, not the "
        "last admin.",
        guards=[ADMIN_ONLY],
        dependencies=ACCOUNTS,
        status_code=204,
        responses=responses(
            400, 401, 403, 404, 409, notes={403: "Not an admin, or your own account"}
        ),
    )
    async def delete_user(self, user_id: UserId, request: AnyRequest, accounts: Accounts) -> None:
        await accounts.delete_user(current_actor(request), user_id)

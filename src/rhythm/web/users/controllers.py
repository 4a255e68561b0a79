"""``/api/v1/users``: the caller's profile, and staff administration of accounts."""

from __future__ import annotations

from typing import Annotated, ClassVar

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from rhythm.service.accounts.account import AccountService
from rhythm.service.accounts.users import UsersService
from rhythm.service.identity import UserRole
from rhythm.service.paging import DEFAULT_PAGE_SIZE
from rhythm.web.paging import next_cursor, parse_cursor
from rhythm.web.params import AnyRequest, PageCursor, PageLimit, UserId
from rhythm.web.problems import responses
from rhythm.web.security import current_actor
from rhythm.web.users.schemas import (
    ProfileOut,
    RoleChangeRequest,
    UpdateMeRequest,
    UserOut,
    UserPageOut,
)

_STAFF_403 = "Not staff; or your own account; or a staff account and you are not an admin"
_GONE = "Missing, invalid or expired token, or the account is gone or disabled"
_LAST_ADMIN = "The change would leave no active admin"


class UsersController(Controller):
    """The handlers reach their services through typed attributes, set once by
    ``users_controller``: no dependency resolved per request, no lookup by name."""

    path = "/api/v1/users"
    tags = ["users"]  # noqa: RUF012
    users: ClassVar[UsersService]
    accounts: ClassVar[AccountService]

    @get(
        "/me",
        operation_id="getMe",
        summary="The caller's profile",
        responses=responses(401, notes={401: _GONE}),
    )
    async def me(self, request: AnyRequest) -> ProfileOut:
        return ProfileOut.of_profile(await self.users.me(current_actor(request)))

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
            429,
            notes={
                403: "A password change with current_password missing or wrong",
                422: "The new password is too weak",
                429: "Too many wrong current passwords for this account, or the server is "
                "busy hashing passwords; see Retry-After",
            },
        ),
    )
    async def update_me(
        self,
        data: JSONBody[UpdateMeRequest],
        request: AnyRequest,
    ) -> UserOut:
        user = await self.users.update_profile(
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
        responses=responses(400, 401, 403),
    )
    async def list_users(
        self,
        request: AnyRequest,
        role: Annotated[UserRole | None, QueryParameter(description="Only this role")] = None,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> UserPageOut:
        page = await self.users.list(
            current_actor(request), role=role, after=parse_cursor(cursor), limit=limit
        )
        return UserPageOut(
            items=[UserOut.of(user) for user in page.items], next=next_cursor(page.next_after)
        )

    @get(
        "/{user_id:int}",
        operation_id="getUser",
        summary="One account (yourself, or anyone for moderators and admins)",
        responses=responses(400, 401, 403, 404, notes={403: "Another's account, and not staff"}),
    )
    async def get_user(self, user_id: UserId, request: AnyRequest) -> UserOut:
        return UserOut.of(await self.users.get(current_actor(request), user_id))

    @patch(
        "/{user_id:int}/role",
        operation_id="setUserRole",
        summary="Change an account's role (admin)",
        responses=responses(
            400, 401, 403, 404, 409, notes={403: "Not an admin, or your own role", 409: _LAST_ADMIN}
        ),
    )
    async def set_role(
        self,
        user_id: UserId,
        data: JSONBody[RoleChangeRequest],
        request: AnyRequest,
    ) -> UserOut:
        return UserOut.of(await self.users.set_role(current_actor(request), user_id, data.role))

    @post(
        "/{user_id:int}/disable",
        operation_id="disableUser",
        summary="Disable an account and end its sessions (moderator or admin)",
        status_code=200,
        responses=responses(400, 401, 403, 404, 409, notes={403: _STAFF_403, 409: _LAST_ADMIN}),
    )
    async def disable(self, user_id: UserId, request: AnyRequest) -> UserOut:
        return UserOut.of(
            await self.users.set_active(current_actor(request), user_id, active=False)
        )

    @post(
        "/{user_id:int}/enable",
        operation_id="enableUser",
        summary="Enable a disabled account (moderator or admin)",
        status_code=200,
        responses=responses(400, 401, 403, 404, notes={403: _STAFF_403}),
    )
    async def enable(self, user_id: UserId, request: AnyRequest) -> UserOut:
        return UserOut.of(await self.users.set_active(current_actor(request), user_id, active=True))

    @delete(
        "/{user_id:int}",
        operation_id="deleteUser",
        summary="Delete another account (admin)",
        description="As deleteMyAccount, without a password; not your own account, not the "
        "last admin.",
        status_code=204,
        responses=responses(
            400, 401, 403, 404, 409, notes={403: "Not an admin, or your own account"}
        ),
    )
    async def delete_user(self, user_id: UserId, request: AnyRequest) -> None:
        await self.accounts.delete_user(current_actor(request), user_id)


def users_controller(users: UsersService, accounts: AccountService) -> type[UsersController]:
    """``UsersController`` with the application's services, for ``Litestar(route_handlers=...)``
    (Litestar makes the instance; one class per application, so apps never share services)."""

    class BoundUsersController(UsersController):
        pass

    BoundUsersController.users = users
    BoundUsersController.accounts = accounts
    return BoundUsersController

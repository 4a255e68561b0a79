"""The users controller reaches the services it was bound to, one binding per application, with
no dependency injected per request; the profile it answers with."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from rhythm.db import users as users_db
from rhythm.db.users.fakes import FakeQuerier as FakeUsers
from rhythm.service.accounts.account import AccountService
from rhythm.service.accounts.users import UsersService
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher
from rhythm.service.identity import Actor, UserRole
from rhythm.store.pool import StorePool
from rhythm.store.transaction import AsyncDB
from rhythm.web.users.controllers import users_controller
from rhythm.web.users.schemas import ProfileOut, UserOut
from tests.unit.rows import user

HASHER = PasswordHasher(TEST_PARAMS)


def _as_user(user_id: int) -> type:
    """Stands in for authentication: every request acts as ``user_id``."""

    class AsUser:
        def __init__(self, app: ASGIApp) -> None:
            self._app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            scope["user"] = Actor(user_id=user_id, role=UserRole.USER)
            await self._app(scope, receive, send)

    return AsUser


def _app(user_id: int) -> tuple[Litestar, FakeUsers]:
    fake = FakeUsers()
    fake.get_user_by_id.returns(user(user_id))
    # Typed as the application's services are; every query goes to the fake, none to the pool.
    never_opened: AsyncDB = StorePool("postgresql:///unused", open=False)
    users = UsersService(never_opened, hasher=HASHER, users=lambda _: fake)
    accounts = AccountService(never_opened, hasher=HASHER, users=lambda _: fake)
    controller = users_controller(users, accounts)
    app = Litestar([controller], middleware=[_as_user(user_id)], openapi_config=None)
    return app, fake


async def test_each_application_answers_from_its_own_services() -> None:
    first, first_users = _app(1)
    second, second_users = _app(2)
    for app, expected in ((first, 1), (second, 2), (first, 1)):
        async with AsyncTestClient(app) as client:
            response = await client.get("/api/v1/users/me")
        assert response.status_code == 200
        assert response.json()["display_name"] == f"user{expected}"
    assert first_users.get_user_by_id.calls == [{"id": 1}, {"id": 1}]
    assert second_users.get_user_by_id.calls == [{"id": 2}]


def test_the_profile_route_resolves_no_dependency() -> None:
    app, _ = _app(1)
    handler = app.route_handler_method_map["/api/v1/users/me"]["GET"]
    assert list(handler.parsed_fn_signature.parameters) == ["request"]


@pytest.mark.parametrize("verified", [True, False])
def test_the_profile_shows_what_a_user_shows_and_whether_the_address_is_verified(
    verified: bool,
) -> None:
    row = user(7, users_db.UserRole.MODERATOR, verified=verified)
    profile = msgspec.structs.asdict(ProfileOut.of_profile(row))
    assert profile == {**msgspec.structs.asdict(UserOut.of(row)), "email_verified": verified}
    assert profile["role"] is UserRole.MODERATOR
    assert "password_hash" not in msgspec.json.decode(msgspec.json.encode(profile))

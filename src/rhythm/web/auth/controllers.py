"""``/api/v1/auth``: register, login, refresh, logout."""

from __future__ import annotations

import time

from litestar import Controller, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from rhythm.service.auth.service import AuthService, ClientInfo, Session
from rhythm.web.auth.schemas import LoginRequest, RefreshRequest, RegisterRequest, SessionOut
from rhythm.web.params import AnyRequest, client_address
from rhythm.web.problems import responses
from rhythm.web.security import current_actor
from rhythm.web.users.schemas import UserOut


def client_of(request: AnyRequest) -> ClientInfo:
    return ClientInfo(
        address=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )


def session_out(session: Session) -> SessionOut:
    expires_in = int(session.access.expires_at.timestamp() - time.time())
    return SessionOut(
        access_token=session.access.token,
        token_type="Bearer",  # noqa: S106 - the OAuth 2 token type, not a secret
        expires_at=session.access.expires_at,
        expires_in=max(expires_in, 0),
        refresh_token=session.refresh_token,
        refresh_expires_at=session.refresh_expires_at,
        user=UserOut.of(session.user),
    )


Auth = NamedDependency[AuthService]


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]  # noqa: RUF012
    # RFC 6749 section 5.1: responses carrying tokens must not be stored by any cache.
    cache_control = CacheControlHeader(no_store=True)

    @post(
        "/register",
        operation_id="register",
        summary="Create an account and open a session",
        status_code=HTTP_201_CREATED,
        responses=responses(
            400,
            409,
            422,
            429,
            notes={
                409: "An account with this email exists",
                422: "The password is too weak",
                429: "Too many registrations from this address, or the server is busy "
                "hashing passwords; see Retry-After",
            },
        ),
        security=[],
    )
    async def register(
        self,
        data: JSONBody[RegisterRequest],
        request: AnyRequest,
        auth: Auth,
    ) -> SessionOut:
        session = await auth.register(
            email=data.email,
            display_name=data.display_name,
            password=data.password,
            client=client_of(request),
        )
        return session_out(session)

    @post(
        "/login",
        operation_id="login",
        summary="Open a session with email and password",
        status_code=HTTP_200_OK,
        responses=responses(
            400,
            401,
            403,
            429,
            notes={
                401: "Wrong email or password",
                403: "The account is disabled",
                429: "Too many attempts from this client or for this email, or the server is "
                "busy hashing passwords; see Retry-After",
            },
        ),
        security=[],
    )
    async def login(
        self,
        data: JSONBody[LoginRequest],
        request: AnyRequest,
        auth: Auth,
    ) -> SessionOut:
        session = await auth.login(
            email=data.email, password=data.password, client=client_of(request)
        )
        return session_out(session)

    @post(
        "/refresh",
        operation_id="refreshSession",
        summary="Trade a refresh token for a new pair (the old one is rotated)",
        description="Presenting an already rotated refresh token revokes its whole session "
        "family and answers 401.",
        status_code=HTTP_200_OK,
        responses=responses(
            400,
            401,
            notes={
                401: "The refresh token is unknown, expired or revoked, or was already used "
                "(which ends its whole session): log in again"
            },
        ),
        security=[],
    )
    async def refresh(
        self,
        data: JSONBody[RefreshRequest],
        request: AnyRequest,
        auth: Auth,
    ) -> SessionOut:
        session = await auth.refresh(refresh_token=data.refresh_token, client=client_of(request))
        return session_out(session)

    @post(
        "/logout",
        operation_id="logout",
        summary="End this session (its refresh tokens stop working)",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(401),
    )
    async def logout(self, request: AnyRequest, auth: Auth) -> None:
        actor = current_actor(request)
        if actor.session_id is not None:
            await auth.logout(session_id=actor.session_id, user_id=actor.user_id)

    @post(
        "/logout-all",
        operation_id="logoutAll",
        summary="End every session of the caller",
        status_code=HTTP_204_NO_CONTENT,
        responses=responses(401),
    )
    async def logout_all(self, request: AnyRequest, auth: Auth) -> None:
        actor = current_actor(request)
        await auth.logout_all(user_id=actor.user_id, session_id=actor.session_id)

"""The ceiling of our layering: the same queries behind a bare Litestar app on raw psycopg.

Same pool settings, same uvicorn options; no services, generated code, request-id/logging
middleware, problem details, channels or DI. Each endpoint answers the JSON shape of the real
one. ``BARE_AUTH=none`` (the reference of the issue's ratio): no authentication at all, the
user is named by an ``X-User-Id`` header. ``BARE_AUTH=jwt``: the same JWT check as the real app
(Litestar's JWT middleware, HS256, same claims), verified on every request.

Run (the bench starts it): DATABASE_URL=... RHYTHM_PORT=... python -m bench.http.bare_app
"""

from __future__ import annotations

import datetime
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from litestar import Litestar, Request, get
from litestar.connection import ASGIConnection
from litestar.security.jwt import JWTAuth, Token
from psycopg import AsyncRawCursor
from psycopg.rows import tuple_row
from psycopg_pool import AsyncConnectionPool

from bench.common.bare import bare_litestar, serve
from rhythm.app.settings import DEV_JWT_SECRET

# The very SQL the app runs (only the text: no generated code runs here).
from rhythm.db.rooms.query import LIST_LOBBY
from rhythm.db.users.query import GET_USER_BY_ID

PAGE = 50


class Me(msgspec.Struct):
    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class RoomSummary(msgspec.Struct):
    id: int
    name: str
    host_id: int
    status: str
    visibility: str
    max_players: int
    member_count: int
    song_id: str | None
    difficulty: str | None
    created_at: datetime.datetime


class Page(msgspec.Struct):
    items: list[RoomSummary]
    next: str | None


pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
    os.environ.get("DATABASE_URL", ""),
    min_size=int(os.environ.get("RHYTHM_DB_POOL_MIN", "1")),
    max_size=int(os.environ.get("RHYTHM_DB_POOL_MAX", "10")),
    open=False,
    kwargs={"autocommit": True},  # the fastest raw psycopg: one round trip per read
)


async def get_me(user_id: int) -> Me | None:
    async with pool.connection() as conn:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(GET_USER_BY_ID, (user_id,))
        r = await cur.fetchone()
    return None if r is None else Me(r[0], r[1], r[2], r[4], r[5], r[6], r[7])


@get("/api/v1/users/me")
async def me_jwt(request: Request[int, Token, Any]) -> Me | None:
    return await get_me(request.user)


@get("/api/v1/users/me")
async def me_unauthenticated(request: Request[Any, Any, Any]) -> Me | None:
    # Straight from the scope's header list: no header mapping built for one lookup.
    user = next(value for name, value in request.scope["headers"] if name == b"x-user-id")
    return await get_me(int(user))


@get("/api/v1/rooms")
async def rooms() -> Page:
    async with pool.connection() as conn:
        cur = AsyncRawCursor(conn, row_factory=tuple_row)
        await cur.execute(LIST_LOBBY, (0, None, False, PAGE + 1))
        rows = await cur.fetchall()
    items = [
        RoomSummary(r[0], r[1], r[2], r[3], r[4], r[6], r[9], r[7], r[8], r[11])
        for r in rows[:PAGE]
    ]
    return Page(items, str(items[-1].id) if len(rows) > PAGE else None)


async def user_id(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> int:
    return int(token.sub)


@asynccontextmanager
async def lifespan(_: Litestar) -> AsyncIterator[None]:
    await pool.open(wait=True)
    yield
    await pool.close()


def create_app(auth: str) -> Litestar:
    if auth == "none":
        return bare_litestar([me_unauthenticated, rooms], lifespan=[lifespan])
    return bare_litestar([me_jwt, rooms], lifespan=[lifespan], on_app_init=[jwt().on_app_init])


def jwt() -> JWTAuth[int, Token]:
    return JWTAuth[int, Token](
        retrieve_user_handler=user_id,
        token_secret=os.environ.get("RHYTHM_JWT_SECRET", DEV_JWT_SECRET),
        algorithm="HS256",
        accepted_audiences=["rhythm-api"],
        accepted_issuers=["rhythm-backend"],
        require_claims=["exp", "iat", "iss", "aud", "sub", "jti"],
        strict_audience=True,
        verify_expiry=True,
        verify_not_before=True,
        exclude=["^/health"],
    )


if __name__ == "__main__":
    serve(create_app(os.environ.get("BARE_AUTH", "jwt")))

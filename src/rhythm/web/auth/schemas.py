"""API shapes of sessions: register, login, refresh, and the session a client gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from rhythm.web.fields import Strict
from rhythm.web.users.schemas import AnyPassword, DisplayName, Email, Password, UserOut

RefreshTokenText = Annotated[
    str, msgspec.Meta(min_length=16, max_length=256, description="Opaque refresh token")
]


class RegisterRequest(Strict):
    email: Email
    display_name: DisplayName
    password: Password


class LoginRequest(Strict):
    email: Email
    password: AnyPassword


class RefreshRequest(Strict):
    refresh_token: RefreshTokenText


class SessionOut(msgspec.Struct, kw_only=True):
    """A session: a short-lived access token and the refresh token that renews it."""

    access_token: Annotated[
        str, msgspec.Meta(description="JWT; send as `Authorization: Bearer <access_token>`")
    ]
    token_type: Literal["Bearer"]
    expires_at: Annotated[datetime, msgspec.Meta(description="When the access token expires")]
    expires_in: Annotated[
        int, msgspec.Meta(ge=0, description="Seconds until expires_at", examples=[900])
    ]
    refresh_token: Annotated[
        str,
        msgspec.Meta(description="Opaque, single use: each refresh returns a new one"),
    ]
    refresh_expires_at: Annotated[
        datetime, msgspec.Meta(description="When the refresh token expires unused")
    ]
    user: UserOut

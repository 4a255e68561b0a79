"""API shapes: request and response Structs, separate from database rows.

Constraints here are what the server enforces, so the OpenAPI document states them. No response
Struct has a password or hash field, and responses are built field by field from rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from rhythm.service.users import Role, User

# PostgreSQL text cannot hold NUL (psycopg refuses it), so stored text says so up front: a
# 400 naming the field instead of a 500 from the driver.
NO_NUL = r"^[^\x00]*$"
# Python's \s also matches \x1c-\x1f and \x85, JavaScript's (the document's) also \ufeff:
# naming all of them makes the server and every client agree on what a space is.
_SPACE = r"\s\x1c-\x1f\x85\ufeff"
NON_BLANK = rf"^[^\x00]*[^{_SPACE}\x00][^\x00]*$"  # some visible character, no NUL
_EMAIL_PART = rf"[^@{_SPACE}\x00]+"

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=320,
        pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$",
        examples=["ada@example.com"],
        description="Email address; unique regardless of case",
    ),
]
DisplayName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=NON_BLANK,
        examples=["Ada"],
        description="Shown to others",
    ),
]
Password = Annotated[
    str,
    msgspec.Meta(min_length=8, max_length=256, examples=["correct horse battery staple"]),
]
AnyPassword = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
RefreshTokenText = Annotated[
    str, msgspec.Meta(min_length=16, max_length=256, description="Opaque refresh token")
]
Id = Annotated[int, msgspec.Meta(ge=1, examples=[42])]
Instant = Annotated[datetime, msgspec.Meta(description="RFC 3339, with offset")]
Cursor = Annotated[
    str | None,
    msgspec.Meta(description="Pass as `cursor` for the next page; null on the last page"),
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: an unknown field is a client bug worth a 400, not something to drop."""


class RegisterRequest(Strict):
    email: Email
    display_name: DisplayName
    password: Password


class LoginRequest(Strict):
    email: Email
    password: AnyPassword


class RefreshRequest(Strict):
    refresh_token: RefreshTokenText


class UpdateMeRequest(Strict):
    display_name: DisplayName | None = None
    current_password: AnyPassword | None = None
    new_password: Password | None = None


class RoleChangeRequest(Strict):
    role: Role


class UserOut(msgspec.Struct, kw_only=True):
    id: Id
    email: Annotated[str, msgspec.Meta(examples=["ada@example.com"])]
    display_name: Annotated[str, msgspec.Meta(examples=["Ada"])]
    role: Role
    is_active: Annotated[bool, msgspec.Meta(description="false: disabled, cannot log in")]
    created_at: Instant
    updated_at: Instant

    @classmethod
    def of(cls, user: User) -> UserOut:
        # Reads only the attributes this Struct declares: the row's password_hash is never
        # touched, and a column added to the table stays private until a response names it.
        return msgspec.convert(user, cls, from_attributes=True)


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


class UserPageOut(msgspec.Struct, kw_only=True):
    items: list[UserOut]
    next: Cursor

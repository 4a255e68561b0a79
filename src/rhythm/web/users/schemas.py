"""API shapes of accounts: profile changes, roles, and the user as responses show it.

Constraints here are what the server enforces, so the OpenAPI document states them; the limits
of business rules come from the services. No response Struct has a password or hash field, and
responses read only the attributes they declare.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from rhythm.service.accounts.users import Profile
from rhythm.service.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PASSWORD_NOT_BLANK,
)
from rhythm.service.identity import User, UserRole
from rhythm.web.fields import NON_BLANK, Id, Instant, Strict
from rhythm.web.paging import Cursor

# RFC 5321: a local part of at most 64 characters; a domain of dot-separated non-empty labels,
# so "a@example.com." (a second spelling of "a@example.com") and "a@b..c" are refused.
# Printable ASCII only: an invisible or look-alike character ("a\u200b@", a full-width "a")
# would make a second account that reads like the first, and case folding beyond ASCII differs
# between Python and the database. International domains are written in their xn-- form.
_LOCAL = r"[\x21-\x3f\x41-\x7e]{1,64}"
_LABEL = r"[\x21-\x2d\x2f-\x3f\x41-\x7e]+"

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=320,
        pattern=rf"^{_LOCAL}@{_LABEL}(\.{_LABEL})+$",
        examples=["ada@example.com"],
        description=(
            "Email address in printable ASCII (a domain in its xn-- form); "
            "unique regardless of case"
        ),
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
    msgspec.Meta(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        pattern=PASSWORD_NOT_BLANK,
        examples=["correct horse battery staple"],
    ),
]
AnyPassword = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class UpdateMeRequest(Strict):
    display_name: DisplayName | None = None
    current_password: AnyPassword | None = None
    new_password: Password | None = None


class RoleChangeRequest(Strict):
    role: UserRole


class UserOut(msgspec.Struct, kw_only=True):
    id: Id
    email: Annotated[str, msgspec.Meta(examples=["ada@example.com"])]
    display_name: Annotated[str, msgspec.Meta(examples=["Ada"])]
    role: UserRole
    is_active: Annotated[bool, msgspec.Meta(description="false: disabled, cannot log in")]
    created_at: Instant
    updated_at: Instant

    @classmethod
    def of(cls, user: User) -> UserOut:
        # Reads only the attributes this Struct declares: the row's password_hash is never
        # touched, and a column added to the table stays private until a response names it.
        return msgspec.convert(user, cls, from_attributes=True)


class ProfileOut(UserOut, kw_only=True):
    """The caller's own account, with the state of its address."""

    email_verified: Annotated[
        bool, msgspec.Meta(description="false: the address has not been proven by a link yet")
    ]

    @classmethod
    def of_profile(cls, user: Profile) -> ProfileOut:
        # Field by field, in one step (every GET /users/me answers with it): still only the
        # attributes this Struct declares.
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=UserRole(user.role),
            is_active=user.is_active,
            created_at=user.created_at,
            updated_at=user.updated_at,
            email_verified=user.email_verified_at is not None,
        )


class UserPageOut(msgspec.Struct, kw_only=True):
    items: list[UserOut]
    next: Cursor

"""Who is calling: the actor an access token names, the roles, what staff means, and an account
as services hand it out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from rhythm.service.errors import ForbiddenError


class UserRole(StrEnum):
    """What an account may do: play (USER), moderate (MODERATOR), or everything (ADMIN)."""

    USER = "USER"
    MODERATOR = "MODERATOR"
    ADMIN = "ADMIN"


STAFF = frozenset({UserRole.MODERATOR, UserRole.ADMIN})


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller, as the access token describes them."""

    user_id: int
    role: UserRole
    session_id: uuid.UUID | None = None
    # When the access token stops being valid (Unix time), for what outlives one request (a
    # WebSocket); not part of who the caller is, so two of their tokens name the same actor.
    token_expires: float | None = field(default=None, compare=False)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


def require_staff(actor: Actor) -> None:
    """Staff checks live in the services, next to the finer rules (own account, staff targets),
    so every caller gets them, not only the HTTP routes."""
    if not actor.is_staff:
        raise ForbiddenError("this needs the moderator or admin role")


def require_admin(actor: Actor, what: str) -> None:
    if actor.role is not UserRole.ADMIN:
        raise ForbiddenError(f"only an admin can {what}")


class User(Protocol):
    """An account as services hand it out (never with its password hash); ``role`` holds a
    ``UserRole`` value."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...

"""Who is calling: the actor an access token names, the roles, and what staff means."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

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

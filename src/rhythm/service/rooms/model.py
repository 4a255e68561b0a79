"""The names services give rooms: their states, their rows as read, the seat rule, and who may
view a room.

Rows come from generated queries; these Protocols say which attributes the rest of the code
may rely on, so renaming a query or a generated type renames nothing outside the service.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from rhythm.service.errors import RuleViolationError
from rhythm.service.identity import Actor

MIN_PLAYERS = 2
MAX_PLAYERS = 16


class RoomStatus(StrEnum):
    """OPEN: joinable; IN_MATCH: playing; CLOSED: gone for good."""

    OPEN = "OPEN"
    IN_MATCH = "IN_MATCH"
    CLOSED = "CLOSED"


class RoomVisibility(StrEnum):
    """PUBLIC rooms are in the lobby; PRIVATE ones need their invite code."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Difficulty(StrEnum):
    """The chart the room plays."""

    EASY = "EASY"
    NORMAL = "NORMAL"
    HARD = "HARD"
    EXPERT = "EXPERT"


class Room(Protocol):
    """A room as read; ``status``, ``visibility`` and ``difficulty`` hold the values above."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def host_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def visibility(self) -> str: ...
    @property
    def invite_code(self) -> str | None: ...
    @property
    def max_players(self) -> int: ...
    @property
    def song_id(self) -> str | None: ...
    @property
    def difficulty(self) -> str | None: ...
    @property
    def member_count(self) -> int: ...
    @property
    def event_seq(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def closed_at(self) -> datetime | None: ...


class Member(Protocol):
    """A member of a room, in order of arrival."""

    @property
    def user_id(self) -> int: ...
    @property
    def display_name(self) -> str: ...
    @property
    def is_ready(self) -> bool: ...
    @property
    def joined_at(self) -> datetime: ...


def check_max_players(value: int) -> None:
    if not MIN_PLAYERS <= value <= MAX_PLAYERS:
        raise RuleViolationError(f"max_players must be between {MIN_PLAYERS} and {MAX_PLAYERS}")


def may_view(actor: Actor, visibility: str, *, is_member: bool) -> bool:
    """Who may see a room: anyone signed in for a public one; its members and staff for a
    private one. Pure, so a reader that already knows the room's state (a socket following its
    events) asks the same rule without a query."""
    return visibility != RoomVisibility.PRIVATE or is_member or actor.is_staff

"""Who may view a room (``may_view``), and how a socket's ``Viewer`` follows it from events."""

from __future__ import annotations

from typing import Any

import pytest

from rhythm.service.identity import Actor, UserRole
from rhythm.service.rooms.events import EventType
from rhythm.service.rooms.model import RoomVisibility, may_view
from rhythm.web.rooms.viewer import Viewer

USER = Actor(user_id=5, role=UserRole.USER)
MOD = Actor(user_id=6, role=UserRole.MODERATOR)
ADMIN = Actor(user_id=7, role=UserRole.ADMIN)
PUBLIC, PRIVATE = RoomVisibility.PUBLIC, RoomVisibility.PRIVATE


@pytest.mark.parametrize(
    ("actor", "visibility", "is_member", "allowed"),
    [
        (USER, PUBLIC, False, True),
        (USER, PUBLIC, True, True),
        (USER, PRIVATE, True, True),
        (USER, PRIVATE, False, False),
        (MOD, PRIVATE, False, True),
        (ADMIN, PRIVATE, False, True),
    ],
)
def test_may_view(actor: Actor, visibility: str, is_member: bool, allowed: bool) -> None:
    assert may_view(actor, visibility, is_member=is_member) is allowed


def settings(visibility: str) -> dict[str, Any]:
    return {
        "name": "r",
        "song_id": None,
        "difficulty": None,
        "max_players": 4,
        "visibility": visibility,
    }


def test_an_outsider_loses_a_room_that_turns_private_and_regains_it_when_public() -> None:
    viewer = Viewer(USER, PUBLIC, is_member=False)
    viewer.apply(EventType.SETTINGS_CHANGED, settings("PRIVATE"))
    assert not viewer.allowed
    viewer.apply(EventType.SETTINGS_CHANGED, settings("PUBLIC"))
    assert viewer.allowed


@pytest.mark.parametrize("departure", [EventType.MEMBER_LEFT, EventType.MEMBER_KICKED])
def test_a_member_who_departs_a_private_room_loses_it(departure: EventType) -> None:
    viewer = Viewer(USER, PRIVATE, is_member=True)
    viewer.apply(EventType.SETTINGS_CHANGED, settings("PRIVATE"))
    assert viewer.allowed
    viewer.apply(departure, {"user_id": USER.user_id, "by": 1})
    assert not viewer.allowed


def test_only_the_viewers_own_membership_counts() -> None:
    viewer = Viewer(USER, PRIVATE, is_member=True)
    viewer.apply(EventType.MEMBER_LEFT, {"user_id": USER.user_id + 1})
    viewer.apply(EventType.READY_CHANGED, {"user_id": USER.user_id, "is_ready": False})
    assert viewer.allowed
    viewer.apply(EventType.MEMBER_LEFT, {"user_id": USER.user_id})
    viewer.apply(EventType.MEMBER_JOINED, {"user_id": USER.user_id})
    assert viewer.allowed


def test_staff_keep_a_private_room_they_are_not_in() -> None:
    viewer = Viewer(MOD, PUBLIC, is_member=False)
    viewer.apply(EventType.SETTINGS_CHANGED, settings("PRIVATE"))
    assert viewer.allowed

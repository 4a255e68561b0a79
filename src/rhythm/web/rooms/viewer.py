"""Whether a room socket's user may still view the room, kept current from the room's events.

The snapshot says where the socket starts (the room's visibility, whether the user is a
member); ``settings_changed``, ``member_joined``, ``member_left`` and ``member_kicked`` carry
every later change to either, so the socket asks the rooms service's rule (``may_view``) on
each event without a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rhythm.service.identity import Actor
from rhythm.service.rooms.events import EventType
from rhythm.service.rooms.model import may_view
from rhythm.service.rooms.service import RoomView

_JOINS = frozenset({EventType.MEMBER_JOINED})
_DEPARTURES = frozenset({EventType.MEMBER_LEFT, EventType.MEMBER_KICKED})


@dataclass(slots=True)
class Viewer:
    actor: Actor
    visibility: str
    is_member: bool

    @classmethod
    def of_view(cls, actor: Actor, view: RoomView) -> Viewer:
        is_member = any(m.user_id == actor.user_id for m in view.members)
        return cls(actor, view.room.visibility, is_member)

    def apply(self, kind: EventType, data: dict[str, Any]) -> None:
        """Take in what an event changed about the room's visibility or the membership."""
        if kind is EventType.SETTINGS_CHANGED:
            self.visibility = str(data["visibility"])
        elif data.get("user_id") == self.actor.user_id:
            if kind in _JOINS:
                self.is_member = True
            elif kind in _DEPARTURES:
                self.is_member = False

    @property
    def allowed(self) -> bool:
        return may_view(self.actor, self.visibility, is_member=self.is_member)

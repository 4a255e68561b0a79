"""A channels subscriber that owns up to the events its bounded backlog dropped.

Litestar's subscriber holds at most ``max_backlog`` events; beyond that it drops some without
a word, and a consumer cannot tell. A revocation notice or a room event must never vanish
unnoticed, so this one remembers that it dropped something, and its consumer asks
``take_overflow`` and recovers as a whole: forget every remembered answer, resync the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.channels import Subscriber
from litestar.channels.subscriber import BacklogStrategy

if TYPE_CHECKING:
    from litestar.channels import ChannelsPlugin


class OverflowAwareSubscriber(Subscriber):
    def __init__(
        self,
        plugin: ChannelsPlugin,
        max_backlog: int | None = None,
        backlog_strategy: BacklogStrategy = "backoff",
    ) -> None:
        super().__init__(plugin, max_backlog, backlog_strategy)
        self._max_backlog = max_backlog
        self._overflowed = False

    def put_nowait(self, item: bytes | None) -> bool:
        # A full backlog drops an event either way (the oldest or this one): say so.
        if item is not None and self._max_backlog and self.qsize >= self._max_backlog:
            self._overflowed = True
        return super().put_nowait(item)

    def take_overflow(self) -> bool:
        """Whether events were dropped since the last call."""
        overflowed, self._overflowed = self._overflowed, False
        return overflowed


def overflow_aware(subscriber: Subscriber) -> OverflowAwareSubscriber:
    """``subscriber`` as the plugin made it; the app's plugin is built with this class."""
    if not isinstance(subscriber, OverflowAwareSubscriber):
        raise TypeError("the channels plugin must use subscriber_class=OverflowAwareSubscriber")
    return subscriber

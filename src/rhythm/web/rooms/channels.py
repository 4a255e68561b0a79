"""Litestar channels for room events: how a slow subscriber's backlog is bounded."""

from __future__ import annotations

from litestar.channels import ChannelsBackend, ChannelsPlugin

# Events a slow subscriber may have waiting; beyond it the oldest are dropped, and the client
# notices the gap in sequence numbers and re-fetches the room.
SUBSCRIBER_BACKLOG = 256


def channels_plugin(backend: ChannelsBackend) -> ChannelsPlugin:
    """Room channels on ``backend`` (``ReconnectingPsycopgBackend`` in the app)."""
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=SUBSCRIBER_BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )

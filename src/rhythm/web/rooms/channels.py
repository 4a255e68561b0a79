"""Litestar channels for room events and revocation notices: how a subscriber's backlog is
bounded."""

from __future__ import annotations

from litestar.channels import ChannelsBackend, ChannelsPlugin

from rhythm.web.subscriber import OverflowAwareSubscriber

# Events a slow subscriber may have waiting; beyond it the oldest are dropped and the
# subscriber says so: a room socket is closed for a resync, the revocation feed forgets all.
SUBSCRIBER_BACKLOG = 256


def channels_plugin(backend: ChannelsBackend) -> ChannelsPlugin:
    """Room channels on ``backend`` (``ReconnectingPsycopgBackend`` in the app)."""
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=SUBSCRIBER_BACKLOG,
        subscriber_backlog_strategy="dropleft",
        subscriber_class=OverflowAwareSubscriber,
    )

"""The baselines' event: the app's ``ready_changed`` event, plus ``t0`` where a server stamps it."""

from __future__ import annotations

import msgspec

from rhythm.service.rooms.events import ReadyChanged, ReadyChangedData


class StampedReadyChanged(ReadyChanged, kw_only=True, tag="ready_changed", omit_defaults=True):
    t0: float | None = None  # when the publisher handed it over (time.monotonic())


_encoder = msgspec.json.Encoder()


def event_payload(room_id: int, seq: int, *, user_id: int = 1, t0: float | None = None) -> bytes:
    """The JSON of the app's ready_changed event (same shape and size), ``t0`` appended."""
    data = ReadyChangedData(user_id=user_id, is_ready=seq % 2 == 0)
    return _encoder.encode(StampedReadyChanged(room_id=room_id, seq=seq, data=data, t0=t0))
